// Package alerts tells organisations, fast and exactly once, when one of their
// watch-listed members is exposed. It consumes classifier results, turns every
// (organisation, member, exposed content) into one incident shared by every alert worker
// through a JetStream KV bucket (compare-and-set updates), decides whether a new post is
// news for the organisation (a new platform, a new URL or a higher severity) and, if so,
// enqueues one delivery job per channel in a durable JetStream outbox. Per-channel
// senders deliver the jobs (webhook, e-mail, Telegram: see the sub-packages), retry
// with exponential backoff, and record "sent" before acknowledging, so a restart neither
// loses nor repeats an alert. Incident and delivery state is mirrored to ClickHouse for
// dashboards. See docs/alerts.md.
//
// Alerts never contain personal data: they carry the categories of data exposed, where
// it was published and the post text with every recognised entity masked.
package alerts
