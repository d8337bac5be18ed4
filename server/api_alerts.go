package server

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"dialoguesearch/alert"
	"dialoguesearch/failure"
	"dialoguesearch/indexer"
)

// credential is the token of a request: "Authorization: Bearer <token>",
// else ?token= (links in emails), else a form field "token".
func credential(c echo.Context) string {
	if tok := bearerToken(c); tok != "" {
		return tok
	}
	if t := c.QueryParam("token"); t != "" {
		return t
	}
	if c.Request().Method == http.MethodPost {
		if ct, _, _ := mime.ParseMediaType(c.Request().Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
			return c.FormValue("token")
		}
	}
	return ""
}

// bearerToken is the token of "Authorization: Bearer <token>", or "".
func bearerToken(c echo.Context) string {
	if tok, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer "); ok {
		return strings.TrimSpace(tok)
	}
	return ""
}

// Anonymous alert creation is limited per client address: a burst of
// AlertCreateBurst, then one more every AlertCreateEvery. The admin token
// lifts the limit.
const (
	AlertCreateBurst = 20
	AlertCreateEvery = 3 * time.Minute
)

func newAlertCreateLimiter() *middleware.RateLimiterMemoryStore {
	return middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate: rate.Every(AlertCreateEvery), Burst: AlertCreateBurst, ExpiresIn: time.Hour,
	})
}

// allowAlertCreate refuses (429) an anonymous client past its allowance of
// new alerts.
func (s *Server) allowAlertCreate(c echo.Context) error {
	if tok := bearerToken(c); s.cfg.AdminToken != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.AdminToken)) == 1 {
		return nil
	}
	if ok, _ := s.alertCreates.Allow(c.RealIP()); !ok {
		return &echo.HTTPError{Code: http.StatusTooManyRequests,
			Message: fmt.Sprintf("too many alerts created from this address: %d, then one every %v; try again later", AlertCreateBurst, AlertCreateEvery)}
	}
	return nil
}

// requireAdmin checks the admin bearer token; without one configured the
// admin endpoints are off. The token is taken from the Authorization header
// only: a URL ends up in access logs, proxies and browser histories.
func (s *Server) requireAdmin(c echo.Context) error {
	if s.cfg.AdminToken == "" {
		return failure.New(failure.Forbidden, "this endpoint is off: the server has no admin token (--admin-token or DIALOGUESEARCH_ADMIN_TOKEN)")
	}
	tok := bearerToken(c)
	if tok == "" {
		if c.QueryParam("token") != "" {
			return failure.New(failure.Forbidden, "the admin token is accepted only in the Authorization header (Authorization: Bearer <token>), never in the URL")
		}
		return failure.New(failure.Forbidden, "the admin token is required (Authorization: Bearer <token>)")
	}
	if subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.AdminToken)) != 1 {
		return failure.New(failure.Forbidden, "wrong admin token")
	}
	return nil
}

// decodeAlertInput reads the JSON body of POST/PATCH /api/alerts.
func decodeAlertInput(c echo.Context) (alert.Input, error) {
	var in alert.Input
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return in, failure.New(failure.TooLarge, "request body too large")
		}
		return in, failure.Param("body", "cannot read the body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return in, failure.Param("body", "the body must be a JSON object")
	}
	if err := json.Unmarshal(body, &in); err != nil {
		var fe *failure.Error
		if errors.As(err, &fe) {
			return in, fe
		}
		return in, failure.Param("body", "the body is not valid JSON: %v", err)
	}
	return in, nil
}

func (s *Server) handleAlertCreate(c echo.Context) error {
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	in, err := decodeAlertInput(c)
	if err != nil {
		return err
	}
	if err := s.allowAlertCreate(c); err != nil {
		return err
	}
	v, err := svc.Create(in)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/api/alerts/"+v.ID)
	return c.JSON(http.StatusCreated, v)
}

func (s *Server) handleAlertList(c echo.Context) error {
	if err := s.requireAdmin(c); err != nil {
		return err
	}
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	vs, err := svc.List()
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"total": len(vs), "alerts": vs})
}

// handleAlertPreview answers "this search would have matched N paragraphs
// in M records so far", with the latest few: GET with the search's query
// parameters, or POST with the alert's JSON.
func (s *Server) handleAlertPreview(c echo.Context) error {
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	idx, err := s.readyIndex()
	if err != nil {
		return err
	}
	var in alert.Input
	if c.Request().Method == http.MethodPost {
		if in, err = decodeAlertInput(c); err != nil {
			return err
		}
	} else {
		v := c.QueryParams()
		req, err := parseSearchParams(v)
		if err != nil {
			return err
		}
		in.Search = alert.Search{Query: req.Query, Filters: req.Filters, From: strings.TrimSpace(v.Get("from")), To: strings.TrimSpace(v.Get("to"))}
	}
	p, err := svc.Preview(c.Request().Context(), idx, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) handleAlertGet(c echo.Context) error {
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	v, err := svc.Get(c.Param("id"), credential(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) handleAlertUpdate(c echo.Context) error {
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	// Authorize before reading the body: a stranger learns nothing from
	// validation errors.
	if _, err := svc.Get(c.Param("id"), credential(c)); err != nil {
		return err
	}
	in, err := decodeAlertInput(c)
	if err != nil {
		return err
	}
	v, err := svc.Update(c.Param("id"), credential(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) handleAlertDelete(c echo.Context) error {
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	if err := svc.Delete(c.Param("id"), credential(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) handleAlertMatches(c echo.Context) error {
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	v := c.QueryParams()
	page, err := intParam(v, "page", 1, 1, math.MaxInt32)
	if err != nil {
		return err
	}
	size, err := intParam(v, "size", DefaultPageSize, 1, indexer.MaxPageSize)
	if err != nil {
		return err
	}
	mp, err := svc.Matches(c.Param("id"), credential(c), page, size)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, mp)
}

// handleAlertPageOrFeed serves /alerts/{id}.atom (the feed: the id is
// unguessable and is the feed's only credential) and /alerts/{id} (the
// alert's page).
func (s *Server) handleAlertPageOrFeed(c echo.Context) error {
	id, isFeed := strings.CutSuffix(c.Param("id"), ".atom")
	if !isFeed {
		return s.handleAlertPage(c)
	}
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := svc.Feed(&buf, id); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, "application/atom+xml; charset=utf-8", buf.Bytes())
}
