package corpus

import (
	"reflect"
	"testing"
)

func TestSynonyms(t *testing.T) {
	groups := Synonyms()
	find := func(term string) []string {
		for _, g := range groups {
			for _, x := range g {
				if x == term {
					return g
				}
			}
		}
		return nil
	}
	for term, want := range map[string][]string{
		"North Korea":       {"DPRK", "North Korea", "Democratic People's Republic of Korea"},
		"OPCON":             {"OPCON", "operational control"},
		"South Korea":       {"ROK", "South Korea", "Republic of Korea"},
		"U.S. Forces Korea": {"USFK", "U.S. Forces Korea", "United States Forces Korea"},
	} {
		if got := find(term); !reflect.DeepEqual(got, want) {
			t.Errorf("group of %q = %q, want %q", term, got, want)
		}
	}
	groups[0][0] = "changed"
	if Synonyms()[0][0] == "changed" {
		t.Error("Synonyms returns shared state")
	}
}

func TestAcronyms(t *testing.T) {
	recs := []*Record{
		{Glossary: map[string]string{"NCG": "Nuclear Advisory Group", "XYZ": "Extra Yield Zone"}},
		{Glossary: map[string]string{"NCG": "nuclear consultative group", "XYZ": "Extra Yield Zone"}},
		{Glossary: map[string]string{"XYZ": "Xenon Yard Zone"}},
		nil,
	}
	got := Acronyms(recs)
	if want := []string{"Nuclear Consultative Group", "Nuclear Advisory Group"}; !reflect.DeepEqual(got["NCG"], want) {
		t.Errorf("NCG = %q, want %q (curated first, duplicates folded)", got["NCG"], want)
	}
	if want := []string{"Extra Yield Zone", "Xenon Yard Zone"}; !reflect.DeepEqual(got["XYZ"], want) {
		t.Errorf("XYZ = %q, want %q (more records first)", got["XYZ"], want)
	}
	if got["OPCON"][0] != "Operational Control" || got["USFK"][0] != "U.S. Forces Korea" {
		t.Errorf("curated acronyms missing: OPCON %q USFK %q", got["OPCON"], got["USFK"])
	}
	if CuratedAcronyms()["DPRK"] != "Democratic People's Republic of Korea" {
		t.Error("CuratedAcronyms lacks DPRK")
	}
	// mined from the shipped corpus
	all, _ := Load(Default())
	mined := Acronyms(all)
	if !reflect.DeepEqual(mined["COTP"][:1], []string{"Conditions-based OPCON Transition Plan"}) || len(mined["DSTEC"]) != 1 {
		t.Errorf("mined: COTP %q DSTEC %q", mined["COTP"], mined["DSTEC"])
	}
}
