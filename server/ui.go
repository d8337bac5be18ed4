package server

import "github.com/labstack/echo/v4"

// registerUIRoutes adds the browser UI's routes (/, /records, /glossary,
// static assets). Owned by the UI (issue 5); called from the route table in
// server.go.
func (s *Server) registerUIRoutes() {}

// uiErrorPage renders a friendly HTML error page for a browser request to a
// UI path and reports whether it did; when it returns false the error is
// answered as JSON. Owned by the UI (issue 5).
func (s *Server) uiErrorPage(c echo.Context, status int, e apiError) bool { return false }
