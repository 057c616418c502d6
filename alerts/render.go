package alerts

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// MessageType values of the webhook payload's "type".
const (
	TypeIncidentNew    = "exposure.incident.new"
	TypeIncidentUpdate = "exposure.incident.update"
)

// Message is the alert content, the JSON body of a webhook and the source of the e-mail
// and Telegram texts. It never holds personal data: categories of data, places, and the
// redacted evidence only; the member is the organisation's own pseudonymous id.
type Message struct {
	Type        string              `json:"type"`
	AlertID     string              `json:"alert_id"`
	IncidentID  string              `json:"incident_id"`
	Fingerprint string              `json:"fingerprint"`
	Org         string              `json:"org"`
	Member      string              `json:"member"`
	Kind        string              `json:"kind"`
	Seq         uint32              `json:"seq"`
	Changes     []string            `json:"changes"`
	Severity    string              `json:"severity"`
	Categories  []string            `json:"categories"`
	Where       []Sighting          `json:"where"`
	Platforms   []string            `json:"platforms"`
	Copies      int                 `json:"copies"`
	MaxViews    int64               `json:"max_views"`
	FirstSeen   time.Time           `json:"first_seen"`
	LastSeen    time.Time           `json:"last_seen"`
	Evidence    string              `json:"evidence"`
	Status      string              `json:"status"`
	NextSteps   map[string][]string `json:"next_steps"`
	Summary     map[string]string   `json:"summary"`
	CreatedAt   time.Time           `json:"created_at"`
	// Digest is set on a backfill digest (Type TypeDigest) only.
	Digest *Digest `json:"digest,omitempty"`
}

// Alert is one delivery handed to a channel.
type Alert struct {
	// ID is the delivery id: the idempotency key the receiver sees (webhook-id,
	// Message-ID, and in the Telegram text), equal on every retry and redelivery.
	ID      string
	Channel string
	Message Message
	// Languages are the org's languages, in order; Text renders each.
	Languages []string
}

// BuildMessage renders the alert for one notification of an incident.
func BuildMessage(in *Incident, n *Notification, langs []string, now time.Time) Message {
	m := Message{
		Type: TypeIncidentNew, AlertID: fmt.Sprintf("%s.%d", in.ID, n.Seq), IncidentID: in.ID,
		Fingerprint: in.Fingerprint(), Org: in.Org, Member: in.Member, Kind: n.Kind, Seq: n.Seq,
		Changes: nonNil(n.Changes), Severity: in.Severity.String(), Categories: nonNil(in.Categories),
		Where: slices.Clone(in.Sightings), Platforms: nonNil(in.Platforms), Copies: in.Copies, MaxViews: in.MaxViews,
		Evidence: in.Evidence, Status: in.Status, NextSteps: map[string][]string{}, Summary: map[string]string{},
		CreatedAt: now.UTC(),
	}
	if n.Kind == KindUpdate {
		m.Type = TypeIncidentUpdate
	}
	if m.Where == nil {
		m.Where = []Sighting{}
	}
	for _, s := range in.Sightings {
		if m.FirstSeen.IsZero() || s.CollectedAt.Before(m.FirstSeen) {
			m.FirstSeen = s.CollectedAt
		}
		if s.CollectedAt.After(m.LastSeen) {
			m.LastSeen = s.CollectedAt
		}
	}
	for _, l := range langs {
		m.NextSteps[l] = NextSteps(l, in.Platforms)
		m.Summary[l] = summary(l, &m)
	}
	return m
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

var categoryNames = map[string][2]string{
	"phone":         {"phone number", "номер телефона"},
	"email":         {"e-mail address", "адрес e-mail"},
	"national_id":   {"personal ID number", "персональный идентификационный номер"},
	"passport":      {"passport or ID document number", "номер паспорта или удостоверения"},
	"birth_date":    {"date of birth", "дата рождения"},
	"address":       {"home or work address", "домашний или рабочий адрес"},
	"vehicle_plate": {"car plate", "номер автомобиля"},
	"social_handle": {"social media account", "аккаунт в соцсетях"},
	"sogi":          {"claim about sexual orientation or gender identity (outing)", "утверждение о сексуальной ориентации или гендерной идентичности (аутинг)"},
	"threat":        {"threat to publish the member's personal data", "угроза опубликовать личные данные участника"},
	"workplace":     {"workplace, school or class", "место работы, учёбы или класс"},
	"location":      {"where they live or their daily route", "где живёт или обычный маршрут"},
}

var severityRU = map[string]string{"none": "нет", "low": "низкая", "medium": "средняя", "high": "высокая", "critical": "критическая"}

var changeNames = map[string][2]string{
	ChangeNewPlatform:    {"published on a new platform", "опубликовано на новой платформе"},
	ChangeNewURL:         {"new copies (new links)", "новые копии (новые ссылки)"},
	ChangeHigherSeverity: {"severity increased", "серьёзность выросла"},
}

func li(l string) int {
	if l == "ru" {
		return 1
	}
	return 0
}

// CategoryName is the human name of a data category in language l.
func CategoryName(l, c string) string {
	if n, ok := categoryNames[c]; ok {
		return n[li(l)]
	}
	return c
}

func summary(l string, m *Message) string {
	var cats []string
	for _, c := range m.Categories {
		cats = append(cats, CategoryName(l, c))
	}
	if l == "ru" {
		verb := "Новый инцидент"
		if m.Kind == KindUpdate {
			verb = "Обновление инцидента"
		}
		return fmt.Sprintf("%s: раскрыты данные участника %s (серьёзность: %s): %s; копий: %d, платформы: %s.",
			verb, m.Member, severityRU[m.Severity], strings.Join(cats, ", "), m.Copies, strings.Join(m.Platforms, ", "))
	}
	verb := "New incident"
	if m.Kind == KindUpdate {
		verb = "Incident update"
	}
	return fmt.Sprintf("%s: personal data of member %s exposed (severity: %s): %s; copies: %d, platforms: %s.",
		verb, m.Member, m.Severity, strings.Join(cats, ", "), m.Copies, strings.Join(m.Platforms, ", "))
}

// NextSteps are the recommended actions, in the order helplines advise: safety first,
// then evidence, platform reports, a helpline, and informing the person.
func NextSteps(l string, platforms []string) []string {
	ru := l == "ru"
	pick := func(en, r string) string {
		if ru {
			return r
		}
		return en
	}
	out := []string{
		pick("Check on the safety of the person first; if the post calls for harm or reveals where they live, follow your physical safety plan.",
			"Сначала убедитесь в безопасности человека; если пост призывает к насилию или раскрывает, где он живёт, действуйте по плану физической безопасности."),
		pick("Save evidence before it disappears: kuzot keeps the links, times and a redacted copy; keep your own screenshots with the date and URL.",
			"Сохраните доказательства, пока их не удалили: kuzot хранит ссылки, время и обезличенную копию; сделайте свои скриншоты с датой и адресом."),
	}
	routes := map[string]string{
		"telegram": pick("Telegram: use \"Report\" on the post or channel in the app (channel posts, supergroup messages) and write to abuse@telegram.org.",
			"Telegram: нажмите «Пожаловаться» на пост или канал в приложении (посты каналов, сообщения супергрупп) и напишите на abuse@telegram.org."),
		"youtube": pick("YouTube: file a privacy complaint (https://support.google.com/youtube/answer/142443); the uploader gets 48 hours, contact data is reviewed urgently.",
			"YouTube: подайте жалобу о нарушении конфиденциальности (https://support.google.com/youtube/answer/142443); автору дают 48 часов, контактные данные рассматриваются срочно."),
		"vk": pick("VK: use \"Report\" on the post or video and write to VK support (https://vk.com/support).",
			"ВКонтакте: нажмите «Пожаловаться» на пост или видео и напишите в поддержку (https://vk.com/support)."),
	}
	added := false
	for _, p := range []string{"telegram", "youtube", "vk"} {
		if slices.Contains(platforms, p) {
			out = append(out, routes[p])
			added = true
		}
	}
	if !added {
		out = append(out, pick("Report the post to the platform with its own report function, citing doxxing/privacy; Telegram, YouTube and VK routes are in the kuzot documentation.",
			"Пожалуйтесь на пост через функцию жалоб платформы, указав раскрытие личных данных; порядок для Telegram, YouTube и ВКонтакте описан в документации kuzot."))
	}
	out = append(out,
		pick("Contact a digital-security helpline, for example the Access Now Digital Security Helpline (https://www.accessnow.org/help/, 24/7).",
			"Обратитесь на линию помощи по цифровой безопасности, например Access Now Digital Security Helpline (https://www.accessnow.org/help/, круглосуточно)."),
		pick("Inform the person concerned and agree on next steps; acknowledge the incident in kuzot to stop further updates.",
			"Сообщите человеку и договоритесь о дальнейших шагах; подтвердите инцидент в kuzot, чтобы прекратить обновления."),
	)
	return out
}

// Subject is a one-line title in language l.
func (a *Alert) Subject(l string) string {
	m := &a.Message
	if m.Digest != nil {
		if l == "ru" {
			return fmt.Sprintf("[kuzot] Сводка: %d постов с раскрытием данных участников %s", m.Digest.Posts, m.Org)
		}
		return fmt.Sprintf("[kuzot] Digest: %d past posts exposing members of %s", m.Digest.Posts, m.Org)
	}
	if l == "ru" {
		k := "Новый инцидент"
		if m.Kind == KindUpdate {
			k = "Обновление"
		}
		return fmt.Sprintf("[kuzot] %s: раскрытие данных участника %s, серьёзность %s", k, m.Member, severityRU[m.Severity])
	}
	k := "New incident"
	if m.Kind == KindUpdate {
		k = "Update"
	}
	return fmt.Sprintf("[kuzot] %s: member %s exposed, severity %s", k, m.Member, m.Severity)
}

// Text renders the alert as plain text in every language of the org, separated by a
// rule: the e-mail body and the Telegram message.
func (a *Alert) Text() string {
	var b strings.Builder
	for i, l := range a.Languages {
		if i > 0 {
			b.WriteString("\n────────\n\n")
		}
		a.writeText(&b, l)
	}
	return b.String()
}

func (a *Alert) writeText(b *strings.Builder, l string) {
	m := &a.Message
	ru := l == "ru"
	t := func(en, r string) string {
		if ru {
			return r
		}
		return en
	}
	fmt.Fprintf(b, "%s\n\n%s\n", a.Subject(l), m.Summary[l])
	if m.Digest != nil {
		a.writeDigest(b, l)
		fmt.Fprintf(b, "\n%s:\n", t("Next steps", "Что делать"))
		for i, s := range m.NextSteps[l] {
			fmt.Fprintf(b, "  %d. %s\n", i+1, s)
		}
		fmt.Fprintf(b, "\n%s: %s\n", t("alert id", "id оповещения"), a.ID)
		return
	}
	if len(m.Changes) > 0 {
		var cs []string
		for _, c := range m.Changes {
			if n, ok := changeNames[c]; ok {
				cs = append(cs, n[li(l)])
			}
		}
		fmt.Fprintf(b, "%s: %s\n", t("What changed", "Что изменилось"), strings.Join(cs, "; "))
	}
	fmt.Fprintf(b, "\n%s:\n", t("Data exposed (categories only)", "Раскрытые данные (только категории)"))
	for _, c := range m.Categories {
		fmt.Fprintf(b, "  - %s\n", CategoryName(l, c))
	}
	fmt.Fprintf(b, "\n%s:\n", t("Where", "Где"))
	for _, s := range m.Where {
		fmt.Fprintf(b, "  - %s / %s: %s (%s %s, %s %d)\n", s.Platform, s.Channel, s.URL,
			t("published", "опубликовано"), s.PublishedAt.UTC().Format("2006-01-02 15:04 UTC"), t("views", "просмотров"), s.Views)
	}
	if m.Evidence != "" {
		fmt.Fprintf(b, "\n%s:\n%s\n", t("Evidence (redacted)", "Доказательство (обезличено)"), m.Evidence)
	}
	fmt.Fprintf(b, "\n%s:\n", t("Next steps", "Что делать"))
	for i, s := range m.NextSteps[l] {
		fmt.Fprintf(b, "  %d. %s\n", i+1, s)
	}
	fmt.Fprintf(b, "\n%s: %s · %s: %s\n", t("Incident", "Инцидент"), m.IncidentID, t("alert id", "id оповещения"), a.ID)
}
