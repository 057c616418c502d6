package main

import "testing"

func TestHasFlag(t *testing.T) {
	tests := []struct {
		args []string
		name string
		want bool
	}{
		{[]string{"--labels", "--config", "x"}, "labels", true},
		{[]string{"-labels"}, "labels", true},
		{[]string{"--labels=true"}, "labels", true},
		{[]string{"--labels=false"}, "labels", false},
		{[]string{"-labels=0"}, "labels", false},
		{[]string{"--out", "labels"}, "labels", false},
		{[]string{"--labels-file", "x"}, "labels", false},
		{[]string{"--out", "m.model"}, "labels", false},
		{[]string{"--", "--labels"}, "labels", false},
		{[]string{"--model", "x", "--against", "current"}, "against", true},
		{nil, "against", false},
	}
	for _, tc := range tests {
		if got := hasFlag(tc.args, tc.name); got != tc.want {
			t.Errorf("hasFlag(%q, %q) = %v, want %v", tc.args, tc.name, got, tc.want)
		}
	}
}
