package indexer

import (
	"reflect"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
)

func tokens(terms ...string) analysis.TokenStream {
	var ts analysis.TokenStream
	for i, t := range terms {
		ts = append(ts, &analysis.Token{Term: []byte(t), Position: i + 1})
	}
	return ts
}

func terms(ts analysis.TokenStream) []string {
	out := []string{}
	for _, t := range ts {
		out = append(out, string(t.Term))
	}
	return out
}

func TestSnowballFilter(t *testing.T) {
	tests := []struct {
		in, want []string
	}{
		{[]string{"deterring", "deterred", "deters"}, []string{"deter", "deter", "deter"}},
		{[]string{"deterrence"}, []string{"deterr"}},
		{[]string{"alliances", "alliance"}, []string{"allianc", "allianc"}},
		{[]string{"consultative", "consultations"}, []string{"consult", "consult"}},
		{[]string{"capabilities"}, []string{"capabl"}},
	}
	for round := 0; round < 2; round++ { // the second round hits the stem cache
		for _, tt := range tests {
			got := terms(SnowballFilter{}.Filter(tokens(tt.in...)))
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("round %d: Snowball(%q) = %q, want %q", round, tt.in, got, tt.want)
			}
		}
	}
	// Keyword tokens (acronyms) are not stemmed.
	ts := tokens("sms")
	ts[0].KeyWord = true
	if got := terms(SnowballFilter{}.Filter(ts)); got[0] != "sms" {
		t.Errorf("keyword token stemmed to %q", got[0])
	}
}

func TestAnalyzer(t *testing.T) {
	im, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	a := mustAnalyzer(im)
	tests := []struct {
		in   string
		want []string
	}{
		// Lower-casing, stop words, stemming.
		{"The Alliance's deterrence capabilities", []string{"allianc", "deterr", "capabl"}},
		// Possessives with straight and curly apostrophes.
		{"DPRK's and DPRK’s threats", []string{"dprk", "dprk", "threat"}},
		// Acronyms survive: not stemmed, not stop words.
		{"IT systems and it", []string{"it", "system"}},
		{"OPCONS of the ROKS", []string{"opcons", "roks"}},
		{"U.S.-ROK OPCON transition", []string{"u.s", "rok", "opcon", "transit"}},
		{"CMISOCC and CSOCC", []string{"cmisocc", "csocc"}},
		// Long all-caps words are heading words, stemmed like any other.
		{"STRENGTHENING REGIONAL SECURITY COOPERATION", []string{"strengthen", "region", "secur", "cooper"}},
		// Markup is only text to the analyzer.
		{"<script>alert(1)</script>", []string{"script", "alert", "1", "script"}},
	}
	for _, tt := range tests {
		got := terms(a.Analyze([]byte(tt.in)))
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Analyze(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIsAcronym(t *testing.T) {
	for in, want := range map[string]bool{"OPCON": true, "U.S": true, "F-35A": true, "KF21": true, "A": false, "Korea": false, "DoD": false, "2024": false} {
		if got := isAcronym([]byte(in)); got != want {
			t.Errorf("isAcronym(%q) = %v, want %v", in, got, want)
		}
	}
}
