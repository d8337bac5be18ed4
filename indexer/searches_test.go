package indexer

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"dialoguesearch/corpus"
)

// searchCase is one entry of testdata/searches.json: a request and what the
// answer must show.
type searchCase struct {
	Name    string  `json:"name"`
	Request Request `json:"request"`
	// ids: exactly these hits in this order; ids_any_order: exactly these;
	// contains / excludes: among the hits or not.
	IDs         []string `json:"ids"`
	IDsAnyOrder []string `json:"ids_any_order"`
	Contains    []string `json:"contains"`
	Excludes    []string `json:"excludes"`
	Total       *uint64  `json:"total"`
	First       string   `json:"first"`
	LastDate    string   `json:"last_date"`
	// facets: facet -> value -> count; selected: facet -> values marked selected.
	Facets       map[string]map[string]int `json:"facets"`
	Selected     map[string][]string       `json:"selected"`
	Expansions   map[string][]string       `json:"expansions"`
	NoExpansions bool                      `json:"no_expansions"`
	// expansions_exclude: labels a hit must not show.
	ExpansionsExclude map[string][]string `json:"expansions_exclude"`
	SnippetContains   map[string]string   `json:"snippet_contains"`
	Suggestion        *string             `json:"suggestion"`
}

var (
	shippedOnce sync.Once
	shippedIdx  *Index
	shippedErr  error
)

// shippedIndex is an on-disk index of the five shipped records, shared by
// the read-only tests of the package.
func shippedIndex(t testing.TB) *Index {
	t.Helper()
	shippedOnce.Do(func() {
		recs, probs := corpus.Load(corpus.Default())
		if len(probs) > 0 {
			shippedErr = probs[0]
			return
		}
		dir, err := os.MkdirTemp("", "indexer-test-")
		if err != nil {
			shippedErr = err
			return
		}
		shippedIdx, shippedErr = Open(dir)
		if shippedErr == nil {
			_, shippedErr = shippedIdx.Sync(context.Background(), recs, nil)
		}
	})
	if shippedErr != nil {
		t.Fatal(shippedErr)
	}
	return shippedIdx
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shippedIdx != nil {
		dir := shippedIdx.dir
		shippedIdx.Close()
		os.RemoveAll(dir)
	}
	if benchIdx != nil {
		benchIdx.Close()
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func TestSearches(t *testing.T) {
	b, err := os.ReadFile("testdata/searches.json")
	if err != nil {
		t.Fatal(err)
	}
	// A misspelt key would otherwise check nothing.
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var cases []searchCase
	if err := dec.Decode(&cases); err != nil {
		t.Fatalf("testdata/searches.json: %v", err)
	}
	x := shippedIndex(t)
	for _, tc := range cases {
		t.Run(tc.Name, func(t *testing.T) {
			res, err := x.Search(context.Background(), tc.Request)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			hits := map[string]Hit{}
			for _, h := range res.Hits {
				ids = append(ids, h.ID)
				hits[h.ID] = h
			}
			if tc.IDs != nil && !slices.Equal(ids, tc.IDs) {
				t.Errorf("ids = %q, want %q", ids, tc.IDs)
			}
			if tc.IDsAnyOrder != nil {
				got, want := slices.Clone(ids), slices.Clone(tc.IDsAnyOrder)
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("ids = %q, want %q in any order", ids, tc.IDsAnyOrder)
				}
			}
			for _, id := range tc.Contains {
				if _, ok := hits[id]; !ok {
					t.Errorf("%s missing from hits %q", id, ids)
				}
			}
			for _, id := range tc.Excludes {
				if _, ok := hits[id]; ok {
					t.Errorf("%s among the hits, want it excluded", id)
				}
			}
			if tc.Total != nil && res.Total != *tc.Total {
				t.Errorf("total = %d, want %d", res.Total, *tc.Total)
			}
			if tc.First != "" && (len(ids) == 0 || ids[0] != tc.First) {
				t.Errorf("first hit = %q, want %s", ids, tc.First)
			}
			if tc.LastDate != "" && (len(res.Hits) == 0 || string(res.Hits[len(res.Hits)-1].Date) != tc.LastDate) {
				t.Errorf("last hit not dated %s", tc.LastDate)
			}
			for facet, want := range tc.Facets {
				got := map[string]int{}
				for _, v := range res.Facets[facet] {
					got[v.Value] = v.Count
				}
				for v, n := range want {
					if c, ok := got[v]; !ok || c != n {
						t.Errorf("facet %s %q = %d (present %v), want %d; all: %v", facet, v, c, ok, n, res.Facets[facet])
					}
				}
			}
			for facet, want := range tc.Selected {
				var got []string
				for _, v := range res.Facets[facet] {
					if v.Selected {
						got = append(got, v.Value)
					}
				}
				slices.Sort(got)
				want = slices.Clone(want)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("selected %s = %q, want %q", facet, got, want)
				}
			}
			for id, want := range tc.Expansions {
				h, ok := hits[id]
				if !ok {
					t.Errorf("%s not a hit", id)
					continue
				}
				for _, e := range want {
					if !slices.Contains(h.Expansions, e) {
						t.Errorf("%s expansions = %q, want %q among them", id, h.Expansions, e)
					}
				}
			}
			for id, bad := range tc.ExpansionsExclude {
				for _, e := range bad {
					if slices.Contains(hits[id].Expansions, e) {
						t.Errorf("%s expansions = %q, want no %q", id, hits[id].Expansions, e)
					}
				}
			}
			if tc.NoExpansions {
				for _, h := range res.Hits {
					if len(h.Expansions) > 0 {
						t.Errorf("%s expansions = %q, want none", h.ID, h.Expansions)
					}
				}
			}
			for id, want := range tc.SnippetContains {
				if h, ok := hits[id]; !ok || !strings.Contains(h.SnippetHTML, want) {
					t.Errorf("%s snippet = %q, want it to contain %q", id, hits[id].SnippetHTML, want)
				}
			}
			if tc.Suggestion != nil {
				if res.Suggestion == nil || *res.Suggestion != *tc.Suggestion {
					t.Errorf("suggestion = %v, want %q", strOrNil(res.Suggestion), *tc.Suggestion)
				}
			}
		})
	}
}

func strOrNil(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
