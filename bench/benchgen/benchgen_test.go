package main

import (
	"reflect"
	"strings"
	"testing"

	"dialoguesearch/corpus"
)

func testVocab(t *testing.T) *vocab {
	t.Helper()
	v, err := loadVocab(corpus.Default())
	if err != nil {
		t.Fatal(err)
	}
	if len(v.words) < 500 {
		t.Fatalf("vocabulary of %d words from the shipped records", len(v.words))
	}
	return v
}

func TestGenerateIsDeterministicAndShaped(t *testing.T) {
	v := testVocab(t)
	a, b := Generate(v, 3000, 7), Generate(v, 3000, 7)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs with the same seed differ")
	}
	if c := Generate(v, 3000, 8); reflect.DeepEqual(a, c) {
		t.Fatal("another seed gives the same corpus")
	}
	n, ids := 0, map[string]bool{}
	years, series := map[int]bool{}, map[string]bool{}
	for _, r := range a {
		if ids[r.ID] {
			t.Fatalf("duplicate record id %s", r.ID)
		}
		ids[r.ID] = true
		years[r.Date.Year()] = true
		series[r.Meeting.Series] = true
		for i, p := range r.Paragraphs {
			n++
			if p.N != i+1 {
				t.Fatalf("%s: paragraph %d has N %d", r.ID, i+1, p.N)
			}
			if w := len(strings.Fields(p.Text)); w < 40 || w > 120 {
				t.Fatalf("%s-p%d has %d words", r.ID, p.N, w)
			}
			if len(p.Speakers) != len(p.Sides) {
				t.Fatalf("%s-p%d: speakers %v sides %v", r.ID, p.N, p.Speakers, p.Sides)
			}
		}
	}
	if n != 3000 {
		t.Fatalf("%d paragraphs, want 3000", n)
	}
	if len(years) < 20 || len(series) < 5 {
		t.Errorf("metadata spread: %d years, %d series", len(years), len(series))
	}
}

func TestQueryMix(t *testing.T) {
	v := testVocab(t)
	qs := Queries(v, 7)
	if len(qs) != 1000 {
		t.Fatalf("%d queries, want 1000", len(qs))
	}
	if !reflect.DeepEqual(qs, Queries(v, 7)) {
		t.Fatal("the mix is not deterministic")
	}
	class := map[string]int{}
	has := map[string]bool{}
	for i, q := range qs {
		if q.ID != i+1 {
			t.Fatalf("query %d has id %d", i+1, q.ID)
		}
		class[q.Class]++
		has[q.Q] = true
		for _, c := range q.Clauses {
			for _, alt := range c.Any {
				if len(alt) == 1 && v.stop[alt[0]] {
					t.Errorf("query %d %q: stop word %q as a term", q.ID, q.Q, alt[0])
				}
			}
		}
		if q.Class == "drilldown" && len(q.Filters) == 0 {
			t.Errorf("drill-down %d without filters", q.ID)
		}
	}
	for _, c := range []string{"frequent", "mid", "rare", "pair", "phrase", "acronym", "boolean", "field", "drilldown"} {
		if class[c] < 50 {
			t.Errorf("class %s has %d queries", c, class[c])
		}
	}
	for _, q := range []string{`"extended deterrence"`, "OPCON"} {
		if !has[q] {
			t.Errorf("the mix lacks %s", q)
		}
	}
}
