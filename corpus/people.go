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
	Verbs     []string `json:"verbs"`
	Titles    []string `json:"titles"`
	SideWords []struct {
		Words []string `json:"words"`
		Side  string   `json:"side"`
	} `json:"side_words"`
	KoreanSurnames []string `json:"korean_surnames"`

	aliasRe    *regexp.Regexp
	aliasOf    map[string]*knownPerson
	refRe      *regexp.Regexp
	refOf      map[string]string
	sideRe     *regexp.Regexp
	sideOf     map[string]string
	verbRe     *regexp.Regexp
	titleSet   map[string]bool
	sideWordRe []*regexp.Regexp // one per SideWords entry
	surname    map[string]bool
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
		pd.aliasOf = map[string]*knownPerson{}
		var aliases []string
		for i := range pd.People {
			p := &pd.People[i]
			for _, a := range append([]string{p.Name}, p.Aliases...) {
				if _, dup := pd.aliasOf[a]; !dup {
					aliases = append(aliases, a)
				}
				pd.aliasOf[a] = p
			}
		}
		pd.aliasRe = regexp.MustCompile(`\b(?:` + alternation(aliases) + `)(?:\b|$)`)
		pd.refOf = map[string]string{}
		var refs []string
		for _, r := range pd.References {
			pd.refOf[strings.ToLower(r.Phrase)] = r.Resolve
			refs = append(refs, r.Phrase)
		}
		pd.refRe = regexp.MustCompile(`(?i)\b(?:` + alternation(refs) + `)\b`)
		pd.sideOf = map[string]string{}
		var sides []string
		for _, s := range pd.Sides {
			pd.sideOf[strings.ToLower(s.Phrase)] = s.Side
			sides = append(sides, s.Phrase)
		}
		pd.sideRe = regexp.MustCompile(`(?i)\b(?:` + alternation(sides) + `)(?:\b|$)`)
		pd.verbRe = regexp.MustCompile(`(?:^|\s)(?:` + alternation(pd.Verbs) + `)\b`)
		pd.titleSet = map[string]bool{}
		for _, t := range pd.Titles {
			for _, w := range strings.Fields(t) {
				pd.titleSet[w] = true
			}
		}
		for _, sw := range pd.SideWords {
			pd.sideWordRe = append(pd.sideWordRe, regexp.MustCompile(`\b(?:`+alternation(sw.Words)+`)(?:\b|$)`))
		}
		pd.surname = map[string]bool{}
		for _, s := range pd.KoreanSurnames {
			pd.surname[s] = true
		}
	}
	return pd, nil
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
	for _, loc := range pd.aliasRe.FindAllStringIndex(s, -1) {
		p := pd.aliasOf[collapseSpace(s[loc[0]:loc[1]])]
		if p == nil {
			continue
		}
		out = append(out, personMention{Person{p.Name, p.Side, p.Title}, loc[0], loc[1]})
	}
	return out
}

var (
	tokenRe   = regexp.MustCompile(`[^\s,;:()]+`)
	nameTokRe = regexp.MustCompile(`^(?:[A-Z][a-z]+(?:[-'’][A-Za-z][a-z]*)?|[A-Z]\.|Jr\.|III|II|IV)$`)
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
	toks := tokenRe.FindAllStringIndex(string(masked), -1)
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

// peopleIn returns every person named in s (known or titled), in order.
func (r *Rules) peopleIn(s string) []personMention {
	known := r.knownMentions(s)
	out := append(known[:len(known):len(known)], r.titledPeopleAround(s, known)...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// rankStart finds where a military service and rank follow a position
// ("... for East Asia Marine Corps Brig. Gen.").
var rankStart = regexp.MustCompile(`\s(?:Marine Corps|Army|Navy|Air Force|Space Force|Coast Guard|(?:Brig\.|Maj\.|Lt\.) Gen\.|Gen\.|General|Adm\.|Admiral|Rear Adm\.|Vice Adm\.|Col\.|Colonel|Capt\.)(?:\s|$)`)

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
