package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// handleHealthz answers 200 while the process serves (liveness).
func (s *Server) handleHealthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyResponse is the body of GET /readyz when ready.
type readyResponse struct {
	Status     string `json:"status"`
	Records    uint64 `json:"records"`
	Paragraphs uint64 `json:"paragraphs"`
}

// handleReadyz answers 200 once the index is open, 503 while it builds.
func (s *Server) handleReadyz(c echo.Context) error {
	idx, err := s.readyIndex()
	if err != nil {
		return err
	}
	st := idx.Stats()
	return c.JSON(http.StatusOK, readyResponse{Status: "ready", Records: st.Records, Paragraphs: st.Paragraphs})
}
