package corpus

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// series is one meeting series of meetings.json.
type series struct {
	ID         string         `json:"id"`
	Slug       string         `json:"slug"`
	Name       string         `json:"name"`
	Patterns   []string       `json:"patterns"`
	YearOffset int            `json:"year_offset"`
	Ordinals   map[string]int `json:"ordinals"`

	re *regexp.Regexp // ordinal (optional) + up to six capitalised words + pattern
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
	re, textRe *regexp.Regexp
}

type place struct {
	Name    string   `json:"name"`
	Aliases []string `json:"aliases"`
}

type meetingData struct {
	Series  []*series   `json:"series"`
	Kinds   []*kindRule `json:"kinds"`
	Places  []place     `json:"places"`
	placeRe *regexp.Regexp
	placeOf map[string]string // lower(alias) -> name
}

const ordinalPat = `\b(\d{1,3})(?:st|nd|rd|th)\s+`

// compileMeetings reads meetings.json.
func compileMeetings(b []byte) (meetingData, error) {
	var meetings meetingData
	if err := json.Unmarshal(b, &meetings); err != nil {
		return meetings, err
	}
	{
		for _, s := range meetings.Series {
			alts := make([]string, len(s.Patterns))
			for i, p := range s.Patterns {
				alts[i] = strings.ReplaceAll(regexp.QuoteMeta(p), " ", `\s+`)
			}
			// "55th Security Consultative Meeting", "24th Korea-U.S. Integrated
			// Defense Dialogue", "50th South Korean-U.S. Security Consultative Meeting".
			s.re = regexp.MustCompile(`(?:` + ordinalPat + `(?:(?:[A-Z(][\w.'’()-]*|of|the)\s+){0,8}?)?\b(?:` + strings.Join(alts, "|") + `)\b`)
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
		meetings.placeRe = regexp.MustCompile(`\b(?:in|at)\s+(` + strings.Join(alts, "|") + `)(?:\b|$)`)
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
}

// findMeetings returns every mention of a known series in s, in text order.
func (r *Rules) findMeetings(s string) []meetingMention {
	var out []meetingMention
	for _, se := range r.meetings.Series {
		for _, m := range se.re.FindAllStringSubmatchIndex(s, -1) {
			mm := meetingMention{series: se, pos: m[0], text: s[m[0]:m[1]]}
			if m[2] >= 0 {
				mm.number, _ = strconv.Atoi(s[m[2]:m[3]])
			}
			out = append(out, mm)
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
		return md.placeOf[strings.ToLower(m[1])]
	}
	return ""
}

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
