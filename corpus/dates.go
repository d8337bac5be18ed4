package corpus

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The date forms the publishers use, written as patterns (a general date
// library was measured too slow for the parse-speed target; see
// docs/corpus.md). Every pattern may lack the year; a mention without one
// gets a year only from evidence (dateFor).
const (
	monthPat = `(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?`
	ordSuf   = `(?:st|nd|rd|th)?`
	weekdayP = `(?:\s*\(\s*(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?\s*\))?`
	rangeSep = `\s*(?:-|–|—|~|to|and|through|until)\s*`
)

var (
	// "November 13, 2023", "Oct. 30 2024", "March14-15, 2022",
	// "March 3(Fri)", "from April 11 to 12, 2023", "July 25-26",
	// "October 30 - November 1, 2024"
	mdyRe = mustRx(`\b` + monthPat + `\s*(\d{1,2})` + ordSuf + weekdayP +
		`(?:` + rangeSep + `(?:` + monthPat + `\s*)?(\d{1,2})` + ordSuf + weekdayP + `)?(?:,?\s*(\d{4}))?(?:\b|$)`)
	// "13 November 2023", "28-29 July 2023", "6 Aug 2024"
	dmyRe = mustRx(`\b(\d{1,2})` + ordSuf + `(?:` + rangeSep + `(\d{1,2})` + ordSuf + `)?\s+(?:of\s+)?` + monthPat + `,?(?:\s+(\d{4}))?(?:\b|$)`)
	// "2024-10-31", "2024. 10. 30.", "2024.06.02", "2024/06/02"
	ymdRe = mustRx(`\b(\d{4})\s*([-./])\s*(\d{1,2})\s*[-./]\s*(\d{1,2})\b\.?`)
	// "'22.09.16"
	yymdRe = mustRx(`['’‘](\d{2})\.(\d{1,2})\.(\d{1,2})\b`)
	// "2024년 10월 30일", "10월 30~31일"
	koRe = mustRx(`(?:(\d{4})\s*년\s*)?(\d{1,2})\s*월\s*(\d{1,2})\s*일?(?:\s*[~-]\s*(\d{1,2})\s*일)?`)
	// "06/08/2024", "05.10.2023": day-first or month-first
	numRe = mustRx(`\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b`)
	// "on Friday", "from Monday to Tuesday"
	weekdayRe = mustRx(`\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)(?:` + rangeSep + `(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))?\b`)
	// "this year's 50th ... Security Consultative Meeting"
	thisYearRe = mustRx(`(?i)\bthis\s+year['’]s\s+`)
	// a year in a URL path: /2024/07/, AEN20230919...
	urlYearRe = mustRx(`(?:^|[/_=-])((?:19|20)\d{2})(?:[/_-](\d{2})(?:[/_-](\d{2}))?)?(?:[/_.-]|$)|[A-Z]((?:19|20)\d{2})(\d{2})(\d{2})\d*`)
)

func monthNum(m string) time.Month {
	m = strings.ToLower(strings.TrimSuffix(m, "."))
	if len(m) < 3 {
		return 0
	}
	for i := time.January; i <= time.December; i++ {
		if strings.HasPrefix(strings.ToLower(i.String()), m[:3]) {
			return i
		}
	}
	return 0
}

func mkDate(y int, m time.Month, d int) (Date, bool) {
	if y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31 {
		return "", false
	}
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d { // February 30
		return "", false
	}
	return Date(t.Format(time.DateOnly)), true
}

// dateMention is a date found in text, with or without its year.
type dateMention struct {
	year           int // 0: not stated
	month          time.Month
	day            int
	endMonth       time.Month // 0: no range
	endDay         int
	text           string
	pos, end       int
	ambiguous      bool // numeric, day and month could be swapped
	weekday        time.Weekday
	endWeekday     time.Weekday
	isWeekday      bool // "on Friday": a day relative to the publication date
	numericSwapped bool
}

func (m dateMention) hasYear() bool { return m.year > 0 }

// dates returns every date mention in s, in text order; overlapping
// matches of later patterns are skipped.
func findDates(s string) []dateMention {
	var out []dateMention
	taken := func(a, b int) bool {
		for _, m := range out {
			if a < m.end && b > m.pos {
				return true
			}
		}
		return false
	}
	add := func(m dateMention) {
		if m.month < 1 || m.month > 12 || m.day < 1 || m.day > 31 || taken(m.pos, m.end) {
			return
		}
		if m.endDay != 0 && m.endMonth == 0 {
			m.endMonth = m.month
		}
		if m.endDay != 0 && (m.endMonth == m.month && m.endDay <= m.day || m.endDay > 31) {
			m.endDay, m.endMonth = 0, 0
		}
		m.text = strings.TrimSpace(s[m.pos:m.end])
		out = append(out, m)
	}
	atoi := func(a, b int) int {
		if a < 0 {
			return 0
		}
		n, _ := strconv.Atoi(s[a:b])
		return n
	}
	if strings.IndexByte(s, '-') >= 0 || strings.IndexByte(s, '.') >= 0 || strings.IndexByte(s, '/') >= 0 {
		for _, m := range ymdRe.FindAllStringSubmatchIndex(s, -1) {
			add(dateMention{year: atoi(m[2], m[3]), month: time.Month(atoi(m[6], m[7])), day: atoi(m[8], m[9]), pos: m[0], end: m[1]})
		}
		for _, m := range yymdRe.FindAllStringSubmatchIndex(s, -1) {
			add(dateMention{year: 2000 + atoi(m[2], m[3]), month: time.Month(atoi(m[4], m[5])), day: atoi(m[6], m[7]), pos: m[0], end: m[1]})
		}
		for _, m := range numRe.FindAllStringSubmatchIndex(s, -1) {
			a, b, y := atoi(m[2], m[3]), atoi(m[4], m[5]), atoi(m[6], m[7])
			dm := dateMention{year: y, month: time.Month(a), day: b, pos: m[0], end: m[1]}
			switch {
			case a > 12 && b <= 12:
				dm.month, dm.day = time.Month(b), a
			case a <= 12 && b <= 12 && a != b:
				dm.ambiguous = true
			}
			add(dm)
		}
	}
	for _, m := range mdyRe.FindAllStringSubmatchIndex(s, -1) {
		dm := dateMention{year: atoi(m[10], m[11]), month: monthNum(s[m[2]:m[3]]), day: atoi(m[4], m[5]), pos: m[0], end: m[1]}
		if m[8] >= 0 {
			dm.endDay = atoi(m[8], m[9])
			if m[6] >= 0 {
				dm.endMonth = monthNum(s[m[6]:m[7]])
			}
		}
		add(dm)
	}
	for _, m := range dmyRe.FindAllStringSubmatchIndex(s, -1) {
		dm := dateMention{year: atoi(m[8], m[9]), month: monthNum(s[m[6]:m[7]]), day: atoi(m[2], m[3]), pos: m[0], end: m[1]}
		if m[4] >= 0 {
			dm.endDay = atoi(m[4], m[5])
		}
		add(dm)
	}
	if hasHangul(s) {
		for _, m := range koRe.FindAllStringSubmatchIndex(s, -1) {
			dm := dateMention{year: atoi(m[2], m[3]), month: time.Month(atoi(m[4], m[5])), day: atoi(m[6], m[7]), pos: m[0], end: m[1]}
			if m[8] >= 0 {
				dm.endDay = atoi(m[8], m[9])
			}
			add(dm)
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].pos < out[j-1].pos; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func hasHangul(s string) bool {
	for _, r := range s {
		if r >= 0xAC00 && r <= 0xD7A3 {
			return true
		}
	}
	return false
}

// weekdays returns "on Friday", "from Monday to Tuesday" mentions of s.
func weekdays(s string) []dateMention {
	var out []dateMention
	for _, m := range weekdayRe.FindAllStringSubmatchIndex(s, -1) {
		dm := dateMention{isWeekday: true, weekday: weekdayNum(s[m[2]:m[3]]), endWeekday: -1, pos: m[0], end: m[1], text: s[m[0]:m[1]]}
		if m[4] >= 0 {
			dm.endWeekday = weekdayNum(s[m[4]:m[5]])
		}
		out = append(out, dm)
	}
	return out
}

func weekdayNum(s string) time.Weekday {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if d.String() == s {
			return d
		}
	}
	return time.Sunday
}

// onWeekday returns the last day on or before pub that is a wd.
func onWeekday(pub Date, wd time.Weekday) (Date, bool) {
	t, ok := pub.Time()
	if !ok {
		return "", false
	}
	for t.Weekday() != wd {
		t = t.AddDate(0, 0, -1)
	}
	return Date(t.Format(time.DateOnly)), true
}

// dateline returns the date of a line that is nothing but a date, a
// labelled date ("date 2024-10-31", "Release content 7 August 2024",
// "NEWS | Nov. 13, 2023") or a news dateline ("SEOUL, Oct. 30 (Yonhap) --").
func datelineOf(line string) (dateMention, bool) {
	line = strings.TrimSpace(line)
	if len(line) > 80 || len(line) < 6 {
		return dateMention{}, false
	}
	ds := findDates(line)
	if len(ds) != 1 {
		return dateMention{}, false
	}
	rest := strings.TrimSpace(line[:ds[0].pos] + " " + line[ds[0].end:])
	rest = strings.Trim(rest, " |:-–—,()[]")
	if len(rest) <= 20 || len(strings.Fields(rest)) <= 3 {
		return ds[0], true
	}
	return dateMention{}, false
}

// dayFirstConvention says how the record writes numeric dates: day first
// (true, "05/10/2023" is 5 October), month first (false), or unknown (ok
// false). The record's own word dates show it ("6 August 2024" against
// "August 6, 2024"), else the publisher: the source_url's host or the
// publisher markers of meetings.json (an Australian or British site).
func (r *Rules) dayFirstConvention(text, sourceURL string) (dayFirst bool, why string, ok bool) {
	nd, nm := 0, 0
	for _, m := range findDates(text) {
		if m.ambiguous || m.year == 0 {
			continue
		}
		if mdyRe.MatchString(m.text) && !dmyRe.MatchString(m.text) {
			nm++
		} else if dmyRe.MatchString(m.text) {
			nd++
		}
	}
	switch {
	case nd > nm:
		return true, "the record writes its other dates day first", true
	case nm > nd:
		return false, "the record writes its other dates month first", true
	}
	for _, c := range r.meetings.Conventions {
		for _, mk := range c.URLMarkers {
			if sourceURL != "" && strings.Contains(sourceURL, mk) {
				return c.DayFirst, fmt.Sprintf("the source %s is a %s site", sourceURL, c.Name), true
			}
		}
		for _, mk := range c.TextMarkers {
			if strings.Contains(text, mk) {
				return c.DayFirst, fmt.Sprintf("the record shows a %s publisher (%q)", c.Name, mk), true
			}
		}
	}
	return false, "", false
}

// urlDate returns the year (and month and day when there) in a source URL's
// path: ".../article/2024/07/...", "...AEN20230919...".
func urlDate(u string) (y int, m time.Month, d int) {
	if u == "" {
		return 0, 0, 0
	}
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	if i := strings.IndexByte(u, '/'); i >= 0 {
		u = u[i:]
	} else {
		return 0, 0, 0
	}
	for _, sm := range urlYearRe.FindAllStringSubmatch(u, -1) {
		if sm[1] != "" {
			y, _ = strconv.Atoi(sm[1])
			mo, _ := strconv.Atoi(sm[2])
			d, _ = strconv.Atoi(sm[3])
			if mo < 1 || mo > 12 {
				mo, d = 0, 0
			}
			return y, time.Month(mo), d
		}
		if sm[4] != "" {
			y, _ = strconv.Atoi(sm[4])
			mo, _ := strconv.Atoi(sm[5])
			d, _ = strconv.Atoi(sm[6])
			if mo >= 1 && mo <= 12 && d >= 1 && d <= 31 {
				return y, time.Month(mo), d
			}
			return y, 0, 0
		}
	}
	return 0, 0, 0
}

// yearEvidence finds a year for a record whose text gives none: a mention of
// "this year's Nth <series>" whose year the ordinal tables know, or the
// record's own meeting ordinal. It returns the year and the reason.
func (r *Rules) yearEvidence(text string, own Meeting) (int, string) {
	for _, loc := range thisYearRe.FindAllStringIndex(text, -1) {
		rest := text[loc[1]:min(len(text), loc[1]+300)]
		ms := r.findMeetings(rest)
		if len(ms) == 0 || ms[0].pos != 0 || ms[0].number == 0 {
			continue
		}
		if y, how := ms[0].series.yearOf(ms[0].number); y > 0 {
			return y, fmt.Sprintf("the text speaks of \"%s%s\", and the %s %s was held in %d (%s)",
				text[loc[0]:loc[1]], ms[0].text, ordinalSuffix(ms[0].number), ms[0].series.ID, y, how)
		}
	}
	if own.Number > 0 {
		if se := r.seriesByID(own.Series); se != nil {
			if y, how := se.yearOf(own.Number); y > 0 {
				return y, fmt.Sprintf("the record is about the %s, held in %d (%s)", own.Name, y, how)
			}
		}
	}
	return 0, ""
}
