package corpus

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

const monthPat = `(January|February|March|April|May|June|July|August|September|October|November|December|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)`

var (
	// "November 13, 2023", "July 25-26, 2018", "Oct. 30 2024"
	mdyRe = regexp.MustCompile(`\b` + monthPat + `\s+(\d{1,2})(?:st|nd|rd|th)?(?:\s*[-–]\s*\d{1,2})?,?\s+(\d{4})\b`)
	// "13 November 2023"
	dmyRe = regexp.MustCompile(`\b(\d{1,2})\s+` + monthPat + `,?\s+(\d{4})\b`)
	// "2024-10-31"
	isoRe = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
	// "held July 25-26" with no year
	mdRe = regexp.MustCompile(`\b` + monthPat + `\s+(\d{1,2})(?:st|nd|rd|th)?(?:\s*[-–]\s*(\d{1,2}))?\b`)
	// a block that is only a date: a dateline ("April 11, 2024") or a
	// publication line ("date 2024-10-31")
	datelineRe = regexp.MustCompile(`^(?i:(?:date|dated|published|posted|released|updated)\s*:?\s*)?(.{6,30})$`)
	// "this year's 50th ... Security Consultative Meeting"
	thisYearRe = regexp.MustCompile(`(?i)\bthis\s+year['’]s\s+`)
)

func monthNum(m string) time.Month {
	m = strings.ToLower(strings.TrimSuffix(m, "."))
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

// fullDate is a date with a year found in text.
type fullDate struct {
	date Date
	text string
	pos  int
}

// fullDates returns every date with day, month and year in s, in order.
func fullDates(s string) []fullDate {
	var out []fullDate
	for _, m := range mdyRe.FindAllStringSubmatchIndex(s, -1) {
		d, _ := strconv.Atoi(s[m[4]:m[5]])
		y, _ := strconv.Atoi(s[m[6]:m[7]])
		if dt, ok := mkDate(y, monthNum(s[m[2]:m[3]]), d); ok {
			out = append(out, fullDate{dt, s[m[0]:m[1]], m[0]})
		}
	}
	for _, m := range dmyRe.FindAllStringSubmatchIndex(s, -1) {
		d, _ := strconv.Atoi(s[m[2]:m[3]])
		y, _ := strconv.Atoi(s[m[6]:m[7]])
		if dt, ok := mkDate(y, monthNum(s[m[4]:m[5]]), d); ok {
			out = append(out, fullDate{dt, s[m[0]:m[1]], m[0]})
		}
	}
	for _, m := range isoRe.FindAllStringSubmatchIndex(s, -1) {
		y, _ := strconv.Atoi(s[m[2]:m[3]])
		mo, _ := strconv.Atoi(s[m[4]:m[5]])
		d, _ := strconv.Atoi(s[m[6]:m[7]])
		if dt, ok := mkDate(y, time.Month(mo), d); ok {
			out = append(out, fullDate{dt, s[m[0]:m[1]], m[0]})
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].pos < out[j-1].pos; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// dateline returns the date of a block that is nothing but a date.
func dateline(block string) (Date, bool) {
	m := datelineRe.FindStringSubmatch(strings.TrimSpace(block))
	if m == nil {
		return "", false
	}
	ds := fullDates(m[1])
	if len(ds) == 1 && len(strings.TrimSpace(strings.Replace(m[1], ds[0].text, "", 1))) <= 12 {
		return ds[0].date, true
	}
	return "", false
}

// monthDay is a date without a year ("held July 25-26").
type monthDay struct {
	month time.Month
	day   int
	text  string
}

func monthDays(s string) []monthDay {
	var out []monthDay
	for _, m := range mdRe.FindAllStringSubmatchIndex(s, -1) {
		d, _ := strconv.Atoi(s[m[4]:m[5]])
		mo := monthNum(s[m[2]:m[3]])
		if mo == 0 || d < 1 || d > 31 {
			continue
		}
		out = append(out, monthDay{mo, d, s[m[0]:m[1]]})
	}
	return out
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
