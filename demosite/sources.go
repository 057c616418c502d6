package demosite

import (
	"fmt"
	"strings"
)

// SourcesYAML returns a `sources:` section that follows every place of the demo site
// served at baseURL (e.g. "http://127.0.0.1:8090"): the config `make run` and the
// end-to-end tests use. Tokens and keys are demo values the site accepts.
func SourcesYAML(baseURL string) string {
	c, err := Load(0)
	if err != nil {
		return "# demosite: " + err.Error() + "\n"
	}
	baseURL = strings.TrimSuffix(baseURL, "/")
	var b strings.Builder
	b.WriteString("sources:\n")
	for _, f := range c.Places.RSS {
		fmt.Fprintf(&b, "  - kind: rss\n    url: %s%s\n", baseURL, f.Path)
	}
	for _, ch := range c.Places.Telegram {
		if ch.NoPreview {
			continue
		}
		fmt.Fprintf(&b, "  - kind: telegram\n    channel: %s\n    base_url: %s\n    comments: {enabled: true}\n", ch.Name, baseURL)
	}
	for _, ch := range c.Places.YouTube {
		fmt.Fprintf(&b, "  - kind: youtube\n    channel_id: %s\n    base_url: %s\n    api_base_url: %s\n    comments: {enabled: true, api_key: demo-key}\n", ch.ChannelID, baseURL, baseURL)
	}
	for _, v := range c.Places.VK {
		fmt.Fprintf(&b, "  - kind: vk\n    domain: %s\n    access_token: demo-token\n    base_url: %s\n    comments: {enabled: true}\n", v.Domain, baseURL)
	}
	for _, t := range c.Places.Web {
		fmt.Fprintf(&b, `  - kind: web
    name: web:demo-forum-%s
    url: %s/forum/thread/%s
    selectors: {item: article.message, text: ".message-body .bbWrapper", author: .username, date: time, link: a.message-date}
    follow: a.pageNav-jump--next
`, t.Thread, baseURL, t.Thread)
	}
	return b.String()
}
