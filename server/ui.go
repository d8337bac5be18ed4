package server

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"math"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
	"dialoguesearch/indexer"
	"dialoguesearch/ui"
)

// The browser UI: server-rendered pages from package ui over the same
// search as the JSON API (parseSearchParams, s.search). Every state of a
// page is in its URL; forms submit with GET.

// registerUIRoutes adds the browser UI's routes (/, /records, /glossary,
// static assets); called from the route table in server.go.
func (s *Server) registerUIRoutes() {
	e := s.e
	e.GET("/", s.handleUISearch)
	e.GET("/records", s.handleUIRecords)
	e.GET("/records/:id", s.handleUIRecord)
	e.GET("/glossary", s.handleUIGlossary)
	e.GET("/static/*", s.handleStatic)
}

// chrome is what the layout needs on every page.
type chrome struct {
	Nav string // "search", "records", "glossary": the current nav entry
}

// render writes a UI page with status.
func (s *Server) render(c echo.Context, status int, page string, data any) error {
	var buf bytes.Buffer
	if err := ui.Render(&buf, page, data); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.HTMLBlob(status, buf.Bytes())
}

// isUIPath reports whether path belongs to the browser UI, whose errors are
// always HTML pages.
func isUIPath(p string) bool {
	return p == "/" || p == "/records" || strings.HasPrefix(p, "/records/") ||
		p == "/glossary" || strings.HasPrefix(p, "/static/")
}

// machinePaths answer errors as JSON even to a browser.
var machinePaths = []string{"/healthz", "/readyz", "/metrics"}

type errorPage struct {
	chrome
	Status  int
	Heading string
	Message string
}

// uiErrorPage renders a friendly HTML error page for a browser request to a
// UI path (or any non-API path a browser asks for) and reports whether it
// did; when it returns false the error is answered as JSON.
func (s *Server) uiErrorPage(c echo.Context, status int, e apiError) bool {
	r := c.Request()
	p := r.URL.Path
	for _, m := range machinePaths {
		if p == m {
			return false
		}
	}
	if !isUIPath(p) && !strings.Contains(r.Header.Get("Accept"), "text/html") {
		return false
	}
	page := errorPage{Status: status, Message: e.Message}
	switch status {
	case http.StatusNotFound:
		page.Heading = "Page not found"
		page.Message = "There is no page at this address. The record may have been removed, or the link mistyped."
		if strings.HasPrefix(p, "/records/") {
			page.Heading = "Record not found"
			page.Message = "There is no record " + strconv.Quote(strings.TrimPrefix(p, "/records/")) + ". It may have been removed from the corpus; search for its title instead."
		}
	case http.StatusBadRequest:
		page.Heading = "That request could not be understood"
	case http.StatusTooManyRequests:
		page.Heading = "Too many requests"
	case http.StatusServiceUnavailable:
		page.Heading = "Not ready yet"
		page.Message = e.Message + ". Try again in a few seconds."
	default:
		page.Heading = http.StatusText(status)
		if status >= 500 {
			page.Heading = "Something went wrong"
			page.Message = "The server could not answer this request. It has been logged; please try again."
		}
	}
	if r.Method == http.MethodHead {
		_ = c.NoContent(status)
		return true
	}
	if err := s.render(c, status, "error", page); err != nil {
		s.log.Error("render error page", "request_id", requestID(c), "err", err)
		return false
	}
	return true
}

// handleStatic serves the embedded assets. A request carrying the current
// content hash (?v=, as every page links them) may be cached for ever.
func (s *Server) handleStatic(c echo.Context) error {
	name := path.Clean(c.Param("*"))
	v, ok := ui.AssetVersion(name)
	if !ok {
		return echo.ErrNotFound
	}
	b, err := fs.ReadFile(ui.Static, name)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	if c.QueryParam("v") == v {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	h.Set("ETag", `"`+v+`"`)
	http.ServeContent(c.Response(), c.Request(), name, time.Time{}, bytes.NewReader(b))
	return nil
}

// ---- search page ----

// uiFacets are the facets of the sidebar, in order.
var uiFacets = []string{"series", "meeting", "speaker", "topic", "location", "side", "kind"}

var facetLabels = map[string]string{
	"series": "Series", "meeting": "Meeting", "speaker": "Speaker", "topic": "Topic",
	"location": "Location", "side": "Side", "kind": "Record kind", "year": "Year",
}

// facetShown is how many values of a facet show before "more".
const facetShown = 8

type searchPage struct {
	chrome
	Q, From, To string
	Sort        string
	DefaultSort string
	SortOptions []option
	Hidden      []hidden
	Error       string

	Total     uint64
	TotalText string
	Took      string
	FirstRank int
	Hits      []hitView
	Facets    []facetView
	AnyFacet  bool // some facet has values to show
	Chips     []chip
	ClearURL  string
	Timeline  *timelineView
	Pager     pager
	// FirstPageURL is the search without its page number.
	FirstPageURL string

	Suggestion    string
	SuggestionURL string
	CSVURL        string
	// Params is the search's query string without page (for "save as
	// alert" and similar actions on the whole search).
	Params string
}

type option struct {
	Value, Label string
	Count        int
	Selected     bool
}

type hidden struct{ Name, Value string }

type hitView struct {
	indexer.Hit
	URL      string
	DateText string
	Snippet  template.HTML
	Speakers []labelLink
	Topics   []labelLink
}

type labelLink struct{ Label, URL string }

type facetView struct {
	Name, Label string
	Values      []facetValueView
	More        []facetValueView // past the first facetShown, unselected
}

type facetValueView struct {
	Facet, ID, Value, Label string
	Count                   int
	Selected                bool
}

type chip struct{ Facet, Label, RemoveURL string }

type pager struct {
	Prev, Next string
	Pages      []pageLink
}

type pageLink struct {
	N       int
	URL     string
	Current bool
	Gap     bool
}

// cleanParams is v without empty values and without page: the state of a
// search that links build on.
func cleanParams(v url.Values) url.Values {
	out := url.Values{}
	for k, vals := range v {
		if k == "page" {
			continue
		}
		for _, s := range vals {
			if strings.TrimSpace(s) != "" {
				out.Add(k, s)
			}
		}
	}
	return out
}

func cloneParams(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vals := range v {
		out[k] = append([]string(nil), vals...)
	}
	return out
}

func searchURL(v url.Values) string {
	if len(v) == 0 {
		return "/"
	}
	return "/?" + v.Encode()
}

// withValue returns v with value added to facet (if not there).
func withValue(v url.Values, facet, value string) url.Values {
	out := cloneParams(v)
	for _, s := range out[facet] {
		if s == value {
			return out
		}
	}
	out.Add(facet, value)
	return out
}

// withoutValue returns v with value removed from facet.
func withoutValue(v url.Values, facet, value string) url.Values {
	out := cloneParams(v)
	var keep []string
	for _, s := range out[facet] {
		if s != value {
			keep = append(keep, s)
		}
	}
	if len(keep) == 0 {
		delete(out, facet)
	} else {
		out[facet] = keep
	}
	return out
}

func facetValueLabel(facet, value string) string {
	if facet == "topic" {
		return corpus.TopicLabel(value)
	}
	return value
}

func (s *Server) handleUISearch(c echo.Context) error {
	raw := c.QueryParams()
	params := cleanParams(raw)
	page := searchPage{
		chrome: chrome{Nav: "search"},
		Q:      strings.TrimSpace(raw.Get("q")),
		From:   raw.Get("from"),
		To:     raw.Get("to"),
	}
	for _, k := range []string{"size", "timeline"} {
		if v := params.Get(k); v != "" {
			page.Hidden = append(page.Hidden, hidden{k, v})
		}
	}
	req, err := parseSearchParams(raw)
	var res *indexer.Result
	if err == nil {
		res, err = s.search(c, req)
	}
	page.DefaultSort = indexer.SortRelevance
	if page.Q == "" {
		page.DefaultSort = indexer.SortDateDesc
	}
	page.Sort = req.Sort
	if page.Sort == "" {
		page.Sort = page.DefaultSort
	}
	for _, o := range []option{
		{Value: indexer.SortRelevance, Label: "Relevance"},
		{Value: indexer.SortDateDesc, Label: "Newest first"},
		{Value: indexer.SortDateAsc, Label: "Oldest first"},
	} {
		o.Selected = o.Value == page.Sort
		page.SortOptions = append(page.SortOptions, o)
	}
	page.Chips, page.ClearURL = chips(params)
	if err != nil {
		if failure.KindOf(err) != failure.BadInput {
			return err
		}
		// A bad query is the user's to fix: show it in the page, with the
		// form still filled in, as a 400.
		page.Error = failure.Message(err)
		page.Facets = facetViews(params, req, nil)
		page.AnyFacet = len(page.Chips) > 0
		return s.render(c, http.StatusBadRequest, "search", page)
	}

	page.Params = params.Encode()
	page.CSVURL = "/api/search.csv"
	if page.Params != "" {
		page.CSVURL += "?" + page.Params
	}
	page.Total = res.Total
	page.TotalText = thousands(res.Total)
	page.Took = formatTook(res.Took)
	page.FirstRank = (req.Page-1)*req.Size + 1
	for _, h := range res.Hits {
		page.Hits = append(page.Hits, hitView_(h, page.Q, params))
	}
	page.Facets = facetViews(params, req, res.Facets)
	for _, f := range page.Facets {
		page.AnyFacet = page.AnyFacet || len(f.Values) > 0
	}
	page.Timeline = s.timeline(params, req, res)
	page.Pager = pagerFor(params, req, res.Total)
	page.FirstPageURL = searchURL(params)
	if len(res.Hits) == 0 && res.Suggestion != nil && *res.Suggestion != "" && *res.Suggestion != page.Q {
		page.Suggestion = *res.Suggestion
		sv := cloneParams(params)
		sv.Set("q", page.Suggestion)
		page.SuggestionURL = searchURL(sv)
	}
	return s.render(c, http.StatusOK, "search", page)
}

// hitView_ prepares one hit; the snippet is the only HTML inserted as is: the
// indexer builds it from escaped text and <mark> tags.
func hitView_(h indexer.Hit, q string, params url.Values) hitView {
	v := hitView{Hit: h, DateText: dateText(h.Date), Snippet: template.HTML(h.SnippetHTML)}
	if h.SnippetHTML == "" {
		v.Snippet = template.HTML(template.HTMLEscapeString(h.Text))
	}
	v.URL = recordURL(h.RecordID, q) + "#p" + strconv.Itoa(h.N)
	for _, sp := range h.Speakers {
		v.Speakers = append(v.Speakers, labelLink{sp, searchURL(withValue(params, "speaker", sp))})
	}
	for _, t := range h.Topics {
		v.Topics = append(v.Topics, labelLink{corpus.TopicLabel(t), searchURL(withValue(params, "topic", t))})
	}
	return v
}

func recordURL(id, q string) string {
	u := "/records/" + url.PathEscape(id)
	if q != "" {
		u += "?" + url.Values{"q": {q}}.Encode()
	}
	return u
}

func chips(params url.Values) (out []chip, clearURL string) {
	for _, name := range indexer.FacetNames {
		for _, v := range params[name] {
			out = append(out, chip{facetLabels[name], facetValueLabel(name, v), searchURL(withoutValue(params, name, v))})
		}
	}
	for _, d := range []struct{ name, label string }{{"from", "From"}, {"to", "To"}} {
		if v := params.Get(d.name); v != "" {
			rest := cloneParams(params)
			rest.Del(d.name)
			out = append(out, chip{d.label, v, searchURL(rest)})
		}
	}
	clear := url.Values{}
	for _, k := range []string{"q", "sort", "size", "timeline"} {
		if v := params.Get(k); v != "" {
			clear.Set(k, v)
		}
	}
	return out, searchURL(clear)
}

func facetViews(params url.Values, req indexer.Request, facets map[string][]indexer.FacetValue) []facetView {
	var out []facetView
	for _, name := range uiFacets {
		fv := facetView{Name: name, Label: facetLabels[name]}
		selected := map[string]bool{}
		for _, v := range params[name] {
			selected[v] = true
		}
		seen := map[string]bool{}
		var all []facetValueView
		for _, v := range facets[name] {
			if strings.TrimSpace(v.Value) == "" {
				continue // a record without the field (no location): nothing to tick
			}
			seen[v.Value] = true
			all = append(all, facetValueView{Value: v.Value, Count: v.Count, Selected: v.Selected || selected[v.Value]})
		}
		// A selected value the index no longer counts still shows, ticked,
		// so that it can be unticked.
		for _, v := range params[name] {
			if !seen[v] {
				seen[v] = true
				all = append(all, facetValueView{Value: v, Selected: true})
			}
		}
		for i := range all {
			all[i].Facet = name
			all[i].ID = "f-" + name + "-" + strconv.Itoa(i)
			all[i].Label = facetValueLabel(name, all[i].Value)
		}
		for i, v := range all {
			if i < facetShown || v.Selected {
				fv.Values = append(fv.Values, v)
			} else {
				fv.More = append(fv.More, v)
			}
		}
		out = append(out, fv)
	}
	return out
}

func pagerFor(params url.Values, req indexer.Request, total uint64) pager {
	reach := total
	if reach > MaxResultWindow {
		reach = MaxResultWindow
	}
	last := int((reach + uint64(req.Size) - 1) / uint64(req.Size))
	if last <= 1 {
		return pager{}
	}
	link := func(n int) string {
		v := cloneParams(params)
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		return searchURL(v)
	}
	var p pager
	if req.Page > 1 {
		p.Prev = link(req.Page - 1)
	}
	if req.Page < last {
		p.Next = link(req.Page + 1)
	}
	prevN := 0
	for n := 1; n <= last; n++ {
		if n != 1 && n != last && (n < req.Page-2 || n > req.Page+2) {
			continue
		}
		if prevN != 0 && n > prevN+1 {
			p.Pages = append(p.Pages, pageLink{Gap: true})
		}
		p.Pages = append(p.Pages, pageLink{N: n, URL: link(n), Current: n == req.Page})
		prevN = n
	}
	return p
}

// ---- timeline ----

type timelineView struct {
	Unit   string // "year" or "meeting"
	Switch []timelineSwitch
	Height int
	BaseY  int
	Bars   []barView
}

type timelineSwitch struct {
	Label, URL string
	Current    bool
}

// barView is one bar; x positions are percentages of the chart's width so
// that the chart fills any width while its text keeps its size.
type barView struct {
	Label, Short string
	Count        int
	URL          string
	Selected     bool
	X, W, CX     string
	Y, H         int
	SlotH        int
	CountY       int
	LabelY       int
}

const (
	chartHeight = 130
	chartTop    = 18 // room for the count above the tallest bar
	chartBottom = 22 // room for the labels
)

type barData struct {
	label, value string
	count        int
}

// timeline draws matching paragraphs per year (from the year facet, with
// the years in between at zero) or per meeting (meetings in date order).
// A bar links to the search filtered to its year or meeting, or back out of
// it when it is the one selected.
func (s *Server) timeline(params url.Values, req indexer.Request, res *indexer.Result) *timelineView {
	unit := "year"
	if params.Get("timeline") == "meeting" {
		unit = "meeting"
	}
	tv := &timelineView{Unit: unit, Height: chartHeight, BaseY: chartHeight - chartBottom}
	for _, u := range []string{"year", "meeting"} {
		v := cloneParams(params)
		if u == "year" {
			v.Del("timeline")
		} else {
			v.Set("timeline", u)
		}
		tv.Switch = append(tv.Switch, timelineSwitch{Label: "by " + u, URL: searchURL(v), Current: u == unit})
	}
	var data []barData
	if unit == "year" {
		data = yearBars(res.Facets["year"])
	} else {
		data = s.meetingBars(res.Facets["meeting"])
	}
	if len(data) == 0 {
		return tv
	}
	selected := map[string]bool{}
	for _, v := range params[unit] {
		selected[v] = true
	}
	max := 1
	for _, d := range data {
		if d.count > max {
			max = d.count
		}
	}
	n := len(data)
	slot := 100.0 / float64(n)
	width := math.Min(slot*0.7, 12)
	plot := tv.BaseY - chartTop
	// Long meeting names are shortened; with many bars only every k-th
	// label shows (each bar's full label is in its <title>).
	every := 1
	if n > 12 {
		every = (n + 11) / 12
	}
	for i, d := range data {
		h := 0
		if d.count > 0 {
			h = int(math.Round(float64(d.count) / float64(max) * float64(plot)))
			if h < 2 {
				h = 2
			}
		}
		b := barView{
			Label: d.label, Count: d.count, Selected: selected[d.value],
			X:  pct(slot*float64(i) + (slot-width)/2),
			W:  pct(width),
			CX: pct(slot*float64(i) + slot/2),
			Y:  tv.BaseY - h, H: h, SlotH: tv.BaseY,
			CountY: tv.BaseY - h - 5,
			LabelY: tv.BaseY + 15,
		}
		if i%every == 0 {
			b.Short = shorten(d.label, maxLabel(n))
		}
		if d.count > 0 || b.Selected {
			v := cloneParams(params)
			if b.Selected {
				v = withoutValue(v, unit, d.value)
			} else {
				v.Del(unit)
				v.Set(unit, d.value)
			}
			b.URL = searchURL(v)
		}
		tv.Bars = append(tv.Bars, b)
	}
	return tv
}

func pct(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) + "%" }

func maxLabel(n int) int {
	switch {
	case n <= 4:
		return 22
	case n <= 8:
		return 12
	default:
		return 8
	}
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func yearBars(vals []indexer.FacetValue) []barData {
	counts := map[int]int{}
	lo, hi := 0, 0
	for _, v := range vals {
		y, err := strconv.Atoi(v.Value)
		if err != nil || y <= 0 {
			continue
		}
		counts[y] = v.Count
		if lo == 0 || y < lo {
			lo = y
		}
		if y > hi {
			hi = y
		}
	}
	if lo == 0 {
		return nil
	}
	// A gap of decades would make a chart of empty years: cap the span.
	if hi-lo > 40 {
		lo = hi - 40
	}
	var out []barData
	for y := lo; y <= hi; y++ {
		out = append(out, barData{label: strconv.Itoa(y), value: strconv.Itoa(y), count: counts[y]})
	}
	return out
}

// meetingBars orders the meeting facet's values by the date of the
// meeting's earliest record (undated meetings last, by name).
func (s *Server) meetingBars(vals []indexer.FacetValue) []barData {
	first := map[string]string{}
	if idx, err := s.readyIndex(); err == nil {
		if recs, err := idx.Records(); err == nil {
			for _, r := range recs {
				name, d := r.Meeting.Name, string(r.Date)
				if name == "" || d == "" {
					continue
				}
				if old, ok := first[name]; !ok || d < old {
					first[name] = d
				}
			}
		}
	}
	var out []barData
	for _, v := range vals {
		out = append(out, barData{label: v.Value, value: v.Value, count: v.Count})
	}
	sort.SliceStable(out, func(i, j int) bool {
		di, dj := first[out[i].value], first[out[j].value]
		if (di == "") != (dj == "") {
			return di != ""
		}
		if di != dj {
			return di < dj
		}
		return out[i].label < out[j].label
	})
	return out
}

// ---- record page ----

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
}

type paragraphView struct {
	corpus.Paragraph
	Heading   string // the section heading to show before it, when it changes
	HeadingID string
	HTML      template.HTML
	Matched   bool
	Speakers  []labelLink
	Topics    []labelLink
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
	var hl *highlighter
	if q != "" {
		hl = newHighlighter(q, expansionGroups(gloss))
	}
	abbr := newAbbrMatcher(gloss)
	section := ""
	for _, p := range rec.Paragraphs {
		pv := paragraphView{Paragraph: p}
		if p.Section != "" && p.Section != section {
			pv.Heading = p.Section
			pv.HeadingID = "s" + strconv.Itoa(p.N)
			page.Sections = append(page.Sections, sectionLink{pv.HeadingID, p.Section})
		}
		section = p.Section
		pv.HTML, pv.Matched = renderText(p.Text, hl, abbr)
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

// ---- records list ----

type recordsPage struct {
	chrome
	Series, Year  string
	SeriesOptions []option
	YearOptions   []option
	Records       []recordItem
	All           int
}

type recordItem struct {
	indexer.RecordSummary
	URL      string
	DateText string
}

func (s *Server) handleUIRecords(c echo.Context) error {
	idx, err := s.readyIndex()
	if err != nil {
		return err
	}
	all, err := idx.Records()
	if err != nil {
		return err
	}
	page := recordsPage{
		chrome: chrome{Nav: "records"},
		Series: strings.TrimSpace(c.QueryParam("series")),
		Year:   strings.TrimSpace(c.QueryParam("year")),
		All:    len(all),
	}
	var series, years []string
	if page.Series != "" {
		series = []string{page.Series}
	}
	if page.Year != "" {
		years = []string{page.Year}
	}
	recs, err := filterRecords(all, series, years)
	if err != nil {
		return err
	}
	seriesCount, yearCount := map[string]int{}, map[int]int{}
	for _, r := range all {
		if r.Meeting.Series != "" {
			seriesCount[r.Meeting.Series]++
		}
		if y := r.Date.Year(); y > 0 {
			yearCount[y]++
		}
	}
	for name, n := range seriesCount {
		page.SeriesOptions = append(page.SeriesOptions, option{Value: name, Label: name, Count: n, Selected: strings.EqualFold(name, page.Series)})
	}
	sort.Slice(page.SeriesOptions, func(i, j int) bool { return page.SeriesOptions[i].Label < page.SeriesOptions[j].Label })
	for y, n := range yearCount {
		ys := strconv.Itoa(y)
		page.YearOptions = append(page.YearOptions, option{Value: ys, Label: ys, Count: n, Selected: ys == page.Year})
	}
	sort.Slice(page.YearOptions, func(i, j int) bool { return page.YearOptions[i].Value > page.YearOptions[j].Value })
	for _, r := range recs {
		page.Records = append(page.Records, recordItem{RecordSummary: r, URL: recordURL(r.ID, ""), DateText: dateText(r.Date)})
	}
	return s.render(c, http.StatusOK, "records", page)
}

// ---- glossary ----

type glossaryPage struct {
	chrome
	Entries []glossaryItem
}

type glossaryItem struct {
	indexer.GlossaryEntry
	URL string
}

func (s *Server) handleUIGlossary(c echo.Context) error {
	idx, err := s.readyIndex()
	if err != nil {
		return err
	}
	entries, err := idx.Glossary()
	if err != nil {
		return err
	}
	page := glossaryPage{chrome: chrome{Nav: "glossary"}}
	for _, e := range entries {
		page.Entries = append(page.Entries, glossaryItem{e, searchURL(url.Values{"q": {e.Acronym}})})
	}
	return s.render(c, http.StatusOK, "glossary", page)
}

// ---- formatting ----

// dateText is a date for people: "13 November 2023".
func dateText(d corpus.Date) string {
	t, ok := d.Time()
	if !ok {
		return ""
	}
	return t.Format("2 January 2006")
}

func thousands(n uint64) string {
	s := strconv.FormatUint(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func formatTook(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000)
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000)
	default:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
}
