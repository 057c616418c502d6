package web

import "testing"

// TestSafeNextRefusesOffsiteRedirects feeds the login redirect target with the strings
// an attacker would put in /login?next=… to send a freshly logged-in user to another
// site (issue 19, item 6); every one must come back as "/".
func TestSafeNextRefusesOffsiteRedirects(t *testing.T) {
	for _, attack := range []string{
		"/\t/evil.example",
		"/\n/evil.example",
		"/\r/evil.example",
		"/\x00/evil.example",
		"/\x7f/evil.example",
		"/\u0085/evil.example",
		"//evil.example",
		"///evil.example",
		"/\\evil.example",
		"\\\\evil.example",
		"/\\/evil.example",
		"/%2F/evil.example",
		"/%2f%2fevil.example/",
		"/%5Cevil.example",
		"https://evil.example/",
		"http:/evil.example",
		"javascript:alert(1)",
		"evil.example",
		" /incidents",
		"\t//evil.example",
		"",
		"/" + string([]byte{0xff}) + "/evil.example",
		"/" + string(make([]byte, 600)),
	} {
		if got := safeNext(attack); got != "/" {
			t.Errorf("safeNext(%q) = %q, want /", attack, got)
		}
	}
	for _, ok := range []string{"/", "/incidents", "/incidents/inc-1?status=open", "/explorer?q=%D0%BD%D0%BA%D0%BE&frame=foreign_agent",
		"/posts/rss:https%3A%2F%2Fnews.example%2Fa", "/clusters/c1#top"} {
		if got := safeNext(ok); got != ok {
			t.Errorf("safeNext(%q) = %q, want it kept", ok, got)
		}
	}
}
