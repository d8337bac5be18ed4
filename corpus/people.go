package corpus

import (
	"encoding/json"
	"regexp"
	"sort"
	"strings"
)

// knownPerson is one entry of people.json.
type knownPerson struct {
	Name    string   `json:"name"`
	Side    string   `json:"side"`
	Title   string   `json:"title"`
	Aliases []string `json:"aliases"`
}

type peopleData struct {
	People     []knownPerson `json:"people"`
	References []struct {
		Phrase  string `json:"phrase"`
		Resolve string `json:"resolve"` // "both", or the side whose principal it names
	} `json:"references"`
	Sides []struct {
		Phrase string `json:"phrase"`
		Side   string `json:"side"` // U.S., ROK or both
	} `json:"sides"`
	Verbs  []string `json:"verbs"`
	Titles []string `json:"titles"`
	// appositiveRe is a name followed by its title in lower case, the form
	// of news copy: "Vipin Narang, acting U.S. assistant secretary of
	// defense for space policy" (the titles, in lower case).
	appositiveRe *rx
	SideWords    []struct {
		Words []string `json:"words"`
		Side  string   `json:"side"`
	} `json:"side_words"`
	KoreanSurnames []string `json:"korean_surnames"`

	aliasIdx        map[string][][]string // first word -> aliases as words, longest first
	aliasMask       keyMask               // the keys of aliasIdx
	gluedMask       keyMask               // the keys of gluedOf
	aliasLowerStart bool                  // some alias starts with a lower-case ASCII letter (knownMentions skips such words otherwise)
	aliasLower      map[string]*knownPerson
	aliasOf         map[string]*knownPerson
	bySurname       map[string][]*knownPerson // family name -> known people
	titleEnd        map[string]bool           // a word that ends a title before a surname: "Minister", "Defense", "DEPMIN"
	gluedOf         map[string]string
	refRe           *rx
	refOf           map[string]string
	sideRe          *rx
	sideOf          map[string]string
	verbs           *phraseSet // (?:^|\s)(?:verb|...)\b
	titleSet        map[string]bool
	sideWordRe      []*rx // one per SideWords entry
	surname         map[string]bool
}

func alternation(phrases []string) string {
	alts := make([]string, 0, len(phrases))
	for _, p := range phrases {
		alts = append(alts, strings.ReplaceAll(regexp.QuoteMeta(p), `\ `, `\s+`))
	}
	if len(alts) == 0 {
		return `[^\s\S]` // matches nothing
	}
	sortByLenDesc(alts)
	return strings.Join(alts, "|")
}

// compilePeople reads people.json.
func compilePeople(b []byte) (*peopleData, error) {
	pd := &peopleData{}
	if err := json.Unmarshal(b, pd); err != nil {
		return nil, err
	}
	{
		pd.surname = map[string]bool{}
		for _, s := range pd.KoreanSurnames {
			pd.surname[s] = true
		}
		pd.aliasOf = map[string]*knownPerson{}
		pd.bySurname = map[string][]*knownPerson{}
		pd.gluedOf = map[string]string{}
		var aliases, glued []string
		for i := range pd.People {
			p := &pd.People[i]
			for _, a := range append(append([]string{p.Name}, p.Aliases...), pd.nameVariants(p)...) {
				if _, dup := pd.aliasOf[a]; !dup {
					aliases = append(aliases, a)
					pd.aliasOf[a] = p
				}
				if g := strings.ReplaceAll(a, " ", ""); strings.Count(a, " ") == 1 && !strings.ContainsAny(a, ".") && pd.gluedOf[g] == "" {
					pd.gluedOf[g] = a
					glued = append(glued, g)
				}
			}
			fam := familyName(p.Name, pd.surname, p.Side)
			pd.bySurname[fam] = append(pd.bySurname[fam], p)
		}
		// Aliases are matched word by word through an index on their first
		// word: one regular expression of hundreds of alternatives was the
		// parser's slowest step.
		pd.aliasIdx = map[string][][]string{}
		pd.aliasLower = map[string]*knownPerson{}
		for a, p := range pd.aliasOf {
			if _, dup := pd.aliasLower[strings.ToLower(a)]; !dup {
				pd.aliasLower[strings.ToLower(a)] = p
			}
		}
		sortByLenDesc(aliases)
		for _, a := range aliases {
			ws := strings.Fields(a)
			pd.aliasIdx[ws[0]] = append(pd.aliasIdx[ws[0]], ws)
			if c := ws[0][0]; c >= 'a' && c <= 'z' {
				pd.aliasLowerStart = true
			}
		}
		// "Secretaryof", "Ministerfor": a title word glued to a small word
		for _, t := range []string{"Secretary", "Minister", "Ministers", "Chairman", "Commander", "Ambassador", "Director", "Department", "Ministry", "Republic", "Deputy", "Assistant"} {
			for _, w := range []string{"of", "for", "the", "and"} {
				pd.gluedOf[t+w] = t + " " + w
				glued = append(glued, t+w)
			}
		}
		_ = glued
		for k := range pd.gluedOf {
			pd.gluedMask.add(k)
		}
		for k := range pd.aliasIdx {
			pd.aliasMask.add(k)
		}
		var titleWords []string
		for _, t := range pd.Titles {
			titleWords = append(titleWords, t)
		}
		titleWords = append(titleWords, "ASD", "DASD", "DEPMIN", "SecDef", "Defense Minister", "Foreign Minister", "Defence Minister", "Gen", "General", "Adm", "Admiral", "Mr", "Ms", "Dr", "Secretary of Defense", "Secretary of State", "Minister of Defense", "Minister of National Defense", "Minister for Foreign Affairs", "Minister for Defence")
		// "Minister Kihara", "Secretary of Defense Austin", "DEPMIN Cho":
		// the last word of a title, then the surname
		pd.titleEnd = map[string]bool{}
		for _, t := range titleWords {
			ws := strings.Fields(t)
			pd.titleEnd[strings.TrimSuffix(ws[len(ws)-1], ".")] = true
		}
		pd.refOf = map[string]string{}
		var refs []string
		for _, r := range pd.References {
			pd.refOf[strings.ToLower(r.Phrase)] = r.Resolve
			refs = append(refs, r.Phrase)
		}
		var lower []string
		for _, t := range pd.Titles {
			if l := strings.ToLower(t); l != t && !strings.HasSuffix(l, ".") {
				lower = append(lower, l)
			}
		}
		pd.appositiveRe = mustRx(`\b([A-Z][a-z]+(?:[-'’][A-Za-z][a-z]+)?(?:\s[A-Z][a-z]+(?:-[a-z]+)?){1,2}),\s+((?:acting\s+|then-?\s*)?(?:[A-Z][\w.]*\s+){0,2}(?:[a-z]+\s+){0,3}?(?:` + alternation(lower) + `)\b[^,;]{0,80})`)
		pd.refRe = phraseRx(refs, true, false)
		pd.sideOf = map[string]string{}
		var sides []string
		for _, s := range pd.Sides {
			pd.sideOf[strings.ToLower(s.Phrase)] = s.Side
			sides = append(sides, s.Phrase)
		}
		pd.sideRe = phraseRx(sides, true, true)
		pd.verbs = newPhraseSet(pd.Verbs)
		pd.titleSet = map[string]bool{}
		for _, t := range pd.Titles {
			for _, w := range strings.Fields(t) {
				pd.titleSet[w] = true
			}
		}
		for _, sw := range pd.SideWords {
			pd.sideWordRe = append(pd.sideWordRe, phraseRx(sw.Words, false, true))
		}
	}
	return pd, nil
}

// familyName is the family name of a canonical name: first for a Korean
// name ("Shin Won-sik"), last otherwise ("Minoru Kihara", "Lloyd J.
// Austin III").
func familyName(name string, korean map[string]bool, side string) string {
	toks := strings.Fields(name)
	for len(toks) > 1 && isSuffix(toks[len(toks)-1]) {
		toks = toks[:len(toks)-1]
	}
	if len(toks) == 0 {
		return ""
	}
	if side == SideROK && korean[toks[0]] {
		return toks[0]
	}
	return toks[len(toks)-1]
}

// nameVariants are the spellings of a Korean or Japanese name that follow
// from rules: family name first or last, the given name hyphenated,
// spaced or joined, and capitalised or not ("Shin Won-sik", "Shin Won
// Sik", "Shin Wonsik", "Won-sik Shin", "Wonsik Shin"; "Minoru Kihara",
// "Kihara Minoru", "KIHARA Minoru").
func (pd *peopleData) nameVariants(p *knownPerson) []string {
	toks := strings.Fields(p.Name)
	var out []string
	switch {
	case p.Side == SideROK && len(toks) >= 2 && pd.surname[toks[0]]:
		fam := toks[0]
		syl := []string{}
		for _, t := range toks[1:] {
			for _, x := range strings.Split(t, "-") {
				if x != "" {
					syl = append(syl, strings.ToLower(x))
				}
			}
		}
		if len(syl) == 0 || len(syl) > 2 {
			return nil
		}
		capz := func(s string) string { return strings.ToUpper(s[:1]) + s[1:] }
		var givens []string
		if len(syl) == 1 {
			givens = []string{capz(syl[0])}
		} else {
			a, b := syl[0], syl[1]
			givens = []string{capz(a) + "-" + b, capz(a) + "-" + capz(b), capz(a) + " " + capz(b), capz(a) + b, capz(a) + " " + b}
		}
		for _, g := range givens {
			out = append(out, fam+" "+g, g+" "+fam, strings.ToUpper(fam)+" "+g)
		}
	case p.Side == SideJapan && len(toks) == 2:
		given, fam := toks[0], toks[1]
		out = append(out, fam+" "+given, strings.ToUpper(fam)+" "+given, given+" "+strings.ToUpper(fam))
	case len(toks) >= 3 && isInitial(toks[1]):
		// "Lloyd J. Austin III" -> "Lloyd Austin"
		rest := toks[2:]
		for len(rest) > 1 && isSuffix(rest[len(rest)-1]) {
			rest = rest[:len(rest)-1]
		}
		out = append(out, toks[0]+" "+strings.Join(rest, " "), toks[0]+" "+toks[1]+" "+strings.Join(rest, " "))
	}
	return out
}

// splitGlued splits words run together by a bad extraction where a known
// word or name makes it certain: "Secretaryof State" -> "Secretary of
// State", "PennyWong" -> "Penny Wong".
func (r *Rules) splitGlued(s string) string {
	pd := r.people
	var b strings.Builder
	last := 0
	var buf [256][2]int
	for _, w := range wordsInto(buf[:0], s) {
		t := trimWord(s[w[0]:w[1]], false)
		if !pd.gluedMask.may(t) {
			continue
		}
		if v := pd.gluedOf[t]; v != "" {
			b.WriteString(s[last:w[0]])
			b.WriteString(v)
			last = w[0] + len(t)
		}
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// keyMask holds, per first byte, the lengths of a map's keys (lenBit):
// most words of a text are not looked up at all.
type keyMask [256]uint64

func (m *keyMask) add(k string) {
	if k != "" {
		m[k[0]] |= lenBit(len(k))
	}
}

// may is false when k is not a key added.
func (m *keyMask) may(k string) bool {
	return k == "" || m[k[0]]&lenBit(len(k)) != 0
}

// wordsInto appends the byte spans of the space-separated words of s to
// out (a buffer on the caller's stack for most sentences).
func wordsInto(out [][2]int, s string) [][2]int {
	start := -1
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' || s[i] == '\n' || s[i] == '\t' {
			if start >= 0 {
				out = append(out, [2]int{start, i})
				start = -1
			}
		} else if start < 0 {
			start = i
		} else if s[i] == '(' {
			// a bracket glued to a word opens a new one: Korean text writes
			// "로이드 오스틴(Lloyd J. Austin III)"
			out = append(out, [2]int{start, i})
			start = i
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, len(s)})
	}
	return out
}

// trimWord strips what surrounds a word in running text: an opening
// bracket or quote, closing punctuation, a possessive ("Austin’s"); a
// final period too unless keepDot (the alias word itself ends with one:
// "J.", "Jr.").
func trimWord(w string, keepDot bool) string {
	// most words are letters and digits: nothing to strip
	if n := len(w); n > 0 && isAlnumASCII(w[0]) && isAlnumASCII(w[n-1]) && (w[n-1] != 's' || n < 2 || w[n-2] != '\'' && !strings.HasSuffix(w, "’s")) {
		return w
	}
	w = strings.TrimLeft(w, "(\"“‘'[")
	for {
		n := len(w)
		w = strings.TrimSuffix(strings.TrimSuffix(w, "’s"), "'s")
		w = strings.TrimRight(w, ",;:)!?\"”’']")
		if !keepDot {
			w = strings.TrimRight(w, ".")
		}
		if len(w) == n {
			return w
		}
	}
}

func isAlnumASCII(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// nameGroups returns, per known person, the spellings of the full name:
// at least two words, none of them a title.
func (pd *peopleData) nameGroups() [][]string {
	var out [][]string
	for i := range pd.People {
		p := &pd.People[i]
		seen := map[string]bool{}
		var g []string
		for _, a := range append(append([]string{p.Name}, p.Aliases...), pd.nameVariants(p)...) {
			ws := strings.Fields(a)
			if len(ws) < 2 || pd.titleSet[ws[0]] || pd.titleSet[strings.TrimSuffix(ws[0], ".")+"."] || seen[strings.ToLower(a)] {
				continue
			}
			titled := false
			for _, w := range ws {
				if pd.titleSet[w] || w == "the" || w == "Hon" || w == "MP" {
					titled = true
				}
			}
			if titled {
				continue
			}
			seen[strings.ToLower(a)] = true
			g = append(g, a)
		}
		if len(g) > 1 {
			out = append(out, g)
		}
	}
	return out
}

// CanonicalName returns the canonical name of any known spelling of a
// person's name ("Shin Won Sik", "Wonsik Shin", "Lloyd Austin"), matched
// without regard to case; a name the data does not know comes back as given.
func CanonicalName(s string) string { return DefaultRules().CanonicalName(s) }

// CanonicalName is the package-level CanonicalName with these rules.
func (r *Rules) CanonicalName(s string) string {
	if p, ok := r.canonicalName(s); ok {
		return p.Name
	}
	if p := r.people.aliasLower[strings.ToLower(collapseSpace(s))]; p != nil {
		return p.Name
	}
	return s
}

// canonicalName returns the canonical name for any known spelling.
func (r *Rules) canonicalName(s string) (Person, bool) {
	pd := r.people
	s = collapseSpace(s)
	if p, ok := pd.aliasOf[s]; ok {
		return Person{Name: p.Name, Side: p.Side, Title: p.Title}, true
	}
	return Person{}, false
}

// personMention is a person named in text.
type personMention struct {
	Person
	start, end int
}

// knownMentions returns the known people named in s, in order.
func (r *Rules) knownMentions(s string) []personMention {
	pd := r.people
	var out []personMention
	var buf [128][2]int
	ws := wordsInto(buf[:0], s)
	var locs [][2]int
	for i := 0; i < len(ws); i++ {
		// most words are lower case and start no alias (trimWord strips
		// nothing before a letter, so the trimmed word starts with it too)
		if c := s[ws[i][0]]; c >= 'a' && c <= 'z' && !pd.aliasLowerStart {
			continue
		}
		first := trimWord(s[ws[i][0]:ws[i][1]], false)
		var cands [][]string
		if pd.aliasMask.may(first) {
			cands = pd.aliasIdx[first]
		}
		if cands == nil {
			// the word with its final period ("J."): another key only then
			if dotted := trimWord(s[ws[i][0]:ws[i][1]], true); dotted != first && pd.aliasMask.may(dotted) {
				cands = pd.aliasIdx[dotted]
			}
		}
	next:
		for _, a := range cands {
			if i+len(a) > len(ws) {
				continue
			}
			for k, aw := range a {
				tw := s[ws[i+k][0]:ws[i+k][1]]
				keep := strings.HasSuffix(aw, ".")
				if trimWord(tw, keep) != aw {
					continue next
				}
				// a word inside the alias must not end the phrase ("Austin, Kim")
				if k < len(a)-1 && strings.ContainsAny(tw[len(tw)-1:], ",;:)") {
					continue next
				}
			}
			start := ws[i][0] + strings.Index(s[ws[i][0]:ws[i][1]], first)
			lastW := s[ws[i+len(a)-1][0]:ws[i+len(a)-1][1]]
			end := ws[i+len(a)-1][0] + strings.Index(lastW, a[len(a)-1]) + len(a[len(a)-1])
			locs = append(locs, [2]int{start, end})
			i += len(a) - 1
			break
		}
	}
	for _, loc := range locs {
		p := pd.aliasOf[collapseSpace(s[loc[0]:loc[1]])]
		if p == nil {
			continue
		}
		// "Foreign Minister Cho" is not Cho Tae-yul in "First Vice Foreign
		// Minister Cho Hyun-dong": a title-and-surname alias followed by a
		// given name names someone else.
		if a := s[loc[0]:loc[1]]; pd.titleSet[strings.Fields(a)[0]] || strings.Contains(a, "Minister ") || strings.Contains(a, "Secretary ") {
			if rest := s[loc[1]:]; len(rest) > 1 && rest[0] == ' ' && rest[1] >= 'A' && rest[1] <= 'Z' {
				if w := strings.TrimRight(strings.Fields(rest)[0], ",.;"); nameTokRe.MatchString(w) && strings.Contains(w, "-") {
					fs := strings.Fields(a)
					full := fs[len(fs)-1] + " " + w
					q := pd.aliasOf[full]
					if q == nil {
						continue
					}
					out = append(out, personMention{Person{q.Name, q.Side, q.Title}, loc[1] - len(fs[len(fs)-1]), loc[1] + 1 + len(w)})
					continue
				}
			}
		}
		out = append(out, personMention{Person{p.Name, p.Side, p.Title}, loc[0], loc[1]})
	}
	return out
}

var (
	tokenRe   = mustRx(`[^\s,;:()]+`) // what tokenSpans finds, without the regexp
	nameTokRe = mustRx(`^(?:[A-Z][a-z]+(?:[-'’][A-Za-z][a-z]*)?|[A-Z]\.|Jr\.|III|II|IV)$`)
)

// nonNameWords are capitalised words that are part of titles and
// organisations, never of a person's name.
var nonNameWords = map[string]bool{
	"Defense": true, "Policy": true, "Affairs": true, "Security": true, "Command": true, "Korea": true,
	"Forces": true, "Staff": true, "Department": true, "Ministry": true, "National": true, "Republic": true,
	"States": true, "United": true, "Dialogue": true, "Meeting": true, "Asia": true, "East": true,
	"Pacific": true, "Corps": true, "Marine": true, "Army": true, "Navy": true, "Force": true, "Air": true,
	"Joint": true, "Chiefs": true, "Affairs,": true, "Foreign": true, "State": true, "Office": true,
	"Acting": true, "Deputy": true, "Assistant": true, "Vice": true, "Under": true, "Principal": true,
	"Korean": true, "South": true, "North": true, "American": true, "Indo-Pacific": true, "The": true,
	"Combined": true, "Minister": true, "Secretary": true, "General": true, "Both": true, "Key": true,
	"During": true, "Commander": true, "Director": true, "Chairman": true, "Plans": true, "Strategy": true,
}

// titledPeople finds people the data does not know, introduced with a title:
// "Deputy Minister for National Defense Policy Yeo Suk-joo", "Marine Corps
// Brig. Gen. Roberta Shea". Spans of known people are skipped.
func (r *Rules) titledPeople(s string) []personMention {
	return r.titledPeopleAround(s, r.knownMentions(s))
}

// titledPeopleAround is titledPeople with the known people of s already found.
func (r *Rules) titledPeopleAround(s string, known []personMention) []personMention {
	pd := r.people
	masked := []byte(s)
	for _, m := range known {
		for i := m.start; i < m.end; i++ {
			masked[i] = '#'
		}
	}
	toks := tokenSpans(string(masked))
	var out []personMention
	for i := 0; i < len(toks); i++ {
		// a run of capitalised tokens (with "for", "of", "the" inside titles)
		j := i
		lastTitle := -1
		for j < len(toks) {
			w := s[toks[j][0]:toks[j][1]]
			if masked[toks[j][0]] == '#' {
				break
			}
			isTitle := pd.titleSet[w] || pd.titleSet[strings.TrimSuffix(w, ",")]
			if isTitle {
				lastTitle = j
			}
			c := w[0]
			if c >= 'A' && c <= 'Z' || (w == "for" || w == "of" || w == "the") && j > i && lastTitle >= 0 {
				j++
				// a comma or other separator right after the token ends the run
				if toks[j-1][1] < len(s) && strings.ContainsRune(",;:()", rune(s[toks[j-1][1]])) {
					break
				}
				continue
			}
			break
		}
		if lastTitle >= 0 && j-lastTitle >= 3 || lastTitle >= 0 && j-lastTitle == 2 {
			// name: the last two tokens, three for a Korean name written
			// without hyphen, or with a middle initial or suffix
			k := j - 2
			if k-1 > lastTitle && (pd.surname[s[toks[k-1][0]:toks[k-1][1]]] && !strings.Contains(s[toks[k][0]:toks[j-1][1]], "-") ||
				isInitial(s[toks[k][0]:toks[k][1]]) || isSuffix(s[toks[j-1][0]:toks[j-1][1]])) {
				k--
			}
			ok := k > lastTitle
			// a name follows a title word, never "for" or "of": "Under Secretary
			// for Arms Control and ..." ends at "and" with a portfolio, not a name
			if ok {
				if pw := s[toks[k-1][0]:toks[k-1][1]]; pw == "for" || pw == "of" || pw == "the" {
					ok = false
				}
			}
			for t := k; t < j && ok; t++ {
				w := s[toks[t][0]:toks[t][1]]
				ok = nameTokRe.MatchString(w) && !nonNameWords[w] && !pd.titleSet[w]
			}
			if ok {
				name := s[toks[k][0]:toks[j-1][1]]
				titleStart := i
				side := ""
				for t := i; t < k; t++ {
					w := s[toks[t][0]:toks[t][1]]
					if pd.titleSet[w] {
						titleStart = t
						break
					}
				}
				prefix := s[max(0, toks[i][0]-20):toks[titleStart][0]]
				title := s[toks[titleStart][0]:toks[k-1][1]]
				side = r.sideOfWords(prefix + " " + title)
				out = append(out, personMention{Person{Name: name, Side: side, Title: tidyTitle(collapseSpace(title))}, toks[k][0], toks[j-1][1]})
			}
		}
		if j > i {
			i = j - 1
		}
	}
	return out
}

func isInitial(w string) bool { return len(w) == 2 && w[1] == '.' && w[0] >= 'A' && w[0] <= 'Z' }
func isSuffix(w string) bool  { return w == "Jr." || w == "III" || w == "II" || w == "IV" }

// sideOfWords gives the side that words like "South Korean" or "Marine
// Corps" in s point to, "" when none; ROK words are checked first because
// "Korean" titles also contain "Defense".
func (r *Rules) sideOfWords(s string) string {
	pd := r.people
	best, bestPos := "", len(s)+1
	for i, re := range pd.sideWordRe {
		if loc := re.FindStringIndex(s); loc != nil && loc[0] < bestPos {
			best, bestPos = pd.SideWords[i].Side, loc[0]
		}
	}
	if best == "" {
		if strings.Contains(s, "Minister") {
			return SideROK
		}
		if strings.Contains(s, "Secretary") {
			return SideUS
		}
	}
	return best
}

// fullPeopleIn returns every person named in full in s (known or titled),
// in order.
func (r *Rules) fullPeopleIn(s string) []personMention {
	known := r.knownMentions(s)
	out := append(known[:len(known):len(known)], r.titledPeopleAround(s, known)...)
	out = append(out, r.appositivePeople(s, out)...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// surnameLike is a capitalised word or one in capitals: "Kihara", "NAKATANI".
func surnameLike(w string) bool {
	if len(w) < 2 || w[0] < 'A' || w[0] > 'Z' {
		return false
	}
	lower, upper := true, true
	for i := 1; i < len(w); i++ {
		c := w[i]
		lower = lower && c >= 'a' && c <= 'z'
		upper = upper && c >= 'A' && c <= 'Z'
	}
	return lower || upper
}

// peopleIn returns every person named in s, in order: in full, or by a
// title and surname ("Minister Kihara", "Secretary Blinken") that resolves
// to a person of the record with that surname, else to the one known
// person with it.
func (r *Rules) peopleIn(s string, ctx *recordContext) []personMention {
	out := r.fullPeopleIn(s)
	pd := r.people
	var buf [128][2]int
	ws := wordsInto(buf[:0], s)
	for i := 0; i+1 < len(ws); i++ {
		tw := s[ws[i][0]:ws[i][1]]
		if !pd.titleEnd[strings.TrimSuffix(tw, ".")] {
			continue
		}
		a, b := ws[i+1][0], ws[i+1][1]
		cand := trimWord(s[a:b], false)
		if !surnameLike(cand) || strings.ContainsAny(tw, ",;:") {
			continue
		}
		b = a + len(cand)
		if s[a] == '(' || s[a] == '"' {
			continue
		}
		m := [2]int{ws[i][0]}
		covered := false
		for _, o := range out {
			if a < o.end && b > o.start {
				covered = true
				break
			}
		}
		if covered {
			continue
		}
		word := s[a:b]
		if strings.ToUpper(word) == word { // "NAKATANI Gen"
			word = word[:1] + strings.ToLower(word[1:])
		}
		var p Person
		found := false
		if ctx != nil {
			p, found = ctx.bySurname[word]
		}
		if !found {
			if ks := pd.bySurname[word]; len(ks) == 1 {
				p, found = Person{ks[0].Name, ks[0].Side, ks[0].Title}, true
			}
		}
		if found {
			out = append(out, personMention{p, m[0], b})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// appositivePeople finds people the data does not know, named before their
// title in lower case ("Vipin Narang, acting U.S. assistant secretary of
// defense"); spans of people already found are skipped.
func (r *Rules) appositivePeople(s string, found []personMention) []personMention {
	var out []personMention
next:
	for _, m := range r.people.appositiveRe.FindAllStringSubmatchIndex(s, -1) {
		for _, o := range found {
			if m[2] < o.end && m[3] > o.start {
				continue next
			}
		}
		name := s[m[2]:m[3]]
		for _, w := range strings.Fields(name) {
			if nonNameWords[w] || r.people.titleSet[w] {
				continue next
			}
		}
		title := s[m[4]:m[5]]
		// side words are capitalised ("Assistant Secretary", "Minister")
		capital := strings.Fields(title)
		for i, w := range capital {
			capital[i] = strings.ToUpper(w[:1]) + w[1:]
		}
		out = append(out, personMention{Person{Name: name, Side: r.sideOfWords(strings.Join(capital, " ")), Title: tidyTitle(collapseSpace(title))}, m[2], m[3]})
	}
	return out
}

// rankStart finds where a military service and rank follow a position
// ("... for East Asia Marine Corps Brig. Gen.").
var rankStart = mustRx(`\s(?:Marine Corps|Army|Navy|Air Force|Space Force|Coast Guard|(?:Brig\.|Maj\.|Lt\.) Gen\.|Gen\.|General|Adm\.|Admiral|Rear Adm\.|Vice Adm\.|Col\.|Colonel|Capt\.)(?:\s|$)`)

// tidyTitle sets a service rank after a civilian position apart:
// "Acting Deputy Assistant Defense Secretary for East Asia (Marine Corps
// Brig. Gen.)".
func tidyTitle(t string) string {
	loc := rankStart.FindStringIndex(t)
	if loc == nil || loc[0] == 0 {
		return t
	}
	pos := t[:loc[0]]
	if !strings.Contains(pos, "Secretary") && !strings.Contains(pos, "Minister") && !strings.Contains(pos, "Director") && !strings.Contains(pos, "Commander") && !strings.Contains(pos, "Chief") {
		return t
	}
	return pos + " (" + strings.TrimSpace(t[loc[0]:]) + ")"
}

// tokenSpans returns tokenRe.FindAllStringIndex(s, -1): the runs of bytes
// other than \s (ASCII space, tab, newline, form feed, return) , ; : ( ),
// found by a loop instead of the expression (every sentence that reports
// a speech is tokenized). The separators are ASCII, so a run never splits
// a UTF-8 sequence.
func tokenSpans(s string) [][]int {
	var out [][]int
	start := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\n', '\f', '\r', ',', ';', ':', '(', ')':
			if start >= 0 {
				out = append(out, []int{start, i})
				start = -1
			}
		default:
			if start < 0 {
				start = i
			}
		}
	}
	if start >= 0 {
		out = append(out, []int{start, len(s)})
	}
	return out
}
