package corpus

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// series is one meeting series of meetings.json.
type series struct {
	ID         string         `json:"id"`
	Slug       string         `json:"slug"`
	Name       string         `json:"name"`
	Patterns   []string       `json:"patterns"`
	YearOffset int            `json:"year_offset"`
	Ordinals   map[string]int `json:"ordinals"`
	// Context, when set, must be named near a mention ("2+2" is the SCC
	// beside "Japan").
	Context []string `json:"context"`
	// PrincipalsPerSide is how many leaders each delegation has (2 for a
	// foreign and defense ministers' meeting); 0 means 1.
	PrincipalsPerSide int `json:"principals_per_side"`

	re *rx // ordinal (optional) + up to eight capitalised words + pattern
	// names are the patterns as the name filter compares them: a text
	// that holds none of them is not run through re (the expressions were
	// most of the parse time). anyText: the filter cannot tell.
	names   []seriesName
	anyText bool
}

// seriesName is one pattern of a series as mayName compares it: a pattern
// without a space as it is (re matches it with case), one with spaces as
// its words, ASCII-lowercased (re matches it without case, each space as
// \s+).
type seriesName struct {
	exact string
	words [][]byte
}

// newSeriesNames returns the names of patterns, and false when one cannot
// be compared so (under (?i) a non-ASCII letter with other cases, or a
// pattern of spaces only).
func newSeriesNames(patterns []string) ([]seriesName, bool) {
	var out []seriesName
	for _, p := range patterns {
		if !strings.Contains(p, " ") {
			if p == "" {
				return nil, false
			}
			out = append(out, seriesName{exact: p})
			continue
		}
		for _, c := range p {
			if c >= 0x80 && unicode.SimpleFold(c) != c {
				return nil, false
			}
		}
		var n seriesName
		for _, w := range strings.Fields(p) {
			n.words = append(n.words, []byte(asciiLower(w)))
		}
		if len(n.words) == 0 {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

// mayName is false when s cannot hold a match of se.re: it holds none of
// the series' patterns (a spaced one compared in lower, s lowered by
// lowerInto, which said special when s holds a letter folding to an ASCII
// one under (?i)). What it lets through is a superset of what re finds:
// it ignores word boundaries, and a space of a pattern takes any run of
// spaces (TestSeriesNamesLetEveryMatchThrough).
func (se *series) mayName(s string, lower []byte, special bool) bool {
	if se.anyText {
		return true
	}
	for _, n := range se.names {
		if n.words == nil {
			if strings.Contains(s, n.exact) {
				return true
			}
			continue
		}
		if special || wordsIn(lower, n.words) {
			return true
		}
	}
	return false
}

// wordsIn says whether b holds words[0], then a run of regexp spaces,
// words[1], and so on.
func wordsIn(b []byte, words [][]byte) bool {
	for from := 0; ; {
		i := bytes.Index(b[from:], words[0])
		if i < 0 {
			return false
		}
		i += from
		from = i + 1
		j := i + len(words[0])
		ok := true
		for _, w := range words[1:] {
			k := j
			for k < len(b) && isRegexpSpace(b[k]) {
				k++
			}
			if k == j || !bytes.HasPrefix(b[k:], w) {
				ok = false
				break
			}
			j = k + len(w)
		}
		if ok {
			return true
		}
	}
}

// yearOf returns the year the nth meeting of the series was held, and how
// that is known, or 0 when it is not.
func (s *series) yearOf(n int) (int, string) {
	if y, ok := s.Ordinals[strconv.Itoa(n)]; ok {
		return y, "meetings.json lists it"
	}
	if s.YearOffset > 0 && n > 0 {
		return s.YearOffset + n, "one " + s.ID + " a year since " + strconv.Itoa(s.YearOffset+1)
	}
	return 0, ""
}

type kindRule struct {
	Kind  string   `json:"kind"`
	Slug  string   `json:"slug"`
	Terms []string `json:"terms"`
	// TextTerms mark the kind when found in the body ("officials said").
	TextTerms  []string `json:"text_terms"`
	re, textRe *rx
}

type place struct {
	Name    string   `json:"name"`
	Aliases []string `json:"aliases"`
}

type convention struct {
	Name        string   `json:"name"`
	DayFirst    bool     `json:"day_first"`
	URLMarkers  []string `json:"url_markers"`
	TextMarkers []string `json:"text_markers"`
}

type meetingData struct {
	Series          []*series      `json:"series"`
	Kinds           []*kindRule    `json:"kinds"`
	Places          []place        `json:"places"`
	NotPlaces       []string       `json:"not_places"`
	OrdinalWords    map[string]int `json:"ordinal_words"`
	NotOrdinalAfter []string       `json:"not_ordinal_after"`
	NotOrdinalTail  []string       `json:"not_ordinal_tail"`
	FutureWords     []string       `json:"future_words"`
	PastWords       []string       `json:"past_words"`
	VideoWords      []string       `json:"video_words"`
	HeadlineWords   []string       `json:"headline_words"`
	DialogueWords   []string       `json:"dialogue_words"`
	dialogueRe      *rx
	Conventions     []convention `json:"conventions"`
	trilateral      *series      // the series of three-party ministerial meetings
	placeRe         *rx
	welcomedToRe    *rx
	placeOf         map[string]string // lower(alias) -> name
	notPlace        map[string]bool
	futureRe        *rx
	videoRe         *rx
	notOrdinalRe    *rx
	notOrdinalTail  *rx
	headlineRe      *rx
}

// compileMeetings reads meetings.json.
func compileMeetings(b []byte) (meetingData, error) {
	var meetings meetingData
	if err := json.Unmarshal(b, &meetings); err != nil {
		return meetings, err
	}
	{
		var words []string
		for w := range meetings.OrdinalWords {
			words = append(words, w)
		}
		sortByLenDesc(words)
		// "55th", "55 th" (a PDF split the suffix off), "fourth", "Inaugural"
		ordinalPat := `(?:\b(\d{1,3})\s?(?:st|nd|rd|th)\s+|\b((?i:` + strings.Join(words, "|") + `))\s+|제\s?(\d{1,3})\s?차\s*)`
		for _, s := range meetings.Series {
			var alts, korean []string
			var ok bool
			s.names, ok = newSeriesNames(s.Patterns)
			s.anyText = !ok
			for _, p := range s.Patterns {
				a := strings.ReplaceAll(regexp.QuoteMeta(p), " ", `\s+`)
				if strings.Contains(p, " ") {
					a = `(?i:` + a + `)` // headlines in capitals
				}
				if hasHangul(p) {
					korean = append(korean, a) // no word boundaries in Korean
				} else {
					alts = append(alts, a)
				}
			}
			kor := ""
			if len(korean) > 0 {
				kor = `|(?:` + strings.Join(korean, "|") + `)`
			}
			// "55th Security Consultative Meeting", "24th Korea-U.S. Integrated
			// Defense Dialogue", "50th South Korean-U.S. Security Consultative Meeting".
			s.re = mustRx(`(?:` + ordinalPat + `(?:(?:[A-Z(“"][\w.'’()“”"+-]*|of|the|and)\s+){0,8}?)?(?:(?:\b|^|\s)(?:` + strings.Join(alts, "|") + `)(?:\b|$)` + kor + `)`)
		}
		// a future or a past meeting ("agreed at AUSMIN") is another one than the record's
		meetings.futureRe = mustRx(`(?i)(?:` + alternation(append(slices.Clone(meetings.FutureWords), meetings.PastWords...)) + `)\s+(?:the\s+|a\s+|their\s+)?(?:\S+\s+){0,3}$`)
		meetings.videoRe = phraseRx(meetings.VideoWords, true, false)
		meetings.notOrdinalRe = phraseRx(meetings.NotOrdinalAfter, true, false)
		if len(meetings.NotOrdinalTail) > 0 {
			meetings.notOrdinalTail = mustRx(`(?i)^[^.;]{0,80}?\b(?:` + alternation(meetings.NotOrdinalTail) + `)\b`)
		}
		meetings.headlineRe = mustRx(`(?i)(?:^|\s|\()(?:` + alternation(meetings.HeadlineWords) + `)(?:\b|$)`)
		meetings.dialogueRe = phraseRx(meetings.DialogueWords, true, false)
		for _, s := range meetings.Series {
			if s.Slug == "tmm" {
				meetings.trilateral = s
			}
		}
		meetings.notPlace = map[string]bool{}
		for _, w := range meetings.NotPlaces {
			meetings.notPlace[w] = true
		}
		for _, k := range meetings.Kinds {
			k.re = termsRegexp(k.Terms)
			k.textRe = termsRegexp(k.TextTerms)
		}
		meetings.placeOf = map[string]string{}
		var alts []string
		for _, p := range meetings.Places {
			for _, a := range p.Aliases {
				meetings.placeOf[strings.ToLower(a)] = p.Name
				alts = append(alts, regexp.QuoteMeta(a))
			}
		}
		// Longest alias first, so "Washington, D.C." wins over "Washington".
		sortByLenDesc(alts)
		meetings.placeRe = mustRxBranches(`\b(?:in|at)\s+(` + strings.Join(alts, "|") + `)(?:\b|$)|(` + strings.Join(alts, "|") + `)(?:\s+\S+){0,3}?에서`) // "워싱턴 D.C. 국방부 청사에서"
		meetings.welcomedToRe = mustRx(`\bwelcomed\b[^;]{0,200}?\bto\s+(` + strings.Join(alts, "|") + `)(?:,|\s+on\b|\s+for\b|\.|$)`)
	}
	return meetings, nil
}

func sortByLenDesc(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && len(s[j]) > len(s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// meetingMention is one mention of a meeting series in text.
type meetingMention struct {
	series *series
	number int
	pos    int // byte offset of the mention
	text   string
	// future: "looked forward to the 55th SCM", "agreed to hold the next
	// NCG meeting": another meeting than the record's
	future bool
}

// findMeetings returns every mention of a known series in s, in text order.
// An ordinal belongs to the mention only when nothing between says it
// counts something else ("the 70th anniversary of the Alliance").
func (r *Rules) findMeetings(s string) []meetingMention { return r.findMeetingsOf(s, "") }

// findMeetingsOf is findMeetings when only the mentions of series id count
// (id "" for all): the series that cannot yield one (any but id, and but
// the bilateral ones three parties make trilateral when id is the
// trilateral series) are not looked for. Its mentions of id are those
// findMeetings returns, in the same order.
func (r *Rules) findMeetingsOf(s, id string) []meetingMention {
	var out []meetingMention
	md := &r.meetings
	var buf [lowerBuf]byte
	lower, special := lowerShort(buf[:0], s)
	if lower == nil {
		lower, special = lowerInto(make([]byte, 0, len(s)), s)
	}
	for _, se := range md.Series {
		if id != "" && se.ID != id && !(se.PrincipalsPerSide == 0 && md.trilateral != nil && id == md.trilateral.ID) {
			continue
		}
		if !se.mayName(s, lower, special) {
			continue
		}
		for _, m := range se.re.FindAllStringSubmatchIndex(s, -1) {
			mm := meetingMention{series: se, pos: m[0], text: strings.TrimSpace(s[m[0]:m[1]])}
			switch {
			case m[2] >= 0:
				mm.number, _ = strconv.Atoi(s[m[2]:m[3]])
			case m[4] >= 0:
				mm.number = md.OrdinalWords[strings.ToLower(s[m[4]:m[5]])]
			case m[6] >= 0: // 제56차
				mm.number, _ = strconv.Atoi(s[m[6]:m[7]])
			}
			// "the first 2+2 talks in five years" counts the years, not the meetings
			if mm.number > 0 && (md.notOrdinalRe.MatchString(mm.text) || md.notOrdinalTail != nil && md.notOrdinalTail.MatchString(s[m[1]:])) {
				mm.number = 0
			}
			if len(se.Context) > 0 && !nearAny(s, m[0], m[1], se.Context) {
				continue
			}
			// the mention may start with the space before it
			before := m[0]
			if before < len(s) && (s[before] == ' ' || s[before] == '\n' || s[before] == '\t') {
				before++
			}
			if md.futureRe.MatchString(s[max(0, before-60):before]) {
				mm.future = true
			}
			// "United States–Japan–Republic of Korea Defense Ministerial
			// Meeting": three parties make a bilateral series trilateral.
			if se.PrincipalsPerSide == 0 && md.trilateral != nil && se.ID != md.trilateral.ID && threePartyRe.MatchString(s[max(0, m[0]-80):m[0]+min(len(mm.text), 12)]) {
				mm.series = md.trilateral
			}
			dup := false
			for i, o := range out {
				if o.series.ID == se.ID && m[0] < o.pos+len(o.text) && o.pos < m[1] {
					dup = true
					if mm.number > 0 && o.number == 0 {
						out[i] = mm
					}
				}
			}
			if !dup {
				out = append(out, mm)
			}
		}
	}
	// insertion sort by position; lists are tiny
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].pos < out[j-1].pos; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// ordinalSuffix returns 1st, 2nd, 3rd, 4th, 11th, 22nd ...
func ordinalSuffix(n int) string {
	s := strconv.Itoa(n)
	if n%100 >= 11 && n%100 <= 13 {
		return s + "th"
	}
	switch n % 10 {
	case 1:
		return s + "st"
	case 2:
		return s + "nd"
	case 3:
		return s + "rd"
	}
	return s + "th"
}

// threePartyRe is three parties joined by dashes right before a meeting
// name: "United States–Japan–Republic of Korea", "Japan-Australia-U.S.".
var threePartyRe = mustRx(`(?:U\.S\.|US|United States|Japan|Republic of Korea|ROK|Korea|Australia)\s?[-–—]\s?(?:U\.S\.|US|United States|Japan|Republic of Korea|ROK|Korea|Australia)\s?[-–—]\s?(?:U\.S\.|US|United States|Japan|Republic of Korea|ROK|Korea|Australia)\b`)

// nearAny says whether one of words occurs within 300 bytes of s[a:b].
func nearAny(s string, a, b int, words []string) bool {
	w := s[max(0, a-300):min(len(s), b+300)]
	for _, x := range words {
		if strings.Contains(w, x) {
			return true
		}
	}
	return false
}

func meetingOf(se *series, n int) Meeting {
	m := Meeting{Series: se.ID, Number: n, Name: se.ID}
	if n > 0 {
		m.Name = ordinalSuffix(n) + " " + se.ID
	}
	return m
}

func (r *Rules) seriesByID(id string) *series {
	for _, s := range r.meetings.Series {
		if strings.EqualFold(s.ID, id) || strings.EqualFold(s.Slug, id) || strings.EqualFold(s.Name, id) {
			return s
		}
	}
	return nil
}

// placeIn returns the meeting place named in s ("held in Seoul", "in
// Singapore"), or "".
func (r *Rules) placeIn(s string) string {
	md := &r.meetings
	if m := md.placeRe.FindStringSubmatch(s); m != nil {
		// "in Washington Declaration" is a document, not a place.
		rest := s[strings.Index(s, m[0])+len(m[0]):]
		if strings.HasPrefix(rest, " Declaration") {
			return ""
		}
		return md.placeOf[strings.ToLower(m[1]+m[2])] // "in Seoul" or "서울에서"
	}
	// a host welcomes the guests to the place: "welcomed ... to Brisbane on 29 July"
	if m := md.welcomedToRe.FindStringSubmatch(s); m != nil {
		return md.placeOf[strings.ToLower(m[1])]
	}
	// A place the data does not list: "met ... in Rio de Janeiro", "held in
	// Vientiane, Laos".
	if m := otherPlaceRe.FindStringSubmatch(s); m != nil && !md.notPlace[m[1]] && !md.notPlace[strings.Fields(m[1])[0]] {
		return m[1]
	}
	return ""
}

// otherPlaceRe is a capitalised place after "in" in a sentence saying where
// a meeting was held, ended by a comma, "on", "from", "to" or the sentence end.
var otherPlaceRe = mustRx(`\b(?:held|met|meet|convened|hosted|gathered|took\s+place|meeting)\b[^.;]{0,120}?\bin\s+([A-Z][a-z]+(?:\s(?:de\s)?[A-Z][a-z]+){0,2})(?:,|\s+on\b|\s+from\b|\s+to\b|\s+for\b|\.|$|\s+\()`)

// kindOf finds the kind of record in the evidence strings, in order of
// strength (title, dropped labels, file name), then in the body text.
func (r *Rules) kindOf(body string, evidence ...string) string {
	for _, e := range evidence {
		e = strings.NewReplacer("-", " ", "_", " ").Replace(e)
		for _, k := range r.meetings.Kinds {
			if k.re.MatchString(e) {
				return k.Kind
			}
		}
	}
	for _, k := range r.meetings.Kinds {
		if k.textRe.MatchString(body) {
			return k.Kind
		}
	}
	return ""
}

func (r *Rules) kindSlug(kind string) string {
	for _, k := range r.meetings.Kinds {
		if strings.EqualFold(k.Kind, kind) {
			return k.Slug
		}
	}
	return slugify(kind)
}

func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
