package demosite

import (
	"time"
)

// Demo tipline members: invented Telegram ids of fictional people.
const (
	demoMemberOne   = int64(7100000001)
	demoMemberTwo   = int64(7100000002)
	demoMemberThree = int64(7100000003)
)

// demoSMS is an invented bulk SMS of the kind sent before the 2020 elections (see
// docs/context.md): a fictional party smeared as "supporting LGBT", as three members
// received it with their own name in the greeting.
var demoSMS = []string{
	"От: IZBIRATEL\nУважаемый Азамат! Партия «Жаңы Жол» поддерживает права ЛГБТ и пропаганду среди детей. Голосуйте 4 октября за традиционные ценности!",
	"Уважаемая Гульнара! Партия «Жаңы Жол» поддерживает права ЛГБТ и пропаганду среди детей. Голосуйте 4 октября за традиционные ценности!",
	"От: IZBIRATEL\nУважаемый Нурлан, партия «Жаңы Жол» поддерживает права ЛГБТ и пропаганду среди детей. Голосуйте 4 октября за традиционные ценности",
}

// seedTips queues the demo tipline's updates on the site's Bot API: the bulk SMS
// forwarded by three members within two hours (one sms_campaign), a screenshot and a
// link to a demo Telegram post, all sent shortly before now.
func seedTips(b *BotAPI, now time.Time) {
	msg := func(from int64, lang string, ago time.Duration, fields map[string]any) map[string]any {
		at := now.Add(-ago)
		m := map[string]any{
			"message_id": int64(at.Unix() % 100000),
			"from":       map[string]any{"id": from, "is_bot": false, "first_name": "Demo member", "language_code": lang},
			"chat":       map[string]any{"id": from, "type": "private"},
			"date":       at.Unix(),
		}
		for k, v := range fields {
			m[k] = v
		}
		return map[string]any{"message": m}
	}
	b.Push(msg(demoMemberOne, "ru", 150*time.Minute, map[string]any{"text": demoSMS[0]}))
	b.Push(msg(demoMemberTwo, "ky", 95*time.Minute, map[string]any{"text": demoSMS[1]}))
	b.Push(msg(demoMemberThree, "ru", 30*time.Minute, map[string]any{"text": demoSMS[2]}))
	b.Push(msg(demoMemberTwo, "ky", 25*time.Minute, map[string]any{
		"caption": "Скриншот из закрытого чата района: «найдём, где они собираются»",
		"photo": []map[string]any{
			{"file_id": "AgACdemo-screenshot-small", "file_unique_id": "AQADdemo-shot-s", "width": 90, "height": 180},
			{"file_id": "AgACdemo-screenshot", "file_unique_id": "AQADdemo-shot", "width": 1080, "height": 2160},
		}}))
	b.Push(msg(demoMemberOne, "en", 10*time.Minute, map[string]any{
		"text":     "This post is being spread in our district: https://t.me/kg_demo_patriot/201",
		"entities": []map[string]any{{"type": "url", "offset": 43, "length": 32}},
	}))
}
