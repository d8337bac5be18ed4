package synth

import (
	"reflect"
	"strings"
	"testing"
)

func TestGenerateDeterministicAndShaped(t *testing.T) {
	a := Generate(500, 1)
	b := Generate(500, 1)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same n and seed gave different records")
	}
	if c := Generate(500, 2); reflect.DeepEqual(a, c) {
		t.Fatal("different seeds gave the same records")
	}
	paras, years, series := 0, map[int]bool{}, map[string]bool{}
	ids := map[string]bool{}
	for _, r := range a {
		if ids[r.ID] {
			t.Fatalf("duplicate record id %s", r.ID)
		}
		ids[r.ID] = true
		years[r.Date.Year()] = true
		series[r.Meeting.Series] = true
		for _, p := range r.Paragraphs {
			paras++
			n := len(strings.Fields(p.Text))
			if n < MinWords || n > MaxWords {
				t.Errorf("%s p%d has %d words", r.ID, p.N, n)
			}
		}
	}
	if paras != 500 {
		t.Errorf("paragraphs = %d, want 500", paras)
	}
	if len(years) < 5 || len(series) < 4 {
		t.Errorf("metadata not spread: %d years, %d series", len(years), len(series))
	}
}
