package server

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"dialoguesearch/indexer"
)

// handleHealthz answers 200 while the process serves (liveness).
func (s *Server) handleHealthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyResponse is the body of GET /readyz when ready.
type readyResponse struct {
	Status     string `json:"status"` // "ready", or "degraded" while index writes fail
	Records    uint64 `json:"records"`
	Paragraphs uint64 `json:"paragraphs"`
	// Merging: the segments of a freshly built index are being merged in
	// the background; it answers searches meanwhile, a little slower.
	Merging bool `json:"merging"`
	// While degraded: why, and since when. Searches still answer (from
	// the last complete index); ingest and watched files wait.
	Reason        string     `json:"reason,omitempty"`
	WritesFailing *time.Time `json:"writes_failing_since,omitempty"`
}

// handleReadyz answers 200 once the index is open, 503 while it builds.
func (s *Server) handleReadyz(c echo.Context) error {
	idx, err := s.readyIndex()
	if err != nil {
		return err
	}
	st := idx.Stats()
	out := readyResponse{Status: "ready", Records: st.Records, Paragraphs: st.Paragraphs, Merging: st.Merging}
	if h := idx.WriteHealth(); h.Degraded() {
		out.Status, out.WritesFailing = "degraded", &h.Since
		out.Reason = "index writes are failing; see the server log; searches answer from the last complete index"
		if errors.Is(h.Err, indexer.ErrDiskFull) {
			out.Reason = "index writes are failing: the data directory's disk is full; searches answer from the last complete index"
		}
	}
	return c.JSON(http.StatusOK, out)
}
