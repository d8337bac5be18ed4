package indexer

import (
	"context"
	"testing"

	"dialoguesearch/corpus"
)

// TestNameVariantsFindOnePerson: the speaker facet holds the canonical name;
// a filter, a speaker: query or a text search by any spelling of a known
// name finds the person's paragraphs, whichever spelling the record used.
func TestNameVariantsFindOnePerson(t *testing.T) {
	x, err := NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	a := rec("a", "2024-01-02", "Minister of National Defense Shin Won Sik stressed deterrence.")
	a.Paragraphs[0].Speakers = []string{"Shin Won-sik"}
	b := rec("b", "2024-01-03", "Wonsik Shin met the delegation in Seoul.")
	b.Paragraphs[0].Speakers = []string{"Shin Won-sik"}
	if _, err := x.Upsert(context.Background(), []*corpus.Record{a, b}); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"Shin Won-sik", "Shin Won Sik", "Wonsik Shin", "shin wonsik"} {
		res, err := x.Search(context.Background(), Request{Filters: map[string][]string{"speaker": {v}}, Size: 10})
		if err != nil {
			t.Fatal(err)
		}
		if got := hitIDs(res); len(got) != 2 {
			t.Errorf("filter speaker=%q: hits %v, want both records", v, got)
		}
		if got := hitIDs(mustSearch(t, x, `speaker:"`+v+`"`)); len(got) != 2 {
			t.Errorf("speaker:%q: hits %v, want both records", v, got)
		}
	}
	for _, q := range []string{"Shin Won Sik", "Wonsik Shin"} {
		if got := hitIDs(mustSearch(t, x, q)); len(got) != 2 {
			t.Errorf("search %s: hits %v, want both spellings", q, got)
		}
	}
}
