package server

import (
	"html/template"
	"net/http"
	"net/url"
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
}

type paragraphView struct {
	corpus.Paragraph
	Heading   string // the section heading to show before it, when it changes
	HeadingID string
	HTML      template.HTML
	Matched   bool
	Speakers  []labelLink
	Topics    []labelLink
	Marker    *historyMarker // since the previous edition (ui_lineage.go)
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
		if pv.Matched {
			page.Matched++
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
	return s.render(c, http.StatusOK, "record", page)
}
