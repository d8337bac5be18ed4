package indexer

import (
	"context"
	"testing"

	"dialoguesearch/corpus"
)

// MayMatch says false only for queries the search answers with nothing,
// and says it for a query whose words, phrases, prefixes, synonyms or
// keyword values are all missing from the paragraphs.
func TestMayMatch(t *testing.T) {
	x, err := NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	_, err = x.Upsert(context.Background(), []*corpus.Record{
		rec("a", "2020-01-01",
			"Both sides reviewed the transition of wartime operational control.",
			"The ministers discussed cyber security and the securing of space."),
	})
	if err != nil {
		t.Fatal(err)
	}
	v, err := x.Vocabulary()
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string]bool{
		"":                                 true, // every paragraph
		"OPCON":                            true, // through "operational control"
		"operational control":              true,
		"securities":                       true, // the stem of "security"
		"submarine":                        false,
		"cyber submarine":                  false,
		"submarine OR cyber":               true,
		"(submarine OR torpedo) AND cyber": false,
		"cyber -space":                     true,
		"NOT cyber":                        true,
		"-submarine":                       true,
		"the":                              false, // stop words only: matches nothing
		"the cyber":                        true,
		"the OR submarine":                 false,
		"cyb*":                             true,
		"Cyber*":                           true,
		"deter*":                           false,
		`"cyber security"`:                 true,
		`"submarine security"`:             false,
		"text:cyber":                       true,
		"speaker:Doe":                      true,
		"speaker:Austin":                   false,
		"meeting:SCM":                      true,
		"meeting:KIDD":                     false,
		"topic:(zzz OR yyy)":               false,
		"cyberr~1":                         true,
		"North Korea":                      false, // no DPRK either
		"submarine OR speaker:Doe":         true,
	} {
		tree, err := ParseQuery(q)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		res, err := x.Search(context.Background(), Request{Query: q, NoFacets: true, NoSuggest: true})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		got := v.MayMatch(tree)
		if !got && res.Total > 0 {
			t.Errorf("MayMatch(%q) = false, but the search finds %d paragraphs", q, res.Total)
		}
		if got != want {
			t.Errorf("MayMatch(%q) = %v, want %v", q, got, want)
		}
	}
	if _, err := ParseQuery(`"unclosed`); err == nil {
		t.Error("ParseQuery accepted a syntax error")
	}
}
