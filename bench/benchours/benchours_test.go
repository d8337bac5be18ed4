package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dialoguesearch/bench/internal/mix"
	"dialoguesearch/corpus"
)

// TestBuildAndQueryWriteARun runs the in-process runner on a tiny corpus:
// the build is recorded, every query of the mix has an answer, and the
// answers are right for queries a reader can check.
func TestBuildAndQueryWriteARun(t *testing.T) {
	out := t.TempDir()
	recs := []*corpus.Record{
		{ID: "r1", Title: "55th SCM Joint Communiqué", Kind: corpus.KindJointCommunique, Date: "2023-11-13",
			Meeting: corpus.Meeting{Series: "SCM", Number: 55, Name: "55th SCM"}, Location: "Seoul",
			Paragraphs: []corpus.Paragraph{
				{N: 1, Text: "The two sides reaffirmed extended deterrence against the regime.", Topics: []string{"extended deterrence"}},
				{N: 2, Text: "Cyber cooperation expanded between the ministries this year."},
			}},
		{ID: "r2", Title: "24th KIDD Joint Press Statement", Kind: corpus.KindJointPressStatement, Date: "2024-04-11",
			Meeting: corpus.Meeting{Series: "KIDD", Number: 24, Name: "24th KIDD"}, Location: "Washington, D.C.",
			Paragraphs: []corpus.Paragraph{
				{N: 1, Text: "Both sides discussed deterrence posture and space cooperation."},
			}},
	}
	var b strings.Builder
	for _, r := range recs {
		j, _ := json.Marshal(r)
		b.Write(j)
		b.WriteByte('\n')
	}
	qs := []mix.Query{
		{ID: 1, Class: "frequent", Q: "cooperation"},
		{ID: 2, Class: "phrase", Q: `"extended deterrence"`},
		{ID: 3, Class: "drilldown", Q: "deterrence", Filters: map[string][]string{"series": {"KIDD"}}},
	}
	var qj strings.Builder
	for _, q := range qs {
		j, _ := json.Marshal(q)
		qj.Write(j)
		qj.WriteByte('\n')
	}
	if err := os.WriteFile(filepath.Join(out, "records-3.jsonl"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "queries.jsonl"), []byte(qj.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(out, "ours-3")
	if err := build(out, dir, 3, "", filepath.Join(out, "heap.pprof")); err != nil {
		t.Fatal(err)
	}
	if err := query(out, dir, 3, 2, filepath.Join(out, "q.pprof"), ""); err != nil {
		t.Fatal(err)
	}
	r, err := mix.ReadRun(filepath.Join(out, "ours-3.json"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Paragraphs != 3 || r.BuildSeconds <= 0 || r.SizeBytes <= 0 || r.PeakRSSBytes <= 0 {
		t.Errorf("index figures: %+v", r)
	}
	if len(r.Reps) != 2 || len(r.Micros[0]) != len(qs) {
		t.Errorf("%d reps of %d queries", len(r.Reps), len(r.Micros[0]))
	}
	want := map[int]int64{1: 2, 2: 1, 3: 1}
	for _, o := range r.Outcomes {
		if o.Error != "" {
			t.Errorf("query %d: %s", o.ID, o.Error)
		}
		if o.Total != want[o.ID] || len(o.Hits) != int(want[o.ID]) {
			t.Errorf("query %d: total %d, %d hits; want %d", o.ID, o.Total, len(o.Hits), want[o.ID])
		}
	}
	// Disjunctive: the series counts of query 3 ignore its own series filter.
	if got := r.Outcomes[2].Facets["series"]; got["SCM"] != 1 || got["KIDD"] != 1 {
		t.Errorf("query 3 series counts %v, want SCM 1 and KIDD 1", got)
	}
	if fi, err := os.Stat(filepath.Join(out, "q.pprof")); err != nil || fi.Size() == 0 {
		t.Errorf("no CPU profile written: %v", err)
	}
}
