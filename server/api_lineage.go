package server

import (
	"encoding/csv"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"dialoguesearch/failure"
	"dialoguesearch/indexer"
	"dialoguesearch/lineage"
)

// Clause lineage (issue 15): the links stored at index time between the
// paragraphs of a series' editions.

// handleLineage answers GET /api/paragraphs/{id}/lineage.
func (s *Server) handleLineage(c echo.Context) error {
	idx, err := s.readyIndex()
	if err != nil {
		return err
	}
	l, err := idx.Lineage(c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(200, l)
}

// compareParams reads a and b.
func (s *Server) compare(c echo.Context) (*indexer.Comparison, error) {
	a, b := strings.TrimSpace(c.QueryParam("a")), strings.TrimSpace(c.QueryParam("b"))
	if a == "" {
		return nil, failure.Param("a", "a (a record id) is required")
	}
	if b == "" {
		return nil, failure.Param("b", "b (a record id) is required")
	}
	idx, err := s.readyIndex()
	if err != nil {
		return nil, err
	}
	return idx.Compare(a, b)
}

// handleCompare answers GET /api/compare?a=&b=.
func (s *Server) handleCompare(c echo.Context) error {
	cmp, err := s.compare(c)
	if err != nil {
		return err
	}
	return c.JSON(200, cmp)
}

// handleCompareCSV answers GET /api/compare.csv?a=&b=: one row per
// aligned pair, dropped or new paragraph, with the word diff as text
// ([-deleted-] {+inserted+}).
func (s *Server) handleCompareCSV(c echo.Context) error {
	cmp, err := s.compare(c)
	if err != nil {
		return err
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, "text/csv; charset=utf-8")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="dialoguesearch-compare.csv"`)
	c.Response().WriteHeader(200)
	w := csv.NewWriter(c.Response())
	_ = w.Write([]string{"kind", "similarity", "a_paragraph", "b_paragraph", "a_text", "b_text", "diff"})
	for _, r := range cmp.Rows {
		var aID, bID, aText, bText string
		if r.A != nil {
			aID, aText = r.A.ID, r.A.Text
		}
		if r.B != nil {
			bID, bText = r.B.ID, r.B.Text
		}
		_ = w.Write([]string{r.Kind, strconv.FormatFloat(r.Similarity, 'f', 3, 64), aID, bID, csvCell(aText), csvCell(bText), csvCell(diffText(r.Diff))})
	}
	w.Flush()
	return w.Error()
}

// diffText writes a word diff as plain text: [-deleted-] {+inserted+}, the
// notation of git's word diff.
func diffText(ps []lineage.Piece) string {
	var b strings.Builder
	for _, p := range ps {
		t := strings.TrimRight(p.Text, " \t\n")
		sp := p.Text[len(t):]
		switch p.Op {
		case "+":
			b.WriteString("{+" + t + "+}" + sp)
		case "-":
			b.WriteString("[-" + t + "-]" + sp)
		default:
			b.WriteString(p.Text)
		}
	}
	return b.String()
}
