// Package all builds the registry of every alert channel kind kuzot ships.
package all

import (
	"github.com/kuzot/kuzot/alerts"
	"github.com/kuzot/kuzot/alerts/email"
	"github.com/kuzot/kuzot/alerts/telegram"
	"github.com/kuzot/kuzot/alerts/webhook"
)

// Registry returns a registry with every built-in channel kind.
func Registry() *alerts.Registry {
	r := alerts.NewRegistry()
	// One line per kind: <kind>.Register(r)
	email.Register(r)
	telegram.Register(r)
	webhook.Register(r)
	return r
}
