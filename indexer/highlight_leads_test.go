package indexer

import (
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"

	"dialoguesearch/corpus"
)

// leadWords are words for the tests of the snippet pass' shortcut
// (leadSet): stop words, Porter2's special words and suffixes, acronyms,
// possessives, apostrophes, numbers, unicode.
func leadWords() []string {
	ws := strings.Fields(`the a an of us US It IT is as be by and or not no yes
		skis skies dying lying tying idly gently ugly early only singly sky news howe atlas cosmos bias andes inning innings outing outings canning cannings herring herrings earring earrings proceed exceed succeed
		ies ied sses eed eedly ed edly ing ingly s ss us y Y yy ys yes yet yield yielding ylang
		ties cries dies lies pies ied aing bing eing ying yyed aed ed'd eds edy ated abled izing hopping hoped hoping
		generate general generous communal communism arsenal arsenals gener commun arsen
		ational tional enci anci abli entli izer ization ation ator alism aliti iviti biliti fulness ousli ousness logi li ogi
		ical ative alize iciti ful ness al ance ence er ic able ible ant ement ment ent ism ate iti ous ive ize ion
		OPCON OPCONS DPRK DPRK's DPRK’s DPRK＇s ROK ROKS U.S U.S. U.S.-ROK CMISOCC CSOCC NCG USFK UNC CFC F-CFC F-35A KF21 DoD STRENGTHENING REGIONAL SECURITY COOPERATION ABCDEFGH
		Alliance's alliance’s alliances' 's ’s ＇s s' 'tis 'twas o'clock don't won't can't it's Korea's Koreas'
		1 2 10 2024 1990s 3rd 1st 21st 1,000 3.14 0.5 6/25 No.1 F35 B-52 K9 x86 4th
		_ __ _foo foo_bar a_b 1_2
		Ünification über Éclat éclat ÉCLAT İstanbul ǅemal Ⱥlpha ⱥlpha Σίσυφος ΣΊΣΥΦΟΣ 한국 대한민국 北朝鮮 東京 ＡＢＣ ａｂｃ ﬁre ﬂow ẞtraße Straße ΑΒΓ
		deterrence deterring deterred deters capabilities consultative consultations transition threats systems
		Korea Korean Koreans north south democratic people's republic united states america forces command nations combined future nuclear consultative group operational control`)
	return ws
}

// randomWord makes an adversarial word: letters of either case, digits,
// apostrophes, dots, hyphens, underscores and non-ASCII runes.
func randomWord(r *rand.Rand) string {
	const alphabet = "aeiouyYbcdgklmnrstAEIOUBCDKLMNRST0123456789''’.-_sséÉüÜİıΣσ한ßẞⱥȺ"
	runes := []rune(alphabet)
	n := 1 + r.Intn(10)
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteRune(runes[r.Intn(len(runes))])
	}
	s := b.String()
	switch r.Intn(6) {
	case 0:
		s = strings.ToUpper(s)
	case 1:
		s += "'s"
	case 2:
		s += []string{"ing", "ed", "ies", "sses", "eed", "ly", "ational", "ization", "ness", "ement"}[r.Intn(10)]
	}
	return s
}

func testAnalyzer(t *testing.T) *analysis.DefaultAnalyzer {
	t.Helper()
	im, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	da, ok := mustAnalyzer(im).(*analysis.DefaultAnalyzer)
	if !ok || da.CharFilters != nil {
		t.Fatalf("the text analyzer is %T, not a DefaultAnalyzer without char filters: analyzeFor always takes the full path", mustAnalyzer(im))
	}
	return da
}

// TestLeadSetKeepsFirstByte checks leadSet's claim over the whole
// analysis: a token whose first byte is an ASCII letter or digit is
// either removed or analysed to a term starting with that byte lower-cased.
func TestLeadSetKeepsFirstByte(t *testing.T) {
	da := testAnalyzer(t)
	r := rand.New(rand.NewSource(1))
	words := leadWords()
	for _, g := range corpus.Synonyms() {
		words = append(words, g...)
	}
	for _, f := range da.TokenFilters {
		if sf, ok := f.(*StopFilter); ok {
			for w := range sf.stop {
				words = append(words, w)
			}
		}
	}
	var texts []string
	for _, w := range words {
		texts = append(texts, w, strings.ToUpper(w), strings.ToLower(w), strings.Title(w), w+"'s", w+"s", w+"ing", w+"ed")
	}
	for i := 0; i < 20000; i++ {
		ws := make([]string, 1+r.Intn(8))
		for j := range ws {
			ws[j] = randomWord(r)
		}
		texts = append(texts, strings.Join(ws, []string{" ", ", ", ". ", "'", "-", "\n"}[r.Intn(6)]))
	}
	checked := 0
	for _, text := range texts {
		raw := da.Tokenizer.Tokenize([]byte(text))
		full := da.Analyze([]byte(text))
		byPos := map[int]*analysis.Token{}
		for _, tok := range full {
			byPos[tok.Position] = tok
		}
		for _, tok := range raw {
			b := tok.Term[0]
			lead := (&leadSet{}).may(b) // false for an ASCII letter or digit
			if lead {
				continue
			}
			a := byPos[tok.Position]
			if a == nil {
				continue
			}
			checked++
			want := b
			if 'A' <= b && b <= 'Z' {
				want += 'a' - 'A'
			}
			if len(a.Term) == 0 || a.Term[0] != want {
				t.Errorf("%q: token %q analysed to %q, which does not start with %q", text, tok.Term, a.Term, want)
			}
		}
	}
	if checked < 10000 {
		t.Errorf("only %d tokens checked", checked)
	}
}

// TestAnalyzeLeadsMarks holds the snippet pass' shortcut (analyzeLeads)
// to the full analysis: the marks and expansions of random queries over
// random texts are the same either way.
func TestAnalyzeLeadsMarks(t *testing.T) {
	da := testAnalyzer(t)
	env := &compileEnv{analyzer: da, synonyms: newSynonymTable(da, synonymGroups(nil))}
	r := rand.New(rand.NewSource(2))
	words := leadWords()
	for _, g := range corpus.Synonyms() {
		words = append(words, strings.Fields(g[0])...)
		words = append(words, g...)
	}
	pick := func() string {
		if r.Intn(4) == 0 {
			return randomWord(r)
		}
		return words[r.Intn(len(words))]
	}
	queryWord := func(text []string) string {
		w := pick()
		if len(text) > 0 && r.Intn(2) == 0 {
			w = text[r.Intn(len(text))]
		}
		w = strings.Trim(w, `"*~()`)
		switch r.Intn(8) {
		case 0:
			if n := len([]rune(w)); n > 1 {
				w = string([]rune(w)[:1+r.Intn(n-1)])
			}
			return w + "*"
		case 1:
			return w + "~" + fmt.Sprint(1+r.Intn(2))
		case 2:
			if len(text) > 1 {
				i := r.Intn(len(text) - 1)
				return `"` + strings.Trim(strings.Join(text[i:i+2+r.Intn(min(3, len(text)-i-1))], " "), `"*~()`) + `"`
			}
		case 3:
			return "NOT " + w
		case 4:
			return strings.ToUpper(w)
		}
		return w
	}
	fast, slow := 0, 0
	for i := 0; i < 4000; i++ {
		ws := make([]string, 1+r.Intn(40))
		for j := range ws {
			ws[j] = pick()
		}
		text := strings.Join(ws, " ")
		if r.Intn(3) == 0 {
			text = strings.ReplaceAll(text, " ", []string{", ", ". ", "-", "\n", "'s "}[r.Intn(5)])
		}
		for k := 0; k < 5; k++ {
			qw := make([]string, 1+r.Intn(4))
			for j := range qw {
				qw[j] = queryWord(ws)
			}
			q := strings.Join(qw, " ")
			n, err := parseQuery(q)
			if err != nil {
				continue
			}
			c, err := env.compile(n)
			if err != nil {
				continue
			}
			if !c.lead.ok {
				slow++
				continue
			}
			fast++
			gotSpans, gotExps := marksOf(c, analyzeLeads(da, &c.lead, text))
			wantSpans, wantExps := marksOf(c, da.Analyze([]byte(text)))
			if !reflect.DeepEqual(gotSpans, wantSpans) || !reflect.DeepEqual(gotExps, wantExps) {
				t.Errorf("query %q, text %q:\nleads %v %q\nfull  %v %q", q, text, gotSpans, gotExps, wantSpans, wantExps)
			}
			if s, e := marksOf(c, analyzeText(da, text)); !reflect.DeepEqual(s, wantSpans) || !reflect.DeepEqual(e, wantExps) {
				t.Errorf("analyzeText: query %q, text %q: %v %q, want %v %q", q, text, s, e, wantSpans, wantExps)
			}
			// And through marks and its cache, three times (seen, then kept).
			for rep := 0; rep < 3; rep++ {
				if s, e := marks(da, c, text); !reflect.DeepEqual(s, wantSpans) || !reflect.DeepEqual(e, wantExps) {
					t.Errorf("marks %d: query %q, text %q: %v %q, want %v %q", rep, q, text, s, e, wantSpans, wantExps)
				}
			}
		}
	}
	if fast < 5000 || slow == 0 {
		t.Errorf("%d queries took the shortcut, %d not", fast, slow)
	}
}

// TestASCIIWordsIsTheTokenizer holds asciiWords to the unicode tokenizer
// over ASCII texts: every token, its term, offsets, position and type.
func TestASCIIWordsIsTheTokenizer(t *testing.T) {
	da := testAnalyzer(t)
	r := rand.New(rand.NewSource(3))
	texts := []string{"", " ", "a", "_", "__", "a.b", "a.b.", ".a", "a..b", "a:b", "1:2", "a;b", "1;2", "1,000.5", "a,b", "a'b", "1'2", "a'1", "1'a",
		"a.1", "1.a", "a1.2", "1.2a.b", "a.b1", "a_.b", "a_b", "1_2", "a_1", "_1_", "_a_", "a_", "_a", "U.S.-ROK", "don't", "it's", "'tis", "a''b", "a.:b",
		"\r\n", "a\rb\nc\r\nd\ve\ff", "\"quoted\"", "a\"b", "x86_64", "F-35A", "3.14.15", "1,", ",1", "1,,2", "a::b", "No.1", "6/25", "e.g.", "i.e.,"}
	const alphabet = "aZb9 0_.:',;\"-\r\n\t\v\f!?()/Yy"
	for i := 0; i < 30000; i++ {
		b := make([]byte, r.Intn(24))
		for j := range b {
			if r.Intn(20) == 0 {
				b[j] = byte(r.Intn(128))
			} else {
				b[j] = alphabet[r.Intn(len(alphabet))]
			}
		}
		texts = append(texts, string(b))
	}
	for _, w := range leadWords() {
		if isASCII(w) {
			texts = append(texts, w, w+" "+w+".", "("+w+")")
		}
	}
	all := &allLeads
	for _, text := range texts {
		want := da.Tokenizer.Tokenize([]byte(text))
		got := asciiWords(text, all)
		if len(got) != len(want) {
			t.Errorf("%q: %d tokens %v, the tokenizer %d %v", text, len(got), terms(got), len(want), terms(want))
			continue
		}
		for i := range got {
			if !reflect.DeepEqual(*got[i], *want[i]) {
				t.Errorf("%q: token %d %+v, the tokenizer's %+v", text, i, *got[i], *want[i])
			}
		}
		// And the whole analysis.
		got, want = analyzeText(da, text), da.Analyze([]byte(text))
		if len(got) != len(want) {
			t.Errorf("%q: analyzeText %v, Analyze %v", text, terms(got), terms(want))
			continue
		}
		for i := range got {
			if !reflect.DeepEqual(*got[i], *want[i]) {
				t.Errorf("%q: analyzeText's token %d %+v, Analyze's %+v", text, i, *got[i], *want[i])
			}
		}
	}
}
