package indexer

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"dialoguesearch/corpus"
)

// TestDateRange: a from..to range keeps exactly the paragraphs of the days
// within it, both ends included, undated ones never; sorting by date puts
// the days in order and the undated last, both ways; the hit shows its
// record's date. On every path: the bitmap path (relevance), bleve's (date
// order, a record), browsing, a facet filter, the Matcher, the suggestion;
// on an index of several segments, with ranges of more days than bleve's
// clause limit.
func TestDateRange(t *testing.T) {
	x, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	ctx := context.Background()
	dated := map[string]corpus.Date{} // paragraph id -> date
	var recs []*corpus.Record
	add := func(id string, d corpus.Date, series string, texts ...string) {
		r := rec(id, d, texts...)
		r.Meeting.Series = series
		recs = append(recs, r)
		for _, p := range r.Paragraphs {
			dated[corpus.ParagraphID(r.ID, p.N)] = d
		}
	}
	// The boundary days and their neighbours, twice over, and none.
	for i, d := range []corpus.Date{"2023-12-31", "2024-01-01", "2024-01-02", "2024-01-30", "2024-01-31", "2024-02-01", ""} {
		add(fmt.Sprintf("edge%d", i), d, "SCM", "the alliance stands", "the alliance and deterrence")
		add(fmt.Sprintf("edgk%d", i), d, "KIDD", "the alliance again")
	}
	// More days than bleve's clause limit (1,024), one record each.
	day := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 1100; i++ {
		add(fmt.Sprintf("day%04d", i), corpus.Date(day.AddDate(0, 0, i).Format(time.DateOnly)), "SCM", "the alliance of the day")
	}
	// Three batches: three segments at least.
	third := len(recs) / 3
	for _, part := range [][]*corpus.Record{recs[:third], recs[third : 2*third], recs[2*third:]} {
		if _, err := x.Upsert(ctx, part); err != nil {
			t.Fatal(err)
		}
	}

	within := func(d corpus.Date, from, to string) bool {
		return d != "" && (from == "" || string(d) >= from) && (to == "" || string(d) <= to)
	}
	ranges := [][2]string{
		{"2024-01-01", "2024-01-31"},
		{"2024-01-02", "2024-01-30"},
		{"2024-01-31", "2024-01-31"},
		{"2024-01-01", ""},
		{"", "2023-12-31"},
		{"2000-01-01", "2024-12-31"}, // 1,106 days
		{"1999-01-01", "1999-12-31"}, // none
	}
	for _, r := range ranges {
		from, to := r[0], r[1]
		want := map[string]bool{}
		for id, d := range dated {
			if within(d, from, to) {
				want[id] = true
			}
		}
		reqs := []Request{
			{Query: "alliance", From: from, To: to, Size: MaxPageSize},
			{Query: "alliance", From: from, To: to, Size: MaxPageSize, Sort: SortDateAsc},
			{Query: "alliance", From: from, To: to, Size: MaxPageSize, Sort: SortDateDesc},
			{From: from, To: to, Size: MaxPageSize},
		}
		for _, req := range reqs {
			res, err := x.Search(ctx, req)
			if err != nil {
				t.Fatalf("%+v: %v", req, err)
			}
			if int(res.Total) != len(want) {
				t.Errorf("%+v: total %d, want %d", req, res.Total, len(want))
			}
			var years int
			for _, fv := range res.Facets["year"] {
				years += fv.Count
			}
			if years != len(want) {
				t.Errorf("%+v: year facet counts %d, want %d", req, years, len(want))
			}
			for _, h := range res.Hits {
				if !want[h.ID] {
					t.Errorf("%+v: hit %s of %q", req, h.ID, h.Date)
				}
				if h.Date != dated[h.ID] {
					t.Errorf("%+v: hit %s shows date %q, want %q", req, h.ID, h.Date, dated[h.ID])
				}
			}
			if len(res.Hits) < min(len(want), MaxPageSize) {
				t.Errorf("%+v: %d hits of %d", req, len(res.Hits), len(want))
			}
		}
		// A facet filter, on the bitmap path: the range and the filter.
		res, err := x.Search(ctx, Request{Query: "alliance", From: from, To: to, Filters: map[string][]string{"series": {"KIDD"}}, Size: MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for id := range want {
			if id[:4] == "edgk" {
				n++
			}
		}
		if int(res.Total) != n {
			t.Errorf("%s..%s, KIDD: total %d, want %d", from, to, res.Total, n)
		}
		for _, fv := range res.Facets["series"] {
			if fv.Value == "SCM" && fv.Count != len(want)-n {
				t.Errorf("%s..%s, KIDD: SCM counted %d, want %d", from, to, fv.Count, len(want)-n)
			}
		}
		// The Matcher (alerts), restricted to a record and not.
		for _, req := range []Request{{Query: "alliance", From: from, To: to}, {From: from, To: to}, {Query: "deterrence", From: from, To: to, Record: "edge1"}} {
			m, err := x.NewMatcher(req)
			if err != nil {
				t.Fatal(err)
			}
			ids, err := m.Match(ctx)
			if err != nil {
				t.Fatalf("%+v: %v", req, err)
			}
			wantN := 0
			for id := range want {
				if req.Record == "" || id == corpus.ParagraphID(req.Record, 2) {
					wantN++
				}
			}
			if len(ids) != wantN {
				t.Errorf("Matcher %+v: %d matches, want %d", req, len(ids), wantN)
			}
			for _, id := range ids {
				if !want[id.ID] {
					t.Errorf("Matcher %+v: %s of %q", req, id.ID, dated[id.ID])
				}
			}
		}
	}

	// The suggestion is checked within the range.
	res, err := x.Search(ctx, Request{Query: "alliamce", From: "2024-01-01", To: "2024-01-31"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Suggestion == nil || *res.Suggestion != "alliance" {
		t.Errorf("alliamce in range: suggestion %v", res.Suggestion)
	}
	res, err = x.Search(ctx, Request{Query: "alliamce", From: "1999-01-01", To: "1999-12-31"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Suggestion != nil {
		t.Errorf("alliamce in an empty range: suggestion %q", *res.Suggestion)
	}

	// Date order, both ways: the days in order, the undated last.
	for _, s := range []string{SortDateAsc, SortDateDesc} {
		var got []corpus.Date
		var after []string
		for {
			res, err := x.Search(ctx, Request{Query: "alliance", Sort: s, Size: MaxPageSize, After: after, NoFacets: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Hits) == 0 {
				break
			}
			for _, h := range res.Hits {
				got = append(got, h.Date)
			}
			after = res.Hits[len(res.Hits)-1].SortKeys
		}
		if len(got) != len(dated) {
			t.Fatalf("sort %s: %d hits, want %d", s, len(got), len(dated))
		}
		undated := slices.Index(got, "")
		if undated < 0 || slices.ContainsFunc(got[undated:], func(d corpus.Date) bool { return d != "" }) {
			t.Errorf("sort %s: undated paragraphs not last", s)
		}
		days := got[:undated]
		ok := slices.IsSorted(days)
		if s == SortDateDesc {
			ok = slices.IsSortedFunc(days, func(a, b corpus.Date) int { return -cmpDate(a, b) })
		}
		if !ok {
			t.Errorf("sort %s: days out of order: %v ...", s, days[:10])
		}
	}
}

func cmpDate(a, b corpus.Date) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
