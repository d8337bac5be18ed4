package server

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
	"dialoguesearch/indexer"
)

// DefaultRecordsPageSize is the page size of /api/records when size is not given.
const DefaultRecordsPageSize = 50

// recordsResponse is the body of GET /api/records.
type recordsResponse struct {
	Total   int                     `json:"total"`
	Page    int                     `json:"page"`
	Size    int                     `json:"size"`
	Records []indexer.RecordSummary `json:"records"`
}

// filterRecords keeps the summaries of the given series (any of them) and
// years (any of them); the UI's /records page uses it too.
func filterRecords(all []indexer.RecordSummary, series, years []string) ([]indexer.RecordSummary, error) {
	want := map[int]bool{}
	for _, y := range years {
		n, err := strconv.Atoi(strings.TrimSpace(y))
		if err != nil || n < 1 || n > 9999 {
			return nil, failure.Param("year", "year must be a year like 2024, not %q", y)
		}
		want[n] = true
	}
	var out []indexer.RecordSummary
	for _, r := range all {
		if len(series) > 0 && !containsFold(series, r.Meeting.Series) {
			continue
		}
		if len(want) > 0 && !want[r.Date.Year()] {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(strings.TrimSpace(v), s) {
			return true
		}
	}
	return false
}

func (s *Server) handleRecords(c echo.Context) error {
	q := c.QueryParams()
	size, err := intParam(q, "size", DefaultRecordsPageSize, 1, indexer.MaxPageSize)
	if err != nil {
		return err
	}
	page, err := intParam(q, "page", 1, 1, 1<<31-1)
	if err != nil {
		return err
	}
	idx, err := s.readyIndex()
	if err != nil {
		return err
	}
	all, err := idx.Records()
	if err != nil {
		return err
	}
	recs, err := filterRecords(all, q["series"], q["year"])
	if err != nil {
		return err
	}
	out := recordsResponse{Total: len(recs), Page: page, Size: size, Records: []indexer.RecordSummary{}}
	if lo := (page - 1) * size; lo < len(recs) {
		hi := min(lo+size, len(recs))
		for _, r := range recs[lo:hi] {
			if r.Principals == nil {
				r.Principals = []corpus.Person{}
			}
			out.Records = append(out.Records, r)
		}
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) handleRecord(c echo.Context) error {
	idx, err := s.readyIndex()
	if err != nil {
		return err
	}
	rec, err := idx.Record(c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, recordForAPI(rec))
}

// recordForAPI copies rec with every list and map non-nil, so that clients
// see [] and {} rather than null.
func recordForAPI(rec *corpus.Record) *corpus.Record {
	r := *rec
	if r.Principals == nil {
		r.Principals = []corpus.Person{}
	}
	if r.Glossary == nil {
		r.Glossary = map[string]string{}
	}
	r.Paragraphs = make([]corpus.Paragraph, len(rec.Paragraphs))
	for i, p := range rec.Paragraphs {
		p.Speakers, p.Sides, p.Topics = corpus.NonNil(p.Speakers), corpus.NonNil(p.Sides), corpus.NonNil(p.Topics)
		r.Paragraphs[i] = p
	}
	return &r
}

// glossaryResponse is the body of GET /api/glossary.
type glossaryResponse struct {
	Total   int                     `json:"total"`
	Entries []indexer.GlossaryEntry `json:"entries"`
}

func (s *Server) handleGlossary(c echo.Context) error {
	idx, err := s.readyIndex()
	if err != nil {
		return err
	}
	g, err := idx.Glossary()
	if err != nil {
		return err
	}
	if g == nil {
		g = []indexer.GlossaryEntry{}
	}
	return c.JSON(http.StatusOK, glossaryResponse{Total: len(g), Entries: g})
}
