package server

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
	"dialoguesearch/indexer"
)

// Search limits beyond indexer.MaxQueryLength and indexer.MaxPageSize.
const (
	// DefaultPageSize is the page size when size is not given.
	DefaultPageSize = 10
	// MaxResultWindow is how deep page and size may reach (page*size).
	MaxResultWindow = 10000
	// MaxFilterValues caps the values of one facet filter.
	MaxFilterValues = indexer.MaxFilterValues
	// MaxCSVRows caps the rows of one CSV export.
	MaxCSVRows = MaxResultWindow
)

// parseSearchParams turns the query parameters of /api/search (and of the
// UI's search page) into an index request. Errors are BadInput naming the
// parameter at fault. Unknown parameters are ignored.
func parseSearchParams(v url.Values) (indexer.Request, error) {
	for name, vals := range v {
		for _, s := range vals {
			if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
				if !utf8.ValidString(name) || strings.ContainsRune(name, 0) {
					name = "query"
				}
				return indexer.Request{}, failure.Param(name, "%s is not valid UTF-8 text (or holds a NUL character)", name)
			}
		}
	}
	req := indexer.Request{Query: strings.TrimSpace(v.Get("q"))}
	if n := utf8.RuneCountInString(req.Query); n > indexer.MaxQueryLength {
		return req, failure.Param("q", "q is %d characters long; the limit is %d", n, indexer.MaxQueryLength)
	}
	if req.Query != "" {
		if err := indexer.ValidateQuery(req.Query); err != nil {
			return req, err
		}
	}
	for _, name := range indexer.FacetNames {
		var vals []string
		for _, s := range v[name] {
			if s = strings.TrimSpace(s); s != "" {
				vals = append(vals, s)
			}
		}
		if len(vals) > MaxFilterValues {
			return req, failure.Param(name, "%s has %d values; the limit is %d", name, len(vals), MaxFilterValues)
		}
		if len(vals) > 0 {
			if req.Filters == nil {
				req.Filters = map[string][]string{}
			}
			req.Filters[name] = vals
		}
	}
	for _, p := range []struct {
		name string
		dst  *string
	}{{"from", &req.From}, {"to", &req.To}} {
		s := strings.TrimSpace(v.Get(p.name))
		if s == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, s); err != nil {
			return req, failure.Param(p.name, "%s must be a date YYYY-MM-DD, not %q", p.name, s)
		}
		*p.dst = s
	}
	if req.From != "" && req.To != "" && req.To < req.From {
		return req, failure.Param("to", "to (%s) is before from (%s)", req.To, req.From)
	}
	switch s := v.Get("sort"); s {
	case "":
		// An empty query browses, newest first.
		req.Sort = indexer.SortRelevance
		if req.Query == "" {
			req.Sort = indexer.SortDateDesc
		}
	case indexer.SortRelevance, indexer.SortDateAsc, indexer.SortDateDesc:
		req.Sort = s
	default:
		return req, failure.Param("sort", "sort must be relevance, date or -date, not %q", s)
	}
	var err error
	if req.Size, err = intParam(v, "size", DefaultPageSize, 1, indexer.MaxPageSize); err != nil {
		return req, err
	}
	if req.Page, err = intParam(v, "page", 1, 1, math.MaxInt32); err != nil {
		return req, err
	}
	if s := strings.TrimSpace(v.Get("after")); s != "" {
		if req.Page != 1 {
			return req, failure.Param("after", "after reads the page following a hit; use it without page (or with page=1)")
		}
		req.After = strings.Split(s, ",")
	}
	if req.Page*req.Size > MaxResultWindow {
		return req, failure.Param("page", "page %d of size %d reaches past the first %d hits; narrow the search",
			req.Page, req.Size, MaxResultWindow)
	}
	return req, nil
}

// intParam reads an integer parameter within [lo, hi], def when absent.
func intParam(v url.Values, name string, def, lo, hi int) (int, error) {
	s := strings.TrimSpace(v.Get(name))
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		if hi == math.MaxInt32 {
			return 0, failure.Param(name, "%s must be a whole number of at least %d, not %q", name, lo, s)
		}
		return 0, failure.Param(name, "%s must be a whole number from %d to %d, not %q", name, lo, hi, s)
	}
	return n, nil
}

// search runs req on the index and records its latency; the UI uses it too.
func (s *Server) search(c echo.Context, req indexer.Request) (*indexer.Result, error) {
	idx, err := s.readyIndex()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	res, err := idx.Search(c.Request().Context(), req)
	took := time.Since(start)
	s.metrics.observeSearch(took)
	if err != nil {
		return nil, err
	}
	if res.Took == 0 {
		res.Took = took
	}
	return res, nil
}

// searchResponse is the body of GET /api/search.
type searchResponse struct {
	Total      uint64                          `json:"total"`
	TookMS     float64                         `json:"took_ms"`
	Page       int                             `json:"page"`
	Size       int                             `json:"size"`
	Hits       []searchHit                     `json:"hits"`
	Facets     map[string][]indexer.FacetValue `json:"facets"`
	Suggestion *string                         `json:"suggestion"`
	// Records is how many records the total paragraphs are in.
	Records int `json:"records"`
	// Groups, with group=record, are the page's hits grouped by record
	// (each where its best hit ranks), with the record's matches in all.
	Groups []searchGroup `json:"groups,omitempty"`
}

// searchGroup is one record's hits on a page (group=record).
type searchGroup struct {
	RecordID string         `json:"record_id"`
	Title    string         `json:"title"`
	Date     corpus.Date    `json:"date"`
	Meeting  corpus.Meeting `json:"meeting"`
	Matches  int            `json:"matches"`
	Hits     []searchHit    `json:"hits"`
}

// searchHit is indexer.Hit as the API shows it: lists are [] rather than
// null, with the URL of the paragraph in its record; each hit carries its
// sort keys for deep paging (after=).
type searchHit struct {
	indexer.Hit
	URL string `json:"url"`
}

func toSearchHit(h indexer.Hit) searchHit {
	h.Speakers, h.Sides, h.Topics = corpus.NonNil(h.Speakers), corpus.NonNil(h.Sides), corpus.NonNil(h.Topics)
	h.Expansions, h.SortKeys = corpus.NonNil(h.Expansions), corpus.NonNil(h.SortKeys)
	return searchHit{Hit: h, URL: "/records/" + url.PathEscape(h.RecordID) + "#p" + strconv.Itoa(h.N)}
}

func (s *Server) handleSearch(c echo.Context) error {
	req, err := parseSearchParams(c.QueryParams())
	if err != nil {
		return err
	}
	group := c.QueryParam("group")
	if group != "" && group != "record" {
		return failure.Param("group", "group must be record (or absent), not %q", group)
	}
	res, err := s.search(c, req)
	if err != nil {
		return err
	}
	out := searchResponse{
		Total:      res.Total,
		TookMS:     math.Round(float64(res.Took.Microseconds())) / 1000,
		Page:       req.Page,
		Size:       req.Size,
		Hits:       make([]searchHit, 0, len(res.Hits)),
		Facets:     map[string][]indexer.FacetValue{},
		Suggestion: res.Suggestion,
	}
	out.Records = res.Records
	at := map[string]int{}
	for _, h := range res.Hits {
		sh := toSearchHit(h)
		out.Hits = append(out.Hits, sh)
		if group == "" {
			continue
		}
		i, ok := at[h.RecordID]
		if !ok {
			i = len(out.Groups)
			at[h.RecordID] = i
			out.Groups = append(out.Groups, searchGroup{RecordID: h.RecordID, Title: h.Title, Date: h.Date,
				Meeting: h.Meeting, Matches: res.RecordMatches[h.RecordID]})
		}
		out.Groups[i].Hits = append(out.Groups[i].Hits, sh)
	}
	if group != "" && out.Groups == nil {
		out.Groups = []searchGroup{}
	}
	for _, name := range indexer.FacetNames {
		// A paragraph without the field (no location) is no value to
		// filter by.
		vals := make([]indexer.FacetValue, 0, len(res.Facets[name]))
		for _, v := range res.Facets[name] {
			if strings.TrimSpace(v.Value) != "" {
				vals = append(vals, v)
			}
		}
		out.Facets[name] = vals
	}
	return writeSearchJSON(c, &out)
}

// CSV export outcome, in the X-Export-Status trailer.
const (
	exportComplete = "complete" // every matching paragraph
	exportCapped   = "capped"   // the first MaxCSVRows of more (documented)
	exportCut      = "cut"      // stopped early (time limit, error): the file is short
)

// handleSearchCSV exports every matching paragraph (up to MaxCSVRows) as
// CSV; page and size are ignored. An export is never silently short: the
// X-Export-Status and X-Export-Rows trailers say how it ended, and one cut
// before its end (the time limit, an error) ends with a line saying so.
func (s *Server) handleSearchCSV(c echo.Context) error {
	q := c.QueryParams()
	q.Del("page")
	q.Del("size")
	req, err := parseSearchParams(q)
	if err != nil {
		return err
	}
	req.NoFacets = true
	req.Size = indexer.MaxPageSize
	// The first page is fetched before anything is written, so that an
	// error still gets a proper status.
	res, err := s.search(c, req)
	if err != nil {
		return err
	}
	want := min(res.Total, MaxCSVRows)
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="dialoguesearch-results.csv"`)
	h.Set("X-Total-Count", strconv.FormatUint(res.Total, 10))
	h.Set("X-Export-Limit", strconv.Itoa(MaxCSVRows))
	h.Set("Trailer", "X-Export-Status, X-Export-Rows")
	c.Response().WriteHeader(http.StatusOK)
	// A byte-order mark tells Excel the file is UTF-8 (bom=0 leaves it
	// out, for tools that choke on it).
	if q.Get("bom") != "0" {
		_, _ = io.WriteString(c.Response(), "\ufeff")
	}
	base := s.absBase(c)
	w := csv.NewWriter(c.Response())
	_ = w.Write([]string{"id", "record_id", "title", "date", "series", "meeting", "section", "n",
		"speakers", "sides", "topics", "score", "text", "url"})
	ctx := c.Request().Context()
	rows := 0
	var cut error
	for cut == nil {
		for _, hit := range res.Hits {
			if rows >= MaxCSVRows {
				break
			}
			if err := ctx.Err(); err != nil {
				cut = err
				break
			}
			_ = w.Write(csvRow(hit, base))
			rows++
		}
		if cut != nil || len(res.Hits) < req.Size || uint64(rows) >= want {
			break
		}
		req.Page++
		res, cut = s.search(c, req)
	}
	status := exportComplete
	switch {
	case cut != nil || uint64(rows) < want:
		status = exportCut
		s.log.Warn("csv export cut short", "request_id", requestID(c), "rows", rows, "want", want, "err", cut)
		reason := "it was stopped"
		if errors.Is(cut, context.DeadlineExceeded) || failure.KindOf(cut) == failure.Unavailable {
			reason = "the request time limit stopped it"
		}
		_ = w.Write([]string{fmt.Sprintf("# EXPORT CUT SHORT: %d of %d rows; %s. Narrow the search or retry.", rows, want, reason)})
	case res.Total > MaxCSVRows:
		status = exportCapped
	}
	w.Flush()
	h.Set("X-Export-Status", status)
	h.Set("X-Export-Rows", strconv.Itoa(rows))
	return w.Error()
}

// csvRow is one paragraph: topics by their labels, the URL absolute.
func csvRow(h indexer.Hit, base string) []string {
	topics := make([]string, len(h.Topics))
	for i, t := range h.Topics {
		topics[i] = corpus.TopicLabel(t)
	}
	return []string{
		h.ID, h.RecordID, csvCell(h.Title), string(h.Date), csvCell(h.Meeting.Series), csvCell(h.Meeting.Name),
		csvCell(h.Section), strconv.Itoa(h.N), csvCell(strings.Join(h.Speakers, "; ")),
		csvCell(strings.Join(h.Sides, "; ")), csvCell(strings.Join(topics, "; ")),
		strconv.FormatFloat(h.Score, 'f', 4, 64), csvCell(h.Text),
		base + paragraphPath(h.RecordID, h.N),
	}
}

// csvCell keeps a spreadsheet from reading text as a formula (CSV injection).
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
