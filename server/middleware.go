package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
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
	e.Pre(headAsGet)
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
			// Probes and scrapes are not clients to throttle, nor are
			// scripts on this machine (behind a reverse proxy on the same
			// host, --trust-proxy makes the real client the one limited).
			Skipper: func(c echo.Context) bool {
				return isProbe(c.Request().URL.Path) || isLoopback(c.RealIP())
			},
			Store: store,
			IdentifierExtractor: func(c echo.Context) (string, error) {
				return c.RealIP(), nil
			},
		}))
	}
	// Compress answers for clients that accept gzip (pages shrink about
	// 5x); a range request gets the bytes it asked for, uncompressed.
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{
		Level:     5,
		MinLength: 1024,
		// Probes stay plain, and /metrics compresses by itself.
		Skipper: func(c echo.Context) bool {
			return c.Request().Header.Get("Range") != "" || isProbe(c.Request().URL.Path)
		},
	}))
	e.Use(s.bodyLimitMiddleware)
	if s.cfg.RequestTimeout > 0 {
		e.Use(s.timeoutMiddleware)
	}
}

// isLoopback reports whether the client address is this machine.
func isLoopback(addr string) bool {
	ip, err := netip.ParseAddr(addr)
	return err == nil && ip.Unmap().IsLoopback()
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

// headAsGet answers HEAD on every GET route: the request is routed as a GET
// (echo's router does not do it) and the body is dropped. It runs before
// routing; the access log still shows HEAD.
func headAsGet(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Method != http.MethodHead {
			return next(c)
		}
		// In place: echo routes on the request it was handed.
		req.Method = http.MethodGet
		c.Set(headKey, true)
		c.Response().Writer = &headWriter{ResponseWriter: c.Response().Writer}
		return next(c)
	}
}

const headKey = "dialoguesearch.head"

// isHead reports whether the client sent HEAD (routed as GET).
func isHead(c echo.Context) bool {
	h, _ := c.Get(headKey).(bool)
	return h
}

// method is the request's method as the client sent it.
func method(c echo.Context) string {
	if isHead(c) {
		return http.MethodHead
	}
	return c.Request().Method
}

// headWriter drops the body of an answer to HEAD.
type headWriter struct{ http.ResponseWriter }

func (w *headWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *headWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// StatusDropped is the status the access log and the metrics show for an
// answer that did not reach the client (it went away, or the write failed
// or timed out): nginx's "client closed request". Logging the 200 that was
// started would hide the failure.
const StatusDropped = 499

// outcomeWriter remembers the first failed write of an answer.
type outcomeWriter struct {
	http.ResponseWriter
	err error
}

func (w *outcomeWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	if err != nil && w.err == nil {
		w.err = err
	}
	return n, err
}

func (w *outcomeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// accessLogMiddleware writes one structured log line per request and counts
// it in the metrics. The status it logs is what the client got: an answer
// whose writing failed is logged as StatusDropped with the error.
func (s *Server) accessLogMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		ow := &outcomeWriter{ResponseWriter: c.Response().Writer}
		c.Response().Writer = ow
		if err := next(c); err != nil {
			c.Error(err) // answer now, so the status below is the real one
		}
		req, res := c.Request(), c.Response()
		status, dropErr := res.Status, ow.err
		if dropErr == nil && res.Committed {
			// Push out what is buffered now: a write past the server's
			// write deadline or to a closed connection fails here, not
			// in the handler.
			dropErr = http.NewResponseController(ow.ResponseWriter).Flush()
			if errors.Is(dropErr, http.ErrNotSupported) {
				dropErr = nil
			}
		}
		if dropErr == nil && !res.Committed && req.Context().Err() == context.Canceled {
			dropErr = context.Canceled // the client left before any answer
		}
		if dropErr != nil {
			status = StatusDropped
		}
		took := time.Since(start)
		route := c.Path()
		if route == "" || res.Status == http.StatusNotFound && route == "/*" {
			route = "unmatched"
		}
		s.metrics.observeRequest(route, method(c), status, took)
		level := s.log.Info
		if isProbe(req.URL.Path) {
			level = s.log.Debug
		}
		attrs := []any{
			"request_id", requestID(c),
			"method", method(c),
			"path", req.URL.Path,
			"route", route,
			"status", status,
			"bytes", res.Size,
			"duration_ms", float64(took.Microseconds()) / 1000,
			"client", c.RealIP(),
		}
		if dropErr != nil {
			level = s.log.Warn
			attrs = append(attrs, "answer_status", res.Status, "dropped", dropErr.Error())
		}
		level("request", attrs...)
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
