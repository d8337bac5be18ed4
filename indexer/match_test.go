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
		}
	}
	if _, err := x.NewMatcher(Request{Query: `"unclosed`}); err == nil {
		t.Error("a syntax error compiled")
	}
}
