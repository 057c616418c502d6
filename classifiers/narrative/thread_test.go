package narrative

import (
	"context"
	"testing"

	"github.com/kuzot/kuzot/post"
)

// Unit cases for judging a comment in its thread (issue 17), written for this test (they
// are not evaluation data; the labelled thread set is corpus/threads.jsonl).
func TestClassifyInThread(t *testing.T) {
	c, err := New(Config{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	const (
		gayWedding = "Video: a gay couple got married in Almaty"
		pride      = "Бишкекте прайд өттү"
		gayAction  = "Геи провели акцию в центре Бишкека"
		hateRoot   = "Gays are a disease, burn them all"
		hateRootRu = "Позор! Геи опять устроили шествие"
		transStory = "Video: a trans woman tells her story"
		bribes     = "City officials caught taking bribes again"
		weather    = "Погода: завтра в Бишкеке дождь"
	)
	tests := []struct {
		name, text, context string
		want                bool
		thread              string
	}{
		{"unnamed target under an LGBT root", "Burn them all", gayWedding, true, ThreadImplicitTarget},
		{"Kyrgyz: unnamed target under a pride post", "Алардын баарын кууш керек", pride, true, ThreadImplicitTarget},
		{"Russian: таких under an LGBT root", "Таких надо гнать из страны", gayAction, true, ThreadImplicitTarget},
		{"support under a hateful root", "Stay strong, you are not alone ❤️", hateRoot, false, ""},
		{"Russian support under a hateful root", "Мы с вами, не сдавайтесь", hateRootRu, false, ""},
		{"neutral under a trans story", "Great video, thanks", transStory, false, ""},
		{"the same words under a root about something else", "Burn them all", bribes, false, ThreadOtherTopic},
		{"an own target under a root about something else", "Геи — больные люди, их надо лечить", weather, true, ""},
		{"no context: judged as a post", "Геи — больные люди, их надо лечить", "", true, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := c.ClassifyInThread(tc.text, tc.context)
			if r.Homophobic != tc.want || r.Thread != tc.thread {
				t.Fatalf("%q under %q: homophobic %v (score %.2f), thread %q; want %v, %q", tc.text, tc.context, r.Homophobic, r.Prob,
					r.Thread, tc.want, tc.thread)
			}
			for _, e := range r.Evidence {
				if e.End > len(tc.text) || tc.text[e.Start:e.End] != e.Text {
					t.Fatalf("evidence %+v is not in the comment", e)
				}
			}
			// The pipeline's entry point reads post.Context the same way.
			res, err := c.Classify(context.Background(), &post.Post{ID: "c:1", Text: tc.text, Context: tc.context})
			if err != nil || res.Flagged() != tc.want {
				t.Fatalf("Classify with Context: %v %v", res.Flagged(), err)
			}
		})
	}
	// A comment with no pointing or hostile words of its own is judged as without its
	// thread, however hateful the root.
	for _, text := range []string{"ok", "first!", "Interesting"} {
		if r := c.ClassifyInThread(text, hateRoot); r.Homophobic != c.ClassifyText(text).Homophobic || r.Thread != "" {
			t.Fatalf("%q under a hateful root: %v %q", text, r.Homophobic, r.Thread)
		}
	}
	// The context changes the verdict on a comment whose target is only in the root.
	if c.ClassifyText("Таких надо гнать из страны").Homophobic {
		t.Fatal("the unit case does not need its context")
	}
}

func TestHasTopicPhrase(t *testing.T) {
	for text, want := range map[string]bool{
		"Pride march in Osh cancelled":      true,
		"Бишкекте ПРАЙД өттү":               true,
		"Посольство вывесило радужный флаг": true,
		"Национальная гордость и спорт":     false,
		"A proud moment for the team":       false,
		"Spride festival":                   false,
		"":                                  false,
	} {
		if got := hasTopicPhrase(text); got != want {
			t.Errorf("hasTopicPhrase(%q) = %v, want %v", text, got, want)
		}
	}
}
