//go:build tools

// Package tools pins dependencies that packages under construction will import, so that
// go.mod and go.sum stay stable while several parts are written in parallel.
package tools

import (
	_ "github.com/ClickHouse/clickhouse-go/v2"
	_ "github.com/PuerkitoBio/goquery"
	_ "github.com/chromedp/chromedp"
	_ "github.com/emersion/go-smtp"
	_ "github.com/gocolly/colly/v2"
	_ "github.com/gocolly/colly/v2/extensions"
	_ "github.com/kljensen/snowball/russian"
	_ "github.com/nats-io/nats-server/v2/server"
	_ "github.com/nats-io/nats.go"
	_ "github.com/nats-io/nats.go/jetstream"
	_ "github.com/nyaruka/phonenumbers"
	_ "github.com/oklog/run"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/prometheus/client_golang/prometheus/promhttp"
	_ "github.com/prometheus/client_golang/prometheus/testutil"
	_ "github.com/robfig/cron/v3"
	_ "github.com/wneessen/go-mail"
	_ "go.yaml.in/yaml/v3"
	_ "golang.org/x/crypto/argon2"
	_ "golang.org/x/crypto/bcrypt"
	_ "golang.org/x/net/html"
	_ "golang.org/x/net/html/charset"
	_ "golang.org/x/sync/errgroup"
	_ "golang.org/x/text/encoding/charmap"
	_ "golang.org/x/text/unicode/norm"
)
