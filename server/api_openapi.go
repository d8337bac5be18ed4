package server

import (
	"embed"
	"net/http"

	"github.com/labstack/echo/v4"
)

//go:embed openapi.json
var openapiFS embed.FS

// handleOpenAPI serves the API contract, openapi.json.
func (s *Server) handleOpenAPI(c echo.Context) error {
	b, err := openapiFS.ReadFile("openapi.json")
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "application/json", b)
}
