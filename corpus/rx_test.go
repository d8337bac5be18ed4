package corpus

import (
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strings"
	"testing"
)

// rxTexts are the lines of the shipped records and of the test files, and
// a few made to sit on the edges of the prefilter (folded letters, words
// split by other spaces, Kelvin sign and long s).
func rxTexts(t *testing.T) []string {
	t.Helper()
	texts := []string{"", " ", "said", " said", "Both Sides noted", "both\tsides", "THE SECRETARY", "the \u212aorean side", "the Korean \u017fide",
		"co-chaired-x", "they had-been", "The Ministers reaffirmed", "Minister Shin welcomed", "Secretary Austin said.", "x", "Security Consultative Meeting",
		"제55차 한미안보협의회의", "ÉLYSÉE said", "have  advanced", "have advanced",
		"Photo by Sgt. Kim", "IMAGE COURTESY of DoD", "Page 3 of 10", "page 4", "PAGE 5", "\u212aorea", "ſecurity", "Se\u212a",
		"held in Seoul", "서울에서", "in 서울 국방부 청사에서", "met at the Pentagon in Washington, D.C.", "워싱턴 D.C. 국방부 청사에서 in Seoul", "in Seoul에서",
		"Seoul 국방부에서 met in Tokyo", "at Seoul", "in Seoulx", "in\nJeju", "it took  place at\tthe", "took\nplace", "tookplace", "took place", "At the", "at the-",
		"co-chaired", "co-chairedx", "xco-led", "a b- c", "a b-c", "x-b", "x -b", "a  b", "a b"}
	for _, fsys := range []fs.FS{Default(), os.DirFS("testdata")} {
		fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			b, err := fs.ReadFile(fsys, p)
			if err != nil {
				return nil
			}
			for _, l := range strings.Split(string(b), "\n") {
				texts = append(texts, l)
				texts = append(texts, splitSentences(l)...)
			}
			return nil
		})
	}
	return texts
}

// The prefilter never changes an answer: every rule expression of the
// default rules answers as the plain expression does, on every line of the
// shipped records and the test files.
func TestRxSameAsRegexp(t *testing.T) {
	texts := rxTexts(t)
	r := DefaultRules()
	var all []*rx
	all = append(all, r.noise.line...)
	all = append(all, r.noise.tail...)
	all = append(all, r.noise.seam...)
	all = append(all, r.noise.title...)
	for _, f := range r.noise.field {
		all = append(all, f.re)
	}
	pd := r.people
	all = append(all, pd.appositiveRe, pd.refRe, pd.sideRe, mustRx(`(?i)\bKorean\s+side\b`), mustRx(`(?i:élysée|said)`))
	all = append(all, pd.sideWordRe...)
	md := &r.meetings
	all = append(all, md.dialogueRe, md.placeRe, md.welcomedToRe, md.futureRe, md.videoRe, md.notOrdinalRe, md.headlineRe)
	for _, se := range md.Series {
		all = append(all, se.re)
	}
	all = append(all, numberedRe, bulletRe, nameTokRe, newsDatelineRe, md.notOrdinalTail, meetingVerbRe, leadVerbRe, wordsRx("a  b", "c"), wordsRx("x", "a b-", "-b"))
	filtered, unanchored, started := 0, 0, 0
	for _, re := range all {
		if re == nil {
			continue
		}
		if re.need != nil {
			filtered++
		}
		if re.start != nil {
			started++
		}
		if !strings.HasPrefix(re.String(), "^") && !strings.HasPrefix(re.String(), "(?i)^") {
			unanchored++
		}
		plain := regexp.MustCompile(re.String())
		for _, s := range texts {
			if got, want := re.FindAllStringSubmatchIndex(s, -1), plain.FindAllStringSubmatchIndex(s, -1); len(got) != len(want) {
				t.Fatalf("%s on %q: %v, the expression alone %v", re, s, got, want)
			}
			if re.lit != nil {
				if got, want := fmt.Sprint(re.FindAllStringIndex(s, -1)), fmt.Sprint(plain.FindAllStringIndex(s, -1)); got != want {
					t.Fatalf("%s on %q: %v, the expression alone %v", re, s, got, want)
				}
			}
			m := plain.FindStringSubmatchIndex(s)
			if got, want := re.MatchString(s), m != nil; got != want {
				t.Fatalf("%s on %q: %v, the expression alone %v", re, s, got, want)
			}
			if got, want := fmt.Sprint(re.FindStringSubmatchIndex(s)), fmt.Sprint(m); got != want {
				t.Fatalf("%s on %q: %v, the expression alone %v", re, s, got, want)
			}
			var sub []string
			var loc []int
			var str string
			if m != nil {
				sub = make([]string, len(m)/2)
				for i := range sub {
					if m[2*i] >= 0 {
						sub[i] = s[m[2*i]:m[2*i+1]]
					}
				}
				loc, str = m[:2], s[m[0]:m[1]]
			}
			if got, want := fmt.Sprintf("%q", re.FindStringSubmatch(s)), fmt.Sprintf("%q", sub); got != want {
				t.Fatalf("%s on %q: %v, the expression alone %v", re, s, got, want)
			}
			if got, want := fmt.Sprint(re.FindStringIndex(s), re.FindString(s)), fmt.Sprint(loc, str); got != want {
				t.Fatalf("%s on %q: %v, the expression alone %v", re, s, got, want)
			}
		}
	}
	if meetingVerbRe.lit == nil || leadVerbRe.lit == nil {
		t.Errorf("the verb expressions are not answered by comparing phrases")
	}
	if md.placeRe.branches == nil {
		t.Errorf("the place expression is not looked for a branch at a time")
	}
	if fmt.Sprint(pd.appositiveRe.must) != "[,]" {
		t.Errorf("the appositive expression should need its comma: %q", pd.appositiveRe.must)
	}
	// the anchored ones (^...) are tried at the start only and need none
	if filtered < unanchored*2/3 {
		t.Errorf("only %d of %d rule expressions not anchored at the start have a prefilter", filtered, unanchored)
	}
	// but the bytes they may start with are known
	if anchored := len(all) - unanchored; started < anchored*2/3 {
		t.Errorf("only %d of %d rule expressions anchored at the start know how a match starts", started, anchored)
	}
}

// The reporting-verb lookup finds what its regular expression finds.
func TestPhraseSetSameAsRegexp(t *testing.T) {
	texts := rxTexts(t)
	verbs := DefaultRules().people.Verbs
	ps := newPhraseSet(verbs)
	if ps.re != nil {
		t.Fatal("the default verbs should be looked up word by word")
	}
	plain := regexp.MustCompile(`(?:^|\s)(?:` + alternation(verbs) + `)\b`)
	for _, s := range texts {
		want := -1
		if loc := plain.FindStringIndex(s); loc != nil {
			want = loc[0]
		}
		if got := ps.index(s); got != want {
			t.Fatalf("index(%q) = %d, the expression says %d", s, got, want)
		}
	}
}

// holdsFold finds what a search of the lowered text finds.
func TestHoldsFold(t *testing.T) {
	texts := []string{"", "a", "Said", "xSAIDx", "sai", "s-a-i-d", "the Korean side", "KOREAN", "12 said 34", "saSaiD"}
	for _, s := range texts {
		for _, w := range []string{"said", "korean", "s", "12", "-a", "aid"} {
			if got, want := holdsFold(s, w), strings.Contains(asciiLower(s), w); got != want {
				t.Errorf("holdsFold(%q, %q) = %v, want %v", s, w, got, want)
			}
		}
	}
}

// collapseSpace is strings.Join(strings.Fields(s), " ").
func TestCollapseSpace(t *testing.T) {
	for _, s := range []string{"", " ", "a", " a", "a ", "a  b", "a b", "a\tb", "a\u00a0b", "a\u3000 b", "a\nb c", "\x85x", "ab cd ef"} {
		if got, want := collapseSpace(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("collapseSpace(%q) = %q, want %q", s, got, want)
		}
	}
}

// tokenSpans finds the tokens tokenRe finds.
func TestTokenSpans(t *testing.T) {
	for _, s := range append(rxTexts(t), "a,b;c:d(e)f", "\x85\xff x", "로이드 오스틴(Lloyd J. Austin III)", "\v\u00a0x") {
		if got, want := tokenSpans(s), tokenRe.Regexp.FindAllStringIndex(s, -1); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("tokenSpans(%q) = %v, want %v", s, got, want)
		}
	}
}

// The phrase lists answered by comparing phrases (phraseRx) find exactly
// what their expressions find, match for match.
func TestPhraseRxAgrees(t *testing.T) {
	texts := append(rxTexts(t), "the U.S.", "the U.S. side", "THE u.s. SIDE,", "theU.S.", "xthe ROK", "the ROK_", "the ROK1", "the  ROK",
		"Japan", "Japanese", "(Japan)", "the Republic of Korea-U.S.", "both sides both sides", "the two sidesx both sides.", "the \u212aorean side", "a\u017fide")
	r := DefaultRules()
	pd, md := r.people, &r.meetings
	res := append([]*rx{pd.refRe, pd.sideRe, md.videoRe, md.notOrdinalRe}, pd.sideWordRe...) // dialogueRe holds "communiqué": the expression answers
	res = append(res, phraseRx([]string{"ab", "a", "abc", "b.c", "C"}, false, false), phraseRx([]string{"x.", "xy"}, true, true), phraseRx(nil, true, false))
	texts = append(texts, "ab abc a b.c b.cd C c x. xy x.y xyz", "abc.", "x.", ".x.")
	for _, re := range res {
		if re.lit == nil {
			t.Errorf("%s is not answered by comparing phrases", re)
			continue
		}
		plain := regexp.MustCompile(re.String())
		for _, s := range texts {
			if got, want := re.FindAllIndex([]byte(s), -1), plain.FindAllIndex([]byte(s), -1); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s on %q: %v, the expression %v", re, s, got, want)
			}
			if got, want := re.FindAllStringIndex(s, 2), plain.FindAllStringIndex(s, 2); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s on %q (2): %v, the expression %v", re, s, got, want)
			}
			if got, want := re.FindStringIndex(s), plain.FindStringIndex(s); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s on %q: first %v, the expression %v", re, s, got, want)
			}
			if got, want := re.FindString(s), plain.FindString(s); got != want {
				t.Fatalf("%s on %q: %q, the expression %q", re, s, got, want)
			}
			if got, want := re.MatchString(s), plain.MatchString(s); got != want {
				t.Fatalf("%s on %q: %v, the expression %v", re, s, got, want)
			}
		}
	}
}

// startSet answers for the first two bytes only: every text the expression
// matches gets through, with its letters in any case.
func TestStartSetLetsEveryMatchThrough(t *testing.T) {
	for _, tc := range []struct {
		expr string
		may  []string
		not  []string
	}{
		{`^(?i:news|press\s+release)$`, []string{"News", "NEWS", "press release", "PrEsS\trelease", "\u212aX", "\xffx", "n"}, []string{"The news", " news", "Nx", "pa"}},
		{`^(?i:a\s+lock)`, []string{"a lock", "A\tlock", "A\u00a0lock"}, []string{"al", "b lock", "lock"}},
		{`^\d{1,3}[.)]\s`, []string{"1. x", "12) y", "9"}, []string{"a1.", "-1."}},
		{`^x*`, []string{"", "abc"}, nil},            // an empty match: any text
		{`(?i)news`, []string{"the news", "x"}, nil}, // not anchored: no filter
	} {
		r := mustRx(tc.expr)
		plain := regexp.MustCompile(tc.expr)
		for _, s := range tc.may {
			if !r.start.may(s) {
				t.Errorf("%s: %q ruled out", tc.expr, s)
			}
		}
		for _, s := range tc.not {
			if r.start.may(s) {
				t.Errorf("%s: %q let through", tc.expr, s)
			}
			if plain.MatchString(s) {
				t.Errorf("%s: %q is a match: a wrong test", tc.expr, s)
			}
		}
	}
}

// mapChars is strings.Map(normalChar, s), invalid UTF-8 included.
func TestMapCharsIsStringsMap(t *testing.T) {
	texts := rxTexts(t)
	for c := 0; c < 256; c++ {
		texts = append(texts, string([]byte{byte(c)}), "a"+string([]byte{byte(c)})+"b\n")
	}
	texts = append(texts, "\ufffd", "x\u200by\u00adz\u2028\u00a0\u3000\ufeff", "\xe2\x80", "\xed\xa0\x80 x", "tab\there\f\v\x7f\x00end")
	for _, s := range texts {
		if got, want := mapChars(s), strings.Map(normalChar, s); got != want {
			t.Fatalf("mapChars(%q) = %q, strings.Map %q", s, got, want)
		}
	}
}

// The series name filter lets through every text a series expression
// matches (letters in any case, names split by other spaces, the Kelvin
// sign and long s), and findMeetings finds what it finds without the
// filter.
func TestSeriesNamesLetEveryMatchThrough(t *testing.T) {
	texts := append(rxTexts(t), "the 55TH SECURITY  CONSULTATIVE\tMEETING", "Security Con\u017fultative Meeting", "Integrated Defen\u017fe Dialogue",
		"ſecurity Consultative Meeting", "INTEGRATED DEFENSE DIALOGUE (\u212aIDD)", "the 24th Korea-U.S. Integrated Defense Dialogue", "제56차 한미안보협의회의",
		"한미  핵협의그룹", "한미\n핵협의그룹", "a 2 +  2 with Japan", "the “2+2” with Korea", "Two-Plus-Two", "ausmin", "AUSMIN.", "xSCMx", "SCMs", "scm",
		"meeting of\nthe NCG", "Nuclear Consultative Group(NCG) meeting", "Trilateral Ministerial Meeting", "Defence  Ministers’  Meeting")
	r := DefaultRules()
	plain := ownRules(t)
	for _, se := range plain.meetings.Series {
		se.anyText = true
	}
	var exprs []*regexp.Regexp
	for _, se := range r.meetings.Series {
		exprs = append(exprs, regexp.MustCompile(se.re.String()))
	}
	lets, rules := 0, 0
	for _, s := range texts {
		lower, special := lowerInto(nil, s)
		for i, se := range r.meetings.Series {
			if exprs[i].MatchString(s) {
				if !se.mayName(s, lower, special) {
					t.Fatalf("%s: %q is a match, ruled out", se.ID, s)
				}
				lets++
			} else if !se.mayName(s, lower, special) {
				rules++
			}
		}
		if got, want := mentionsString(r.findMeetings(s)), mentionsString(plain.findMeetings(s)); got != want {
			t.Fatalf("findMeetings(%q) = %s, without the filter %s", s, got, want)
		}
	}
	if lets == 0 || rules == 0 {
		t.Errorf("%d matches let through, %d texts ruled out: a wrong test", lets, rules)
	}
	for _, tc := range []struct {
		patterns []string
		ok       bool
	}{
		{[]string{"SCM", "Security Consultative Meeting", "한미 핵협의그룹"}, true},
		{[]string{"Élysée Meeting"}, false}, // É folds to é
		{[]string{"Élysée"}, true},          // matched with case
		{[]string{""}, false},
		{[]string{"  "}, false},
	} {
		if _, ok := newSeriesNames(tc.patterns); ok != tc.ok {
			t.Errorf("newSeriesNames(%q) ok = %v, want %v", tc.patterns, ok, tc.ok)
		}
	}
}

func mentionsString(ms []meetingMention) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "%s %d %d %q %v; ", m.series.ID, m.number, m.pos, m.text, m.future)
	}
	return b.String()
}

// ownRules returns rules of the test's own (DefaultRules is shared).
func ownRules(t *testing.T) *Rules {
	t.Helper()
	r, err := LoadRules(nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// numbered answers as numberedRe.
func TestNumberedIsTheExpressions(t *testing.T) {
	texts := append(rxTexts(t), "1. x", "12) y", "123. z", "1234. w", "1.", "1. ", "1.x", "1.\nx", "1. x\ny", "1.\t\f\r x", "1.\v x", "a1. x",
		"01) \xff", "9.  \u00a0x", "7) x\n", "0. 0", ")", "5", "55", "555)", "5555)")
	for _, s := range texts {
		num, text, ok := numbered(s)
		got := []string{num, text}
		if !ok {
			got = nil
		}
		var want []string
		if m := numberedRe.Regexp.FindStringSubmatch(s); m != nil {
			want = m[1:]
		}
		if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
			t.Fatalf("numbered(%q) = %q, the expression %q", s, got, want)
		}
	}
}

// A key mask lets every key of its map through.
func TestKeyMasksHoldEveryKey(t *testing.T) {
	pd := DefaultRules().people
	for k := range pd.aliasIdx {
		if !pd.aliasMask.may(k) {
			t.Fatalf("alias key %q ruled out", k)
		}
	}
	for k := range pd.gluedOf {
		if !pd.gluedMask.may(k) {
			t.Fatalf("glued key %q ruled out", k)
		}
	}
	var m keyMask
	m.add("Austin")
	m.add(strings.Repeat("x", 70))
	for k, want := range map[string]bool{"Austin": true, "Austen": true, "": true, "Austins": false, "austin": false, strings.Repeat("x", 64): true, "B": false} {
		if m.may(k) != want {
			t.Errorf("may(%q) = %v, want %v", k, !want, want)
		}
	}
}
