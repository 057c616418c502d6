package app_test

import (
	"strconv"

	"github.com/kuzot/kuzot/web"
)

func fmtInt(n int) string { return strconv.Itoa(n) }

func webScope(org string) web.Scope { return web.Scope{Org: org} }
