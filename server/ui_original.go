package server

import (
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"
)

// The original file of a record (/records/{id}/original), as it was
// ingested or found in the corpus, for a reader who wants the source.

func (s *Server) handleUIRecordOriginal(c echo.Context) error {
	idx, err := s.readyIndex()
	if err != nil {
		return err
	}
	rec, err := idx.Record(c.Param("id"))
	if err != nil {
		return err
	}
	b, err := s.app.Original(rec)
	if err != nil {
		return err
	}
	// Downloaded, never shown in place: an HTML original is the source's
	// markup, not a page of this site (and gets no script if opened).
	ct := "text/plain; charset=utf-8"
	switch strings.ToLower(path.Ext(rec.Source)) {
	case ".html", ".htm", ".xhtml":
		ct = "text/html; charset=utf-8"
	}
	h := c.Response().Header()
	h.Set("Content-Security-Policy", "sandbox")
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+fileName(path.Base(rec.Source))+`"`)
	return c.Blob(http.StatusOK, ct, b)
}

// fileName keeps a name safe in a Content-Disposition header.
func fileName(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == '"' || r == '\\' || r == '/' || r == 0x7f {
			return '_'
		}
		return r
	}, s)
}
