package server

import (
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
	"dialoguesearch/indexer"
)

// The record page (/records/{id}): a whole record, the query marked.

type recordPage struct {
	chrome
	Record     *corpus.Record
	DateText   string
	SeriesURL  string
	MeetingURL string
	Q          string
	Matched    int
	BackURL    string
	PlainURL   string
	Paragraphs []paragraphView
	Sections   []sectionLink
	Glossary   []indexer.GlossaryEntry
	History    *recordHistory // ui_lineage.go; nil outside a series

	// FirstMatch is the anchor of the first highlighted paragraph.
	FirstMatch string
	// The series around this record: the previous and next meeting, and
	// the other records of the same meeting.
	PrevMeeting, NextMeeting *siblingLink
	SameMeeting              []siblingLink
	OriginalURL              string
	CitationsURL             string
	CiteFormats              []citationFormat
	Base                     string // absolute base URL, for permalinks
	// CiteLine is the record's citation, to copy.
	CiteLine string
}

type siblingLink struct {
	Label, Title, URL string
}

type paragraphView struct {
	corpus.Paragraph
	Heading   string // the section heading to show before it, when it changes
	HeadingID string
	HTML      template.HTML
	Matched   bool
	// Label is how the paragraph is cited: its printed number, else ¶N.
	Label    string
	Speakers []labelLink // only where they differ from the record's principals
	Topics   []labelLink
	Marker   *historyMarker // since the previous edition (ui_lineage.go)
}

type sectionLink struct{ ID, Title string }

func (s *Server) handleUIRecord(c echo.Context) error {
	idx, err := s.readyIndex()
	if err != nil {
		return err
	}
	rec, err := idx.Record(c.Param("id"))
	if err != nil {
		return err
	}
	q := strings.TrimSpace(c.QueryParam("q"))
	if len([]rune(q)) > indexer.MaxQueryLength {
		return failure.Param("q", "q is longer than %d characters", indexer.MaxQueryLength)
	}
	page := recordPage{
		chrome:   chrome{Nav: "records"},
		Record:   rec,
		DateText: dateText(rec.Date),
		Q:        q,
	}
	if rec.Meeting.Series != "" {
		page.SeriesURL = "/records?" + url.Values{"series": {rec.Meeting.Series}}.Encode()
	}
	if rec.Meeting.Name != "" {
		page.MeetingURL = searchURL(url.Values{"meeting": {rec.Meeting.Name}})
	}
	if q != "" {
		page.BackURL = searchURL(url.Values{"q": {q}})
		page.PlainURL = recordURL(rec.ID, "")
	}
	// Acronyms: the record's own definitions first, then the curated ones.
	gloss := map[string]string{}
	for k, v := range corpus.CuratedAcronyms() {
		gloss[k] = v
	}
	for k, v := range rec.Glossary {
		gloss[k] = v
	}
	marks, err := recordMarks(c.Request().Context(), idx, rec, q)
	if err != nil {
		return err
	}
	abbr := newAbbrMatcher(gloss)
	page.History = historyOf(idx, rec)
	titled := map[string]bool{}
	var principals []string
	for _, pr := range rec.Principals {
		principals = append(principals, pr.Name)
	}
	section := ""
	for _, p := range rec.Paragraphs {
		pv := paragraphView{Paragraph: p}
		if p.Section != "" && p.Section != section {
			pv.Heading = p.Section
			pv.HeadingID = "s" + strconv.Itoa(p.N)
			page.Sections = append(page.Sections, sectionLink{pv.HeadingID, p.Section})
		}
		section = p.Section
		var spans []indexer.Span
		spans, pv.Matched = marks[p.N]
		pv.HTML = renderText(p.Text, spans, abbr)
		if m, ok := page.History.marker(p.N); ok {
			pv.Marker = &m
		}
		pv.HTML = onceTitled(pv.HTML, titled)
		pv.Label = paragraphLabel(p.Number, p.N)
		if pv.Matched {
			page.Matched++
			if page.FirstMatch == "" {
				page.FirstMatch = "#p" + strconv.Itoa(p.N)
			}
		}
		// Speakers every paragraph shares with the record's principals are
		// said once, in the header; a paragraph names its own.
		if sameNames(p.Speakers, principals) {
			p.Speakers = nil
		}
		for _, sp := range p.Speakers {
			pv.Speakers = append(pv.Speakers, labelLink{sp, searchURL(url.Values{"speaker": {sp}})})
		}
		for _, t := range p.Topics {
			pv.Topics = append(pv.Topics, labelLink{corpus.TopicLabel(t), searchURL(url.Values{"topic": {t}})})
		}
		page.Paragraphs = append(page.Paragraphs, pv)
	}
	// The glossary: what the record defines, and the known acronyms it uses.
	used := map[string]bool{}
	for k := range rec.Glossary {
		used[k] = true
	}
	for _, p := range rec.Paragraphs {
		for _, sp := range abbr.find(p.Text, wordSpans(p.Text)) {
			used[p.Text[sp.start:sp.end]] = true
		}
	}
	for k := range used {
		page.Glossary = append(page.Glossary, indexer.GlossaryEntry{Acronym: k, Expansion: gloss[k]})
	}
	sort.Slice(page.Glossary, func(i, j int) bool {
		return strings.ToLower(page.Glossary[i].Acronym) < strings.ToLower(page.Glossary[j].Acronym)
	})
	s.siblings(&page, rec)
	page.Base = s.absBase(c)
	if _, err := s.app.Original(rec); err == nil {
		page.OriginalURL = "/records/" + url.PathEscape(rec.ID) + "/original"
	}
	page.CitationsURL = "/api/records/" + url.PathEscape(rec.ID) + "/citations"
	page.CiteFormats = citationFormats
	page.CiteLine = recordCiteLine(rec, page.Base)
	return s.render(c, http.StatusOK, "record", page)
}

var abbrTag = regexp.MustCompile(`<abbr title="[^"]*">([^<]*)</abbr>`)

// onceTitled keeps the expansion (title) of an acronym on its first
// occurrence in the record only: the glossary lists them all, and the
// record page's script gives every later one its title again. Long records
// repeat a handful of acronyms hundreds of times.
func onceTitled(h template.HTML, seen map[string]bool) template.HTML {
	return template.HTML(abbrTag.ReplaceAllStringFunc(string(h), func(tag string) string {
		name := abbrTag.FindStringSubmatch(tag)[1]
		if !seen[name] {
			seen[name] = true
			return tag
		}
		return "<abbr>" + name + "</abbr>"
	}))
}

// recordCiteLine is the record's citation: title, meeting, date, URL.
func recordCiteLine(rec *corpus.Record, base string) string {
	parts := []string{rec.Title}
	if rec.Meeting.Name != "" && !strings.Contains(rec.Title, rec.Meeting.Name) {
		parts = append(parts, rec.Meeting.Name)
	}
	if t := dateText(rec.Date); t != "" {
		parts = append(parts, t)
	}
	return strings.Join(parts, ", ") + ". " + base + "/records/" + url.PathEscape(rec.ID)
}

// sameNames reports whether a holds exactly the names of b (any order);
// an empty a is never "the same".
func sameNames(a, b []string) bool {
	if len(a) == 0 || len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range b {
		seen[x]++
	}
	for _, x := range a {
		if seen[x] == 0 {
			return false
		}
		seen[x]--
	}
	return true
}

// siblings fills the links to the previous and next meeting of the
// record's series (by date, then ordinal) and to the other records of its
// meeting.
func (s *Server) siblings(page *recordPage, rec *corpus.Record) {
	if rec.Meeting.Name == "" {
		return
	}
	idx, err := s.readyIndex()
	if err != nil {
		return
	}
	all, err := idx.Records()
	if err != nil {
		return
	}
	type meeting struct {
		name, date string
		n          int
		first      indexer.RecordSummary
	}
	byName := map[string]*meeting{}
	for _, r := range all {
		if r.ID == rec.ID {
			continue
		}
		if r.Meeting.Name == rec.Meeting.Name {
			page.SameMeeting = append(page.SameMeeting, siblingLink{Label: r.Kind, Title: r.Title, URL: recordURL(r.ID, "")})
			continue
		}
		if rec.Meeting.Series == "" || r.Meeting.Series != rec.Meeting.Series {
			continue
		}
		m := byName[r.Meeting.Name]
		if m == nil {
			m = &meeting{name: r.Meeting.Name, date: string(r.Date), n: r.Meeting.Number, first: r}
			byName[r.Meeting.Name] = m
		} else if string(r.Date) < m.date {
			m.date, m.first = string(r.Date), r
		}
	}
	sort.Slice(page.SameMeeting, func(i, j int) bool { return page.SameMeeting[i].Title < page.SameMeeting[j].Title })
	// before reports whether meeting (date d, ordinal n) comes before this
	// record's meeting.
	cmp := func(d string, n int) int {
		switch {
		case d != "" && rec.Date != "" && d != string(rec.Date):
			return strings.Compare(d, string(rec.Date))
		case n != 0 && rec.Meeting.Number != 0 && n != rec.Meeting.Number:
			if n < rec.Meeting.Number {
				return -1
			}
			return 1
		}
		return 0
	}
	var prev, next *meeting
	for _, m := range byName {
		switch c := cmp(m.date, m.n); {
		case c < 0 && (prev == nil || m.date > prev.date || m.date == prev.date && m.n > prev.n):
			prev = m
		case c > 0 && (next == nil || m.date < next.date || m.date == next.date && m.n < next.n):
			next = m
		}
	}
	link := func(m *meeting) *siblingLink {
		if m == nil {
			return nil
		}
		return &siblingLink{Label: m.name, Title: m.first.Title, URL: recordURL(m.first.ID, "")}
	}
	page.PrevMeeting, page.NextMeeting = link(prev), link(next)
}
