package demosite

// routesMore registers the Telegram, YouTube, VK and forum pages.
func (s *Site) routesMore() {
	s.mux.HandleFunc("GET /s/{channel}", s.telegramPreview)
	s.mux.HandleFunc("GET /{channel}", s.telegramPlain)
	s.mux.HandleFunc("POST "+DiscussionAPIPath, s.telegramDiscussionAPI)
	s.mux.HandleFunc("GET /channel/{id}/videos", s.youtubeChannelVideos)
	s.mux.HandleFunc("GET /watch", s.youtubeWatch)
	s.mux.HandleFunc("GET /api/timedtext", s.youtubeTimedText)
	s.mux.HandleFunc("GET /youtube/v3/{method}", s.youtubeAPI)
	s.mux.HandleFunc("GET /method/{method}", s.vkMethod)
	s.mux.HandleFunc("GET /forum/thread/{id}", s.forumThread)
	s.mux.HandleFunc("GET /forum-cp1251/thread/{id}", s.forumThread)
}
