package server

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"dialoguesearch/corpus"
	"dialoguesearch/ui"
)

// The browser UI: server-rendered pages from package ui over the same
// search as the JSON API (parseSearchParams, s.search). Every state of a
// page is in its URL; forms submit with GET.

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
		p == "/glossary" || strings.HasPrefix(p, "/static/") ||
		p == "/compare" || strings.HasPrefix(p, "/paragraphs/")
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

// Formatting shared by the pages.

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
