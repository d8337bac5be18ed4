package main

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"dialoguesearch/corpus"
	"dialoguesearch/indexer/synth"
)

func TestQueryMix(t *testing.T) {
	v := synth.Default()
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
				if len(alt) == 1 && v.Stop[alt[0]] {
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

// TestRecordFilesParseBack: the record files of the ready benchmark parse
// as real records do: one record per file with its date, kind, two
// principals and every paragraph (after the opening one that names the
// principals). The meeting, and a paragraph here and there, are the
// parser's call: the text copies runs of real records, web noise and
// meeting names included.
func TestRecordFilesParseBack(t *testing.T) {
	recs := synth.Default().Generate(600, 7)
	dir := t.TempDir()
	if err := writeRecordFiles(dir, recs); err != nil {
		t.Fatal(err)
	}
	got, problems := corpus.Load(os.DirFS(dir))
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	if len(got) != len(recs) {
		t.Fatalf("%d records parsed from %d files", len(got), len(recs))
	}
	bySource := map[string]*corpus.Record{}
	for _, r := range got {
		bySource[filepath.Base(r.Source)] = r
	}
	wrote, parsed := 0, 0
	for _, want := range recs {
		r := bySource[recordFileName(want)]
		if r == nil {
			t.Fatalf("%s (%s) not parsed back", want.ID, recordFileName(want))
		}
		if r.Date != want.Date || r.Kind != want.Kind || len(r.Principals) != 2 {
			t.Fatalf("%s parsed as %s, kind %q, principals %v; want %s, %q", recordFileName(want), r.Date, r.Kind, r.Principals, want.Date, want.Kind)
		}
		wrote += len(want.Paragraphs) + 1
		parsed += len(r.Paragraphs)
	}
	if parsed < wrote*95/100 || parsed > wrote {
		t.Errorf("%d paragraphs parsed back of %d written", parsed, wrote)
	}
}
