package server

import (
	"html/template"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
	"dialoguesearch/indexer"
)

// The search page (/): the view model built from a search result.

// uiFacets are the facets of the sidebar, in order.
var uiFacets = []string{"series", "meeting", "year", "speaker", "topic", "location", "side", "kind"}

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
	// Where the reader is: "11–20 of 83 paragraphs in 12 records".
	RangeText string
	Records   int
	// Groups are the page's hits grouped by record, in rank order of each
	// record's best hit.
	Groups []hitGroup
	// MeetingOrder is "date" when the meeting facet is in date order.
	MeetingOrder string
	JSONURL      string
	CiteURLs     []exportLink
	Took         string
	FirstRank    int
	Hits         []hitView
	Facets       []facetView
	AnyFacet     bool // some facet has values to show
	Chips        []chip
	ClearURL     string
	Timeline     *timelineView
	Pager        pager
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

// hitGroup is a record's hits on the page: the best one shows, the others
// expand in place; Matches counts all of the record's matching paragraphs.
type hitGroup struct {
	Best      hitView
	More      []hitView
	Matches   int
	Elsewhere int    // matches of the record not on this page
	RecordURL string // the record with the query highlighted
}

type exportLink struct{ Label, URL, File string }

type facetView struct {
	Name, Label string
	// Order links switch a facet between count and date order (meetings).
	Order  []timelineSwitch
	Values []facetValueView
	More   []facetValueView // past the first facetShown, unselected
}

type facetValueView struct {
	Facet, ID, Value, Label string
	Count                   int
	Selected                bool
	// Shared: every hit has this value, so ticking it filters nothing.
	Shared bool
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
	for _, k := range []string{"size", "timeline", "meeting_order"} {
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
		page.Facets = s.facetViews(params, req, nil, 0)
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
	page.Records = res.Records
	page.MeetingOrder = params.Get("meeting_order")
	api := cloneParams(params)
	api.Del("timeline")
	api.Del("meeting_order")
	page.JSONURL = "/api/search"
	if enc := api.Encode(); enc != "" {
		page.JSONURL += "?" + enc
	}
	for _, f := range citationFormats {
		page.CiteURLs = append(page.CiteURLs, exportLink{Label: f.Label, URL: addQuery("/api/search/citations", api, "format", f.Name), File: "dialoguesearch." + f.Ext})
	}
	page.Took = formatTook(res.Took)
	page.FirstRank = (req.Page-1)*req.Size + 1
	for _, h := range res.Hits {
		page.Hits = append(page.Hits, hitView_(h, page.Q, params))
	}
	page.Groups = groupHits(page.Hits, res.RecordMatches, page.Q)
	if n := len(res.Hits); n > 0 {
		first := page.FirstRank
		page.RangeText = thousands(uint64(first)) + "–" + thousands(uint64(first+n-1)) + " of "
	}
	page.Facets = s.facetViews(params, req, res.Facets, res.Total)
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

// groupHits groups the page's hits by record, each group where its best
// (first) hit ranks.
func groupHits(hits []hitView, matches map[string]int, q string) []hitGroup {
	var out []hitGroup
	at := map[string]int{}
	for _, h := range hits {
		if i, ok := at[h.RecordID]; ok {
			out[i].More = append(out[i].More, h)
			continue
		}
		at[h.RecordID] = len(out)
		out = append(out, hitGroup{Best: h, RecordURL: recordURL(h.RecordID, q)})
	}
	for i := range out {
		g := &out[i]
		g.Matches = matches[g.Best.RecordID]
		if g.Matches < 1+len(g.More) {
			g.Matches = 1 + len(g.More)
		}
		g.Elsewhere = g.Matches - 1 - len(g.More)
	}
	return out
}

// addQuery is path?v&k=val.
func addQuery(path string, v url.Values, k, val string) string {
	q := cloneParams(v)
	q.Set(k, val)
	return path + "?" + q.Encode()
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
	for _, k := range []string{"q", "sort", "size", "timeline", "meeting_order"} {
		if v := params.Get(k); v != "" {
			clear.Set(k, v)
		}
	}
	return out, searchURL(clear)
}

// facetViews lays out the sidebar. A value that every one of the total hits
// has is marked Shared (it filters nothing); meetings are in count order or,
// with meeting_order=date, in the order they were held.
func (s *Server) facetViews(params url.Values, req indexer.Request, facets map[string][]indexer.FacetValue, total uint64) []facetView {
	var out []facetView
	for _, name := range uiFacets {
		fv := facetView{Name: name, Label: facetLabels[name]}
		if name == "meeting" {
			byDate := params.Get("meeting_order") == "date"
			for _, o := range []struct{ label, value string }{{"by count", ""}, {"by date", "date"}} {
				v := cloneParams(params)
				if o.value == "" {
					v.Del("meeting_order")
				} else {
					v.Set("meeting_order", o.value)
				}
				fv.Order = append(fv.Order, timelineSwitch{Label: o.label, URL: searchURL(v), Current: byDate == (o.value == "date")})
			}
			if byDate {
				vals := append([]indexer.FacetValue(nil), facets[name]...)
				s.sortMeetings(vals)
				facets = maps.Clone(facets)
				facets[name] = vals
			}
		}
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
			sel := v.Selected || selected[v.Value]
			all = append(all, facetValueView{Value: v.Value, Count: v.Count, Selected: sel,
				Shared: !sel && total > 1 && uint64(v.Count) == total})
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
