// Package all builds the registry of every collector kind kuzot ships.
package all

import (
	"github.com/kuzot/kuzot/collectors"
	"github.com/kuzot/kuzot/collectors/rss"
	"github.com/kuzot/kuzot/collectors/telegram"
	"github.com/kuzot/kuzot/collectors/tipline"
	"github.com/kuzot/kuzot/collectors/vk"
	"github.com/kuzot/kuzot/collectors/web"
	"github.com/kuzot/kuzot/collectors/youtube"
)

// Registry returns a registry with every built-in source kind registered.
func Registry() *collectors.Registry {
	r := collectors.NewRegistry()
	// One line per kind: <kind>.Register(r)
	rss.Register(r)
	telegram.Register(r)
	tipline.Register(r)
	vk.Register(r)
	web.Register(r)
	youtube.Register(r)
	return r
}
