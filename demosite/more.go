package demosite

// routesMore registers the Telegram, YouTube, VK and forum pages.
func (s *Site) routesMore() {
	s.mux.HandleFunc("GET /s/{channel}", s.telegramPreview)
	s.mux.HandleFunc("GET /{channel}", s.telegramPlain)
}
