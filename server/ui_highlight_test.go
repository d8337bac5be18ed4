package server

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"dialoguesearch/indexer"
)

// The record page marks what the indexer says a query matches (stems,
// prefixes, fuzzy words, phrases, synonym and acronym expansions; not
// excluded words nor other fields), and wraps acronyms in <abbr>.
func TestRenderText(t *testing.T) {
	x, err := indexer.NewMemory() // the curated synonyms and acronyms
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	gloss := map[string]string{"NCG": "Nuclear Consultative Group", "OPCON": "Operational Control", "F-CFC": "Future Combined Forces Command", "ROK": "Republic of Korea"}
	for _, tc := range []struct {
		name, q, text, want string
	}{
		{"stem", "deterring", "They will deter and keep deterrence.",
			"They will <mark>deter</mark> and keep deterrence."},
		{"prefix", "deter*", "They will deter and keep deterrence.",
			"They will <mark>deter</mark> and keep <mark>deterrence</mark>."},
		{"acronym expands", "OPCON", "the transition of operational control (OPCON) to F-CFC",
			`the transition of <mark>operational control</mark> (<abbr title="Operational Control"><mark>OPCON</mark></abbr>) to <abbr title="Future Combined Forces Command">F-CFC</abbr>`},
		{"synonym phrase unquoted", "north korea", "The DPRK launched; North Korea denied.",
			"The <mark>DPRK</mark> launched; <mark>North Korea</mark> denied."},
		{"excluded and field terms not marked", "-missile speaker:Austin", "Austin spoke of missile defense.",
			"Austin spoke of missile defense."},
		{"stop word alone not marked", "the", "the alliance", "the alliance"},
		{"escaping", "script", `a <script>window.__xss=1</script> & "b"`,
			`a &lt;<mark>script</mark>&gt;window.__xss=1&lt;/<mark>script</mark>&gt; &amp; &#34;b&#34;`},
		{"no mark across an abbr edge", "nuclear consultative group ncg", "Nuclear Consultative Group NCG met",
			`<mark>Nuclear Consultative Group</mark> <abbr title="Nuclear Consultative Group"><mark>NCG</mark></abbr> met`},
		{"no query: only abbr", "", "ROK-U.S. talks", `<abbr title="Republic of Korea">ROK</abbr>-U.S. talks`},
		{"acronym inside a word is not one", "", "ROKAF and PROK", "ROKAF and PROK"},
		// Search marks fuzzy matches, and so does the record page (it used
		// to mark the literal word "opcom" only).
		{"fuzzy", "opcom~1", "OPCON, not OPCOM nor OPEC.",
			`<abbr title="Operational Control"><mark>OPCON</mark></abbr>, not <mark>OPCOM</mark> nor OPEC.`},
		{"field, prefix and fuzzy together", "speaker:Austin deter* opcom~1", "Austin will deter OPCOM; deterrence.",
			"Austin will <mark>deter OPCOM</mark>; <mark>deterrence</mark>."},
		{"phrase only where whole", `text:"wartime opcon" +missile`, "wartime OPCON, OPCON in wartime, missile",
			`<mark>wartime </mark><abbr title="Operational Control"><mark>OPCON</mark></abbr>, <abbr title="Operational Control">OPCON</abbr> in wartime, <mark>missile</mark>`},
		{"boolean", "(ncg OR tds) AND NOT russia", "The NCG and TDS, not Russia.",
			`The <abbr title="Nuclear Consultative Group"><mark>NCG</mark></abbr> and <mark>TDS</mark>, not Russia.`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var marks []indexer.Span
			if tc.q != "" {
				m, err := x.NewMatcher(indexer.Request{Query: tc.q})
				if err != nil {
					t.Fatal(err)
				}
				marks, _ = m.Highlight(tc.text)
			}
			if got := renderText(tc.text, marks, newAbbrMatcher(gloss)); string(got) != tc.want {
				t.Errorf("renderText(%q, q=%q) =\n %s\nwant\n %s", tc.text, tc.q, got, tc.want)
			}
		})
	}
}

// The record page and search agree: for a stemmed word, an acronym and its
// expansion, a fuzzy word, a prefix, a phrase and a boolean query, the
// paragraphs a record page marks as matched are exactly the hits search
// returns in that record, and in each the words marked are those search's
// snippet marks.
func TestRecordPageAgreesWithSearch(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	paraRE := regexp.MustCompile(`(?s)<div class="para( para-matched)?" id="p(\d+)">.*?<p class="para-text">(.*?)</p>`)
	for _, q := range []string{"deterring", "OPCON", "opcom~1", "deter*", `"extended deterrence"`, "North Korea", "nuclear -DPRK"} {
		// Every hit of the search, by record.
		hits := map[string]map[int]searchHit{}
		var order []string
		for pg := 1; ; pg++ {
			res := searchOK(t, s, url.Values{"q": {q}, "size": {"100"}, "page": {strconv.Itoa(pg)}}.Encode())
			for _, h := range res.Hits {
				if hits[h.RecordID] == nil {
					hits[h.RecordID] = map[int]searchHit{}
					order = append(order, h.RecordID)
				}
				hits[h.RecordID][h.N] = h
			}
			if len(res.Hits) == 0 || pg*100 >= int(res.Total) {
				break
			}
		}
		if len(order) < 2 {
			t.Fatalf("%q: hits in %d records; the test wants several", q, len(order))
		}
		marked := 0
		for _, id := range order[:min(len(order), 4)] {
			body := page(t, s, "/records/"+id+"?"+url.Values{"q": {q}}.Encode(), http.StatusOK)
			paras := paraRE.FindAllStringSubmatch(body, -1)
			if len(paras) == 0 {
				t.Fatalf("%q %s: no paragraphs found in the page", q, id)
			}
			matched := 0
			for _, p := range paras {
				n, _ := strconv.Atoi(p[2])
				h, hit := hits[id][n]
				if (p[1] != "") != hit {
					t.Errorf("%q %s ¶%d: marked as matched %v, a search hit %v", q, id, n, p[1] != "", hit)
					continue
				}
				pageText, pageMarks := markedText(p[3])
				if !hit {
					if slices.Contains(pageMarks, true) {
						t.Errorf("%q %s ¶%d: marks in a paragraph search does not find: %s", q, id, n, p[3])
					}
					continue
				}
				matched++
				if pageText != h.Text {
					t.Fatalf("%q %s ¶%d: page text %q, hit text %q", q, id, n, pageText, h.Text)
				}
				snip, snipMarks := markedText(h.SnippetHTML)
				if cut := strings.TrimPrefix(snip, "… "); cut != snip {
					snip, snipMarks = cut, snipMarks[len(snip)-len(cut):]
				}
				if cut := strings.TrimSuffix(snip, " …"); cut != snip {
					snip, snipMarks = cut, snipMarks[:len(cut)]
				}
				at := strings.Index(pageText, snip)
				if at < 0 {
					t.Fatalf("%q %s ¶%d: snippet %q not in the text", q, id, n, snip)
				}
				for i, r := range snip {
					if (unicode.IsLetter(r) || unicode.IsDigit(r)) && snipMarks[i] != pageMarks[at+i] {
						t.Errorf("%q %s ¶%d: at %q the record page marks %v, search %v\npage   %s\nsearch %s",
							q, id, n, snip[i:min(len(snip), i+20)], pageMarks[at+i], snipMarks[i], p[3], h.SnippetHTML)
						break
					}
				}
				if slices.Contains(pageMarks, true) {
					marked++
				}
			}
			if matched != len(hits[id]) {
				t.Errorf("%q %s: %d paragraphs matched on the page, search has %d hits", q, id, matched, len(hits[id]))
			}
			if want := fmt.Sprintf("%d paragraph", matched); !strings.Contains(body, "Highlighting <strong>") || !strings.Contains(body, want) {
				t.Errorf("%q %s: the notice does not say %q", q, id, want)
			}
		}
		if neg := strings.Contains(q, "-"); marked == 0 && !neg {
			t.Errorf("%q: no words marked on any record page", q)
		}
	}
}

// markedText returns the text of an HTML fragment of <mark>, <abbr> and
// <span> tags and entities, and for each of its bytes whether it is inside
// a <mark>.
func markedText(h string) (string, []bool) {
	var text strings.Builder
	var marks []bool
	in := false
	for h != "" {
		if h[0] == '<' {
			end := strings.IndexByte(h, '>')
			switch h[:end+1] {
			case "<mark>":
				in = true
			case "</mark>":
				in = false
			}
			h = h[end+1:]
			continue
		}
		end := strings.IndexByte(h, '<')
		if end < 0 {
			end = len(h)
		}
		s := html.UnescapeString(h[:end])
		text.WriteString(s)
		for range len(s) {
			marks = append(marks, in)
		}
		h = h[end:]
	}
	return text.String(), marks
}
