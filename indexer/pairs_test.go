package indexer

import (
	"context"
	"slices"
	"strings"
	"testing"

	"dialoguesearch/corpus"
)

// Phrase queries go through the phrases field (pairs of neighbouring
// terms): they must find exactly what a positional phrase query finds.
func TestPhrasesThroughPairs(t *testing.T) {
	x, err := NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	r := rec("r", "2024-01-02",
		"The allies reaffirmed extended deterrence.",                             // p1
		"Deterrence was extended to the region.",                                 // p2: "deterrence extended" only with a stop word between
		"The Republic of Korea and the United States.",                           // p3
		"The Republic and Korea.",                                                // p4: same pair with a stop word between
		"The Republic Korea.",                                                    // p5: no gap
		"The combined forces command and the forces command the combined staff.", // p6: all pairs of "combined forces command staff"? no
		"The combined forces command staff met.",                                 // p7
	)
	if _, err := x.Upsert(context.Background(), []*corpus.Record{r}); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string][]string{
		`"extended deterrence"`:                            {"r-p1"},
		`"extending deterrence"`:                           {"r-p1"}, // stems
		`"deterrence was extended"`:                        {"r-p2"},
		`"deterrence extended"`:                            nil,
		`"Republic of Korea"`:                              {"r-p3", "r-p4"},
		`"Republic Korea"`:                                 {"r-p5"},
		`"combined forces command"`:                        {"r-p6", "r-p7"},
		`"combined forces command staff"`:                  {"r-p7"},
		`"forces command the combined"`:                    {"r-p6"},
		`"combined forces command" -"extended deterrence"`: {"r-p6", "r-p7"},
	} {
		res := mustSearch(t, x, q)
		got := hitIDs(res)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: %q, want %q", q, got, want)
		}
		for _, h := range res.Hits {
			if !strings.Contains(h.SnippetHTML, "<mark>") {
				t.Errorf("%s: %s snippet has no mark: %s", q, h.ID, h.SnippetHTML)
			}
		}
	}
}
