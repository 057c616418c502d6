package demosite

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/kuzot/kuzot/media/imagegen"
)

// DemoPictures names the pictures the site serves at /media/<name>.png: an ID-card
// mock-up of the invented member m-001 of configs/demo-watchlist.yaml and a screenshot
// of a list of invented people, one of them m-002, with their "orientation" (issue 16).
// They are rendered in memory from media/imagegen at the first request; nothing is read
// from or written to disk.
var DemoPictures = []string{"id_card", "list"}

// The people on the pictures: invented, like every person of the demo.
var (
	cardHolder = imagegen.Person{Given: "Айбек", Family: "Токтосунов", Male: true, Birth: time.Date(1996, 5, 14, 0, 0, 0, 0, time.UTC)}
	listPeople = []imagegen.Person{
		{Given: "Жылдыз", Family: "Демирбаева", Birth: time.Date(1998, 2, 3, 0, 0, 0, 0, time.UTC)},
		{Given: "Нурлан", Family: "Осмонов", Male: true, Birth: time.Date(1993, 11, 21, 0, 0, 0, 0, time.UTC)},
		{Given: "Асель", Family: "Кадырова", Birth: time.Date(2000, 7, 9, 0, 0, 0, 0, time.UTC)},
		{Given: "Бакыт", Family: "Турдубаев", Male: true, Birth: time.Date(1991, 4, 30, 0, 0, 0, 0, time.UTC)},
	}
)

type picturesOnce struct {
	once sync.Once
	png  map[string][]byte
	err  error
}

// pictures renders the demo pictures once.
func (s *Site) pictures() (map[string][]byte, error) {
	p := &s.pics
	p.once.Do(func() {
		fonts, err := imagegen.LoadFonts()
		if err != nil {
			p.err = err
			return
		}
		g := &imagegen.Generator{Fonts: fonts, Seed: uint64(s.opt.Seed), Now: s.opt.Epoch}
		card, _ := g.IDCardOf("demo-id-card", cardHolder, "ky")
		list, _ := g.ListOf("demo-list", listPeople, "ru")
		p.png = map[string][]byte{}
		for name, img := range map[string]*image.RGBA{"id_card": card, "list": list} {
			var b bytes.Buffer
			if err := png.Encode(&b, img); err != nil {
				p.err = fmt.Errorf("demo picture %s: %w", name, err)
				return
			}
			p.png[name] = b.Bytes()
		}
	})
	return p.png, p.err
}

// media serves /media/<name>.png.
func (s *Site) media(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutSuffix(r.PathValue("file"), ".png")
	pics, err := s.pictures()
	if err != nil {
		http.Error(w, "pictures unavailable: "+err.Error(), http.StatusInternalServerError)
		return
	}
	data, found := pics[name]
	if !ok || !found {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write(data)
}

// origin is the scheme and host the request reached the site at, for absolute links
// to the site's own files.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
