package registry

import (
	"slices"
	"testing"
)

func TestMap(t *testing.T) {
	r := New[int]("test")
	r.Add("b", 2)
	r.Add("a", 1)
	if got := r.Names(); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("names %v", got)
	}
	if v, ok := r.Get("b"); !ok || v != 2 {
		t.Fatalf("get b = %v %v", v, ok)
	}
	if _, ok := r.Get("c"); ok {
		t.Fatal("get c found something")
	}
	defer func() {
		if p := recover(); p != "test: registered twice: a" {
			t.Fatalf("duplicate: panic %v", p)
		}
	}()
	r.Add("a", 3)
}
