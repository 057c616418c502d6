package demosite

// routesMore registers the Telegram, YouTube, VK and forum pages.
func (s *Site) routesMore() {}
