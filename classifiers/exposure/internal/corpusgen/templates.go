package main

// templates are the corpus patterns. Slots in braces are filled with invented data and,
// for identifiers, names and SOGI words, recorded as gold entities (see render). The
// labels are the template's: exposed (personal data of an identifiable private person,
// not self-disclosure, official contact or public official) and outing (SOGI
// attributed to an identifiable private person who is not the author).
var templates = []tmpl{
	// ---- Russian: doxxing of private people -------------------------------------------
	{"ru", "doxx_full", true, false, 2, "{P}, {DOB} г.р., проживает по адресу {ADDR}. Телефон: {PHONE}."},
	{"ru", "doxx_state_leak", true, false, 2, "Слив из базы: {P}, ПИН {PIN}, паспорт {PASS}."},
	{"ru", "doxx_phone_gen", true, false, 2, "Номер {PG}: {PHONE}. Звоните, пишите, пусть знает."},
	{"ru", "doxx_plate", true, false, 0, "{P} ездит на машине {PLATE}, найдите его."},
	{"ru", "doxx_iin_email", true, false, 2, "Личные данные: {P}, ИИН {IIN}, e-mail {EMAIL}"},
	{"ru", "doxx_born_text", true, false, 2, "{P} {BORN} {DOBT}, живет: {ADDR}"},
	{"ru", "doxx_initial", true, false, 2, "{PR} — вот {POSS} телефон {PHONE} и адрес {ADDR}"},
	{"ru", "doxx_link", true, false, 2, "Нашли страницу {PG}: {LINK}, телефон {PHONE}"},
	// ---- Russian: outing ------------------------------------------------------------------
	{"ru", "outing_phone", true, true, 0, "Вот этот {SOGI}: {P}, номер {PHONE}. Пусть все знают."},
	{"ru", "outing_address", true, true, 2, "{P} работает в НКО. {PRONC} {SOGI}! Живет: {ADDR}"},
	{"ru", "outing_only", false, true, 2, "Все знают, что {P} — {SOGI}."},
	{"ru", "outing_handle", true, true, 2, "{P} ({HANDLE}) оказывается {SOGI}"},
	{"ru", "outing_ids", true, true, 2, "ИНН {INN}, СНИЛС {SNILS} — это {P}, {SOGI}."},
	{"ru", "outing_this_phone", true, true, 0, "Вот номер этого {SOGIGEN}: {PHONE}"},
	// ---- Russian: watch-listed members ----------------------------------------------------
	{"ru", "member_outing_phone", true, true, 2, "{M} — {SOGI}, звоните {PHONE}"},
	{"ru", "member_phone", true, false, 2, "Знаете {MG}? Вот номер: {MPHONE}"},
	{"ru", "member_pin", true, false, 2, "{M}, ПИН {MPIN}, все данные у нас."},
	{"ru", "member_handle", true, false, 2, "{M} сидит тут: {MHANDLE}"},
	{"ru", "member_outing", false, true, 2, "{M} — {SOGI}, это точно."},
	{"ru", "member_phone_only", true, false, 2, "Кто знает, чей это номер: {MPHONE}? Его слили в чат, найдите владельца."},
	{"ru", "member_email", true, false, 2, "Пишите {MG} на почту {MEMAIL}, пусть ответит за всё."},
	// ---- Kyrgyz ---------------------------------------------------------------------------
	{"ky", "outing_phone", true, true, 2, "{P} {SOGI} экен. Телефону: {PHONE}"},
	{"ky", "doxx_year_addr", true, false, 2, "{P}, {YEAR}-жылы туулган, {ADDRKY} жашайт."},
	{"ky", "outing_pin", true, true, 2, "Бул {P}, ПИН {PIN}. Ал {SOGI}."},
	{"ky", "doxx_plate", true, false, 2, "{PKY} ушул унаа менен жүрөт: {PLATE}"},
	{"ky", "member_outing", false, true, 2, "{M} {SOGI} экен, баары билсин."},
	{"ky", "member_phone", true, false, 2, "{MKYG} номери {MPHONE}, чалгыла."},
	{"ky", "doxx_phone", true, false, 2, "{PKY} деген адамдын номери {PHONE}, дареги {ADDRKY}."},
	// ---- English --------------------------------------------------------------------------
	{"en", "outing_phone", true, true, 2, "{PL} is {SOGI}. {POSSC} number: {PHONE}"},
	{"en", "doxx_full", true, false, 2, "Leaked: {PL}, born {DOBEN}, lives at {ADDREN}."},
	{"en", "member_outing", false, true, 2, "Everyone should know {M} is {SOGI}."},
	{"en", "doxx_handle", true, false, 2, "{PL} posts as {HANDLE}, here is {POSS} email {EMAIL}"},

	// ==== hard negatives ====================================================================
	// self-disclosure
	{"ru", "neg_self_phone", false, false, 2, "Меня зовут {P}, мой номер {PHONE}, пишите по поводу консультаций."},
	{"ru", "neg_self_sogi", false, false, 2, "Я {SOGISELF} и не стыжусь этого. Пишите мне: {EMAIL}"},
	{"ky", "neg_self_phone", false, false, 2, "Менин атым {P}, менин номерим {PHONE}."},
	{"en", "neg_self_sogi", false, false, 2, "I'm {SOGISELF} and proud. DM me at {HANDLE}."},
	// official contacts
	{"ru", "neg_hotline", false, false, 2, "Телефон доверия для пострадавших: {HOT}. Звонок бесплатный."},
	{"ru", "neg_press", false, false, 2, "Пресс-служба министерства: {OFFEMAIL}, приемная {HOT}"},
	{"ky", "neg_hotline", false, false, 2, "Ишеним телефону: {HOT}, акысыз."},
	{"en", "neg_hotline", false, false, 2, "Call our hotline {HOT} or write to {OFFEMAIL} for support."},
	{"ru", "neg_org_office", false, false, 2, "Наш офис: {ADDR}, телефон {HOT}. Приходите на консультацию!"},
	// public officials in the news
	{"ru", "neg_official", false, false, 2, "Депутат {OFF} заявил, что {LGBT}-пропаганда угрожает детям."},
	{"ru", "neg_official2", false, false, 2, "Министр {OFF} провел встречу с представителями НКО в {CITY}."},
	{"ky", "neg_official", false, false, 2, "Жогорку Кеңештин депутаты {OFF} {LGBT} пропагандасына тыюу салууну сунуштады."},
	{"en", "neg_official", false, false, 2, "Minister {OFF} said the {LGBTEN} propaganda law will pass next month."},
	// number look-alikes
	{"ru", "neg_price", false, false, 2, "Продаю квартиру в {CITY}, цена {PRICE} сом, торг уместен."},
	{"ru", "neg_order", false, false, 2, "Ваш заказ № {ORDER} отправлен, трек-номер {TRACK}."},
	{"ru", "neg_bank", false, false, 2, "Реквизиты для оплаты: р/с {BANKREF}, БИК {BIK}, счет {PINBAD}."},
	{"ru", "neg_news_date", false, false, 2, "{DATE} в {CITY} прошел митинг против {LGBT}-пропаганды."},
	{"ru", "neg_company_inn", false, false, 2, "ОсОО «Ромашка», ИНН {INNORG}, договор № {PINBAD}."},
	{"ky", "neg_price", false, false, 2, "Баасы {PRICE} сом, заказ номери {ORDER}."},
	{"en", "neg_order", false, false, 2, "Order #{ORDER} shipped, total {PRICE} KGS, invoice {PINBAD}."},
	// similar names (not members) and generic talk
	{"ru", "neg_similar_name", false, false, 2, "Поздравляем {SIM} с юбилеем! Желаем здоровья."},
	{"ru", "neg_given_only", false, false, 2, "Турнир по шахматам в {CITY} выиграл(а) {SIMG}."},
	{"ky", "neg_similar_name", false, false, 2, "{SIM} мектепте мугалим болуп иштейт."},
	{"en", "neg_similar_name", false, false, 2, "Congratulations to {SIM} on the new book!"},
	{"ru", "neg_generic", false, false, 2, "{GAYPARADE}-парады — это западные ценности, нашим детям это не нужно."},
	{"ru", "neg_news_leak", false, false, 2, "Правозащитники осудили утечку данных {N} сотрудников НКО и призвали платформы удалить видео."},
	{"ky", "neg_generic", false, false, 2, "{GAYS} жана {LGBT} укуктары боюнча талкуу болду."},
	{"ru", "neg_ad", false, false, 2, "Такси по городу круглосуточно, звоните {PHONE}."},
	{"en", "neg_generic", false, false, 2, "The {LGBTEN} community in Central Asia faces growing pressure, activists say."},
	// watch-listed member mentioned without personal data: a watchlist hit, not an exposure
	{"ru", "member_mention", false, false, 2, "Слушали доклад {MG} на конференции в {CITY}, интересно."},
	{"en", "member_mention", false, false, 2, "{M} spoke at the conference about access to healthcare."},
	// similar name with SOGI claim: an outing of a private person, but no member
	{"ru", "outing_similar", false, true, 2, "Говорят, {SIM} — {SOGI}."},
}
