package tipline

import "strings"

// Messages the bot sends, in English, Russian and Kyrgyz; the reporter's Telegram
// language picks one (English otherwise).
type messages struct {
	Receipt, Repeat, Privacy, Forgotten, NotSetUp, Nothing string
}

var texts = map[string]messages{
	"en": {
		Receipt: "Thank you — your tip was received (ref. %s). It is stored without your name, number or Telegram account; " +
			"only a coded reference lets us delete it if you send /forget. Please do not send your own personal data.",
		Repeat: "Thank you — this was already received from you (ref. %s).",
		Privacy: "This tipline collects messages you received or saw — bulk SMS, forwarded posts, screenshots, links — " +
			"to document campaigns against LGBT people and human-rights defenders. We never store your name, phone number " +
			"or Telegram account: only a code that cannot be turned back into your identity, used to count distinct " +
			"reports and to delete yours. Tips are kept at most one year. Send /forget at any time to delete what links " +
			"you to your tips; a tip only you sent is withdrawn.",
		Forgotten: "Done: %d tip(s) are no longer linked to you and %d tip(s) that only you sent were withdrawn.",
		NotSetUp:  "This chat is not connected to an organisation's tipline; nothing was stored.",
		Nothing:   "Nothing to keep in this message (send text, a forwarded post, a screenshot or a link).",
	},
	"ru": {
		Receipt: "Спасибо — сообщение получено (номер %s). Оно хранится без вашего имени, номера и аккаунта Telegram; " +
			"только кодовая ссылка позволяет удалить его, если вы отправите /forget. Пожалуйста, не присылайте свои личные данные.",
		Repeat: "Спасибо — это сообщение от вас уже получено (номер %s).",
		Privacy: "Этот бот собирает то, что вы получили или увидели — массовые SMS, пересланные посты, скриншоты, ссылки, — " +
			"чтобы документировать кампании против ЛГБТ-людей и правозащитников. Мы не храним ваше имя, номер телефона " +
			"или аккаунт Telegram — только код, по которому нельзя установить вашу личность; он нужен, чтобы считать " +
			"отдельные сообщения и удалить ваши. Сообщения хранятся не больше года. Отправьте /forget, чтобы удалить всё, " +
			"что связывает вас с вашими сообщениями; сообщение, присланное только вами, будет отозвано.",
		Forgotten: "Готово: %d сообщ. больше не связаны с вами, %d сообщ., присланных только вами, отозваны.",
		NotSetUp:  "Этот чат не подключён к боту организации; ничего не сохранено.",
		Nothing:   "В этом сообщении нечего сохранить (пришлите текст, пересланный пост, скриншот или ссылку).",
	},
	"ky": {
		Receipt: "Рахмат — билдирүү алынды (номери %s). Ал сиздин атыңызсыз, номериңизсиз жана Telegram аккаунтуңузсуз " +
			"сакталат; /forget жөнөтсөңүз, аны өчүрүүгө код гана мүмкүнчүлүк берет. Өзүңүздүн жеке маалыматыңызды жибербеңиз.",
		Repeat: "Рахмат — бул билдирүү сизден мурун эле алынган (номери %s).",
		Privacy: "Бул бот сиз алган же көргөн нерселерди — массалык SMS, багытталган посттор, скриншоттор, шилтемелер — " +
			"ЛГБТ адамдарга жана укук коргоочуларга каршы кампанияларды документтештирүү үчүн чогултат. Биз атыңызды, " +
			"телефон номериңизди же Telegram аккаунтуңузду сактабайбыз — инсандыгыңызды аныктоого мүмкүн болбогон код гана " +
			"сакталат. Билдирүүлөр бир жылдан ашык сакталбайт. Каалаган убакта /forget жөнөтүңүз — сизди билдирүүлөрүңүз " +
			"менен байланыштырган нерселер өчүрүлөт; сиз гана жиберген билдирүү кайтарылып алынат.",
		Forgotten: "Даяр: %d билдирүү сиз менен байланышпай калды, сиз гана жиберген %d билдирүү кайтарылып алынды.",
		NotSetUp:  "Бул чат уюмдун ботуна туташтырылган эмес; эч нерсе сакталган жок.",
		Nothing:   "Бул билдирүүдө сактала турган эч нерсе жок (текст, пост, скриншот же шилтеме жибериңиз).",
	},
}

// textsFor picks the messages of a Telegram language code ("ru", "ky", "en-GB"...).
func textsFor(lang string) messages {
	lang = strings.ToLower(lang)
	if i := strings.IndexAny(lang, "-_"); i > 0 {
		lang = lang[:i]
	}
	if m, ok := texts[lang]; ok {
		return m
	}
	return texts["en"]
}
