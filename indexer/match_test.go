package indexer

import (
	"context"
	"slices"
	"testing"
)

// A Matcher finds exactly the paragraphs Search finds, in the same order,
// and makes the same snippets: over the shipped corpus, for words, stems,
// acronyms and their expansions, phrases, boolean queries, prefixes, fuzzy
// words, fields, facet filters (one and several values) and dates. Search
// is read page by page.
func TestMatcherAgreesWithSearch(t *testing.T) {
	x := shippedIndex(t)
	ctx := context.Background()
	reqs := []Request{
		{Query: "OPCON"}, {Query: "operational control"}, {Query: `"operational control"`},
		{Query: "North Korea"}, {Query: "DPRK"}, {Query: "cooperation"}, {Query: "COOPERATION"},
		{Query: "deter*"}, {Query: "deterence~"}, {Query: "+deterrence -nuclear"},
		{Query: "(submarine OR deterrence) AND alliance"}, {Query: "NOT alliance"},
		{Query: "speaker:Austin"}, {Query: "topic:(OPCON OR NCG)"}, {Query: "the"}, {Query: "zebra"},
		{Query: "security", Filters: map[string][]string{"series": {"KIDD", "SCM"}}},
		{Query: "alliance", Filters: map[string][]string{"series": {"SCM"}, "year": {"2024"}}},
		{Query: "", Filters: map[string][]string{"year": {"2024"}}},
		{Query: "alliance", From: "2024-01-01", To: "2024-06-30"},
		{Query: "", From: "2024-01-01"},
	}
	for _, req := range reqs {
		m, err := x.NewMatcher(req)
		if err != nil {
			t.Fatalf("%+v: %v", req, err)
		}
		got, err := m.Match(ctx)
		if err != nil {
			t.Fatalf("%+v: %v", req, err)
		}
		var want []Hit
		r := req
		r.NoFacets, r.NoSuggest, r.Size = true, true, 9
		for r.Page = 1; ; r.Page++ {
			res, err := x.Search(ctx, r)
			if err != nil {
				t.Fatalf("%+v: %v", r, err)
			}
			want = append(want, res.Hits...)
			if len(res.Hits) == 0 || uint64(len(want)) >= res.Total {
				break
			}
		}
		gotIDs := make([]string, len(got))
		for i, g := range got {
			gotIDs[i] = g.ID
		}
		wantIDs := make([]string, len(want))
		for i, h := range want {
			wantIDs[i] = h.ID
		}
		if !slices.Equal(gotIDs, wantIDs) {
			t.Errorf("%+v:\nmatcher %v\nsearch  %v", req, gotIDs, wantIDs)
			continue
		}
		for _, h := range want {
			snip, exps := m.Snippet(h.Text)
			if snip != h.SnippetHTML || !slices.Equal(exps, h.Expansions) {
				t.Errorf("%+v %s: snippet %q %v, search %q %v", req, h.ID, snip, exps, h.SnippetHTML, h.Expansions)
			}
			// The whole text's marks are the snippet's.
			spans, exps := m.Highlight(h.Text)
			if snip := snippet(h.Text, spans); snip != h.SnippetHTML || !slices.Equal(exps, h.Expansions) {
				t.Errorf("%+v %s: highlight %q %v, search %q %v", req, h.ID, snip, exps, h.SnippetHTML, h.Expansions)
			}
		}
	}
	if _, err := x.NewMatcher(Request{Query: `"unclosed`}); err == nil {
		t.Error("a syntax error compiled")
	}
}

// Request.Record restricts a search to one record: its hits are exactly the
// record's among the unrestricted ones.
func TestRequestRecord(t *testing.T) {
	x := shippedIndex(t)
	ctx := context.Background()
	for _, q := range []string{"OPCON", "deterrence", "NOT alliance", ""} {
		all, err := x.Search(ctx, Request{Query: q, Size: MaxPageSize, NoSuggest: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(all.Hits) == 0 {
			t.Fatalf("%q: no hits", q)
		}
		rec := all.Hits[0].RecordID
		want, err := x.Search(ctx, Request{Query: q, Size: MaxPageSize, NoSuggest: true, Sort: SortDateAsc})
		if err != nil {
			t.Fatal(err)
		}
		var wantIDs []string
		for r := want; ; {
			for _, h := range r.Hits {
				if h.RecordID == rec {
					wantIDs = append(wantIDs, h.ID)
				}
			}
			if len(r.Hits) < MaxPageSize {
				break
			}
			next := r.Hits[len(r.Hits)-1].SortKeys
			if r, err = x.Search(ctx, Request{Query: q, Size: MaxPageSize, NoSuggest: true, Sort: SortDateAsc, After: next}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := x.Search(ctx, Request{Query: q, Record: rec, Size: MaxPageSize, Sort: SortDateAsc})
		if err != nil {
			t.Fatal(err)
		}
		var gotIDs []string
		for _, h := range got.Hits {
			gotIDs = append(gotIDs, h.ID)
		}
		if !slices.Equal(gotIDs, wantIDs) || got.Total != uint64(len(wantIDs)) {
			t.Errorf("%q in %s: %d hits %v, want %v", q, rec, got.Total, gotIDs, wantIDs)
		}
	}
}
