package indexer

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"dialoguesearch/corpus"
	"dialoguesearch/indexer/synth"
)

// bleveCounts answers req the slow way, with bleve's own facet builder over
// doc values and one facet-only search per selected facet: the reference
// the column counting (facets.go) must agree with.
func bleveCounts(t *testing.T, x *Index, req Request) (uint64, map[string]map[string]int) {
	t.Helper()
	p, err := x.plan(req)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]int{}
	var total uint64
	for _, skip := range append([]string{""}, FacetNames...) {
		if _, selected := p.filters[skip]; skip != "" && !selected {
			continue
		}
		sr := bleve.NewSearchRequestOptions(p.query(skip), 0, 0, false)
		for _, name := range FacetNames {
			_, selected := p.filters[name]
			if skip == "" && !selected || skip == name {
				sr.AddFacet(name, bleve.NewFacetRequest(name, 10000))
			}
		}
		res, err := x.bi.Search(sr)
		if err != nil {
			t.Fatal(err)
		}
		if skip == "" {
			total = res.Total
		}
		for name, fr := range res.Facets {
			m := map[string]int{}
			for _, tf := range fr.Terms.Terms() {
				m[tf.Term] = tf.Count
			}
			out[name] = m
		}
	}
	return total, out
}

func TestFacetColumnsAgreeWithBleve(t *testing.T) {
	x, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	ctx := context.Background()
	recs := synth.Generate(3000, 7)
	// Several updates make several segments; the last removes records, so
	// deleted documents are in the segments too.
	third := len(recs) / 3
	for _, part := range [][]*corpus.Record{recs[:third], recs[third : 2*third], recs[2*third:]} {
		if _, err := x.Upsert(ctx, part); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := x.Sync(ctx, recs[5:len(recs)-5], nil); err != nil {
		t.Fatal(err)
	}
	some := func(f string, n int) []string {
		var vs []string
		for _, v := range x.fieldValues(f) {
			if len(vs) < n {
				vs = append(vs, v)
			}
		}
		return vs
	}
	reqs := []Request{
		{Query: "deterrence"},
		{Query: "extended deterrence"},
		{Query: `"extended deterrence"`},
		{Query: "OPCON"},
		{Query: "alliance OR peninsula"},
		{Query: "alliance -security"},
		{},
		{Query: "alliance", Filters: map[string][]string{"series": some(fSeries, 1)}},
		{Query: "alliance", Filters: map[string][]string{"year": some(fYear, 3)}},
		{Query: "alliance", Filters: map[string][]string{"topic": some(fTopic, 2), "speaker": some(fSpeaker, 2)}},
		{Query: "security", Filters: map[string][]string{"topic": some(fTopic, 1), "series": some(fSeries, 2), "side": some(fSide, 1)}},
		{Query: "security", Filters: map[string][]string{"meeting": {"no such meeting"}}},
		{Query: "security", From: "2010-01-01", To: "2015-12-31", Filters: map[string][]string{"kind": some(fKind, 1)}},
		{Filters: map[string][]string{"location": some(fLocation, 1)}},
	}
	for i, req := range reqs {
		t.Run(fmt.Sprint(i, " ", req.Query), func(t *testing.T) {
			wantTotal, wantFacets := bleveCounts(t, x, req)
			req.Size = 10
			res, err := x.Search(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != wantTotal {
				t.Errorf("total %d, bleve says %d", res.Total, wantTotal)
			}
			if int(res.Total) < len(res.Hits) || wantTotal > 0 && len(res.Hits) == 0 {
				t.Errorf("%d hits of %d", len(res.Hits), res.Total)
			}
			// The records of the matches, and the matches of each record
			// on the page, as bleve's facet on the record id counts them.
			p, _ := x.plan(req)
			sr := bleve.NewSearchRequestOptions(p.query(""), 0, 0, false)
			sr.AddFacet("r", bleve.NewFacetRequest(fRecordID, 100000))
			br, err := x.bi.Search(sr)
			if err != nil {
				t.Fatal(err)
			}
			perRecord := map[string]int{}
			for _, tf := range br.Facets["r"].Terms.Terms() {
				perRecord[tf.Term] = tf.Count
			}
			if res.Records != len(perRecord) {
				t.Errorf("records %d, bleve says %d", res.Records, len(perRecord))
			}
			for _, h := range res.Hits {
				if got, want := res.RecordMatches[h.RecordID], perRecord[h.RecordID]; got != want || got == 0 {
					t.Errorf("matches in record %s: %d, bleve says %d", h.RecordID, got, want)
				}
			}
			for _, name := range FacetNames {
				got := map[string]int{}
				for _, v := range res.Facets[name] {
					if v.Count > 0 {
						got[v.Value] = v.Count
					}
				}
				want := wantFacets[name]
				n := 0
				for v, c := range want {
					if len(want) <= facetSize && got[v] != c {
						t.Errorf("facet %s=%s: %d, bleve says %d", name, v, got[v], c)
					}
					n++
				}
				for v, c := range got {
					if want[v] != c {
						t.Errorf("facet %s=%s: %d, bleve says %d", name, v, c, want[v])
					}
				}
			}
			for _, h := range res.Hits {
				for name, vals := range req.Filters {
					if name == fSeries && !contains(vals, h.Meeting.Series) {
						t.Errorf("hit %s of series %s, filter %q", h.ID, h.Meeting.Series, vals)
					}
				}
			}
		})
	}
}

func contains(vs []string, v string) bool {
	for _, x := range vs {
		if x == v {
			return true
		}
	}
	return false
}

func TestTopValues(t *testing.T) {
	var vals []FacetValue
	for i := range 300 {
		vals = append(vals, FacetValue{Value: fmt.Sprintf("v%03d", i), Count: (i * 37) % 101})
	}
	byCount := func(a, b FacetValue) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Value, b.Value)
	}
	want := slices.Clone(vals)
	slices.SortFunc(want, byCount)
	got := topValues(slices.Clone(vals), 50, byCount)
	if !slices.Equal(got, want[:50]) {
		t.Errorf("top 50 = %v, want %v", got, want[:50])
	}
	if got := topValues(slices.Clone(vals[:10]), 50, byCount); len(got) != 10 {
		t.Errorf("top 50 of 10 = %d values", len(got))
	}
}
