package server

import (
	"reflect"
	"testing"
)

func TestQueryPhrases(t *testing.T) {
	for _, tc := range []struct {
		q        string
		phrases  []string
		prefixes []bool
	}{
		{`opcon transition`, []string{"opcon", "transition"}, []bool{false, false}},
		{`"extended deterrence" -japan`, []string{"extended deterrence"}, []bool{false}},
		{`(ncg OR tds) AND NOT russia`, []string{"ncg", "tds"}, []bool{false, false}},
		{`speaker:Austin deter* opcom~1`, []string{"deter", "opcom"}, []bool{true, false}},
		{`text:"wartime opcon" +missile`, []string{"wartime opcon", "missile"}, []bool{false, false}},
		{`"unclosed phrase`, []string{"unclosed phrase"}, []bool{false}},
	} {
		ph, pre := queryPhrases(tc.q)
		if !reflect.DeepEqual(ph, tc.phrases) || !reflect.DeepEqual(pre, tc.prefixes) {
			t.Errorf("queryPhrases(%q) = %q %v, want %q %v", tc.q, ph, pre, tc.phrases, tc.prefixes)
		}
	}
}

func TestRenderText(t *testing.T) {
	gloss := map[string]string{"NCG": "Nuclear Consultative Group", "OPCON": "Operational Control", "F-CFC": "Future Combined Forces Command", "ROK": "Republic of Korea"}
	groups := [][]string{{"DPRK", "North Korea"}, {"OPCON", "operational control"}}
	for _, tc := range []struct {
		name, q, text, want string
		marked              bool
	}{
		{"stem", "deterring", "They will deter and keep deterrence.",
			"They will <mark>deter</mark> and keep deterrence.", true},
		{"prefix", "deter*", "They will deter and keep deterrence.",
			"They will <mark>deter</mark> and keep <mark>deterrence</mark>.", true},
		{"acronym expands", "OPCON", "the transition of operational control (OPCON) to F-CFC",
			`the transition of <mark>operational control</mark> (<abbr title="Operational Control"><mark>OPCON</mark></abbr>) to <abbr title="Future Combined Forces Command">F-CFC</abbr>`, true},
		{"synonym phrase unquoted", "north korea", "The DPRK launched; North Korea denied.",
			"The <mark>DPRK</mark> launched; <mark>North Korea</mark> denied.", true},
		{"excluded and field terms not marked", "-missile speaker:Austin", "Austin spoke of missile defense.",
			"Austin spoke of missile defense.", false},
		{"stop word alone not marked", "the", "the alliance", "the alliance", false},
		{"escaping", "script", `a <script>window.__xss=1</script> & "b"`,
			`a &lt;<mark>script</mark>&gt;window.__xss=1&lt;/<mark>script</mark>&gt; &amp; &#34;b&#34;`, true},
		{"no mark across an abbr edge", "nuclear consultative group ncg", "Nuclear Consultative Group NCG met",
			`<mark>Nuclear Consultative Group</mark> <abbr title="Nuclear Consultative Group"><mark>NCG</mark></abbr> met`, true},
		{"no query: only abbr", "", "ROK-U.S. talks", `<abbr title="Republic of Korea">ROK</abbr>-U.S. talks`, false},
		{"acronym inside a word is not one", "", "ROKAF and PROK", "ROKAF and PROK", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h *highlighter
			if tc.q != "" {
				h = newHighlighter(tc.q, append(groups, expansionGroups(gloss)...))
			}
			got, marked := renderText(tc.text, h, newAbbrMatcher(gloss))
			if string(got) != tc.want || marked != tc.marked {
				t.Errorf("renderText(%q, q=%q) =\n %s %v\nwant\n %s %v", tc.text, tc.q, got, marked, tc.want, tc.marked)
			}
		})
	}
}
