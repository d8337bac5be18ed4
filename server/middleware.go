package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"
)

// RequestIDHeader carries the request id, in the answer and (optionally,
// from a proxy) in the request.
const RequestIDHeader = "X-Request-ID"

// ContentSecurityPolicy allows only the server's own scripts, styles and
// images (plus data: images for inline SVG icons): no inline script, no
// framing. The UI is built to satisfy it.
const ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
	"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// useMiddleware installs the middleware, outermost first.
func (s *Server) useMiddleware() {
	e := s.e
	e.Use(s.requestIDMiddleware)
	e.Use(s.accessLogMiddleware) // also turns handler errors into answers, so it sees the status
	e.Use(s.recoverMiddleware)
	e.Use(securityHeaders)
	if len(s.cfg.CORSOrigins) > 0 {
		e.Use(middleware.CORSWithConfig(middleware.CORSConfig{
			AllowOrigins:  s.cfg.CORSOrigins,
			AllowMethods:  []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPatch, http.MethodDelete},
			AllowHeaders:  []string{"Authorization", "Content-Type", RequestIDHeader},
			ExposeHeaders: []string{RequestIDHeader},
			MaxAge:        600,
		}))
	}
	if s.cfg.RateLimit > 0 {
		burst := s.cfg.RateBurst
		if burst < 1 {
			burst = int(s.cfg.RateLimit) + 1
		}
		store := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
			Rate: rate.Limit(s.cfg.RateLimit), Burst: burst, ExpiresIn: 3 * time.Minute,
		})
		e.Use(middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
			// Probes and scrapes are not clients to throttle.
			Skipper: func(c echo.Context) bool { return isProbe(c.Request().URL.Path) },
			Store:   store,
			IdentifierExtractor: func(c echo.Context) (string, error) {
				return c.RealIP(), nil
			},
		}))
	}
	e.Use(s.bodyLimitMiddleware)
	if s.cfg.RequestTimeout > 0 {
		e.Use(s.timeoutMiddleware)
	}
}

func isProbe(path string) bool {
	return path == "/healthz" || path == "/readyz" || path == "/metrics"
}

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestIDMiddleware keeps a well-formed incoming X-Request-ID (from a
// proxy) or makes one, and returns it in the answer.
func (s *Server) requestIDMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		id := c.Request().Header.Get(RequestIDHeader)
		if !validRequestID.MatchString(id) {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		c.Set(RequestIDHeader, id)
		c.Response().Header().Set(RequestIDHeader, id)
		return next(c)
	}
}

// requestID returns the id given to this request.
func requestID(c echo.Context) string {
	id, _ := c.Get(RequestIDHeader).(string)
	return id
}

// accessLogMiddleware writes one structured log line per request and counts
// it in the metrics.
func (s *Server) accessLogMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		if err := next(c); err != nil {
			c.Error(err) // answer now, so the status below is the real one
		}
		took := time.Since(start)
		req, res := c.Request(), c.Response()
		route := c.Path()
		if route == "" || res.Status == http.StatusNotFound && route == "/*" {
			route = "unmatched"
		}
		s.metrics.observeRequest(route, req.Method, res.Status, took)
		level := s.log.Info
		if isProbe(req.URL.Path) {
			level = s.log.Debug
		}
		level("request",
			"request_id", requestID(c),
			"method", req.Method,
			"path", req.URL.Path,
			"route", route,
			"status", res.Status,
			"bytes", res.Size,
			"duration_ms", float64(took.Microseconds())/1000,
			"client", c.RealIP(),
		)
		return nil
	}
}

// recoverMiddleware turns a panic into a 500 whose details go to the log only.
func (s *Server) recoverMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) (err error) {
		defer func() {
			if r := recover(); r != nil {
				if r == http.ErrAbortHandler {
					panic(r)
				}
				err = fmt.Errorf("server: panic: %v", r)
			}
		}()
		return next(c)
	}
}

// securityHeaders sets the headers every answer carries.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", ContentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		return next(c)
	}
}

// bodyLimitMiddleware refuses a body over the limit: at once when its
// Content-Length says so, else when a handler reads past the limit (the
// read fails with *http.MaxBytesError, which answers 413).
func (s *Server) bodyLimitMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.ContentLength > s.cfg.MaxBodyBytes {
			return &http.MaxBytesError{Limit: s.cfg.MaxBodyBytes}
		}
		if req.Body != nil && req.Body != http.NoBody {
			req.Body = http.MaxBytesReader(c.Response(), req.Body, s.cfg.MaxBodyBytes)
		}
		return next(c)
	}
}

// timeoutMiddleware gives each request a deadline; the index stops a search
// that passes it and the answer is a 503 "timeout".
func (s *Server) timeoutMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), s.cfg.RequestTimeout)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		err := next(c)
		if err == nil && ctx.Err() == context.DeadlineExceeded && !c.Response().Committed {
			return ctx.Err()
		}
		return err
	}
}
