package server

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"dialoguesearch/failure"
)

var errSecret = errors.New("secret detail: /var/lib/dialoguesearch/index password=hunter2")

func TestBadParameters(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	for _, tc := range []struct {
		query string
		param string
	}{
		{"size=0", "size"},
		{"size=101", "size"},
		{"size=ten", "size"},
		{"page=0", "page"},
		{"page=-1", "page"},
		{"page=200&size=100", "page"},
		{"from=2024-13-01", "from"},
		{"to=yesterday", "to"},
		{"from=2024-05-01&to=2024-01-01", "to"},
		{"sort=newest", "sort"},
		{"q=" + strings.Repeat("a", 1001), "q"},
		{"q=" + url.QueryEscape(`"unclosed phrase`), "q"},
		{"q=" + url.QueryEscape("(deterrence AND"), "q"},
		{"speaker=" + strings.Repeat("&speaker=x", 51), "speaker"},
	} {
		t.Run(tc.query[:min(len(tc.query), 30)], func(t *testing.T) {
			body := wantError(t, get(t, s, "/api/search?"+tc.query), http.StatusBadRequest, "bad_request", tc.param)
			if body.Error.Param != tc.param {
				t.Errorf("param = %q, want %q", body.Error.Param, tc.param)
			}
		})
	}
	// 1,000 characters is still allowed.
	wantStatus(t, get(t, s, "/api/search?q="+strings.Repeat("a", 1000)), http.StatusOK)
}

func TestNotFoundAndMethod(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	wantError(t, get(t, s, "/api/no-such-route"), http.StatusNotFound, "not_found", "no such route")
	wantError(t, get(t, s, "/api/records/unknown-id"), http.StatusNotFound, "not_found")
	wantError(t, do(t, s, http.MethodDelete, "/api/search", nil), http.StatusMethodNotAllowed, "method_not_allowed")
}

func TestBodyLimit(t *testing.T) {
	cfg := testConfig()
	cfg.MaxBodyBytes = 1024
	s, _ := newTestServer(t, cfg)
	big := bytes.Repeat([]byte("x"), 4096)
	wantError(t, do(t, s, http.MethodPost, "/api/search", bytes.NewReader(big), "Content-Type", "text/plain"),
		http.StatusRequestEntityTooLarge, "too_large", "too large")

	// A body read without a Content-Length is cut at the limit too.
	s.e.POST("/api/test-echo-body", func(c echo.Context) error {
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(c.Request().Body); err != nil {
			return err
		}
		return c.String(http.StatusOK, fmt.Sprint(buf.Len()))
	})
	rec := do(t, s, http.MethodPost, "/api/test-echo-body", onlyReader{bytes.NewReader(big)})
	wantError(t, rec, http.StatusRequestEntityTooLarge, "too_large", "1024 bytes")
	rec = do(t, s, http.MethodPost, "/api/test-echo-body", bytes.NewReader(big[:1000]))
	wantStatus(t, rec, http.StatusOK)
}

// onlyReader hides the length of a reader, as a chunked upload does.
type onlyReader struct{ r *bytes.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestRateLimit(t *testing.T) {
	cfg := testConfig()
	cfg.RateLimit = 0.01 // no refill during the test
	cfg.RateBurst = 3
	s, _ := newTestServer(t, cfg)
	for i := 0; i < 3; i++ {
		wantStatus(t, get(t, s, "/api/glossary"), http.StatusOK)
	}
	rec := get(t, s, "/api/glossary")
	wantError(t, rec, http.StatusTooManyRequests, "rate_limited", "rate limit")
	if rec.Header().Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// Probes are not throttled; other clients have their own budget.
	wantStatus(t, get(t, s, "/healthz"), http.StatusOK)
	wantStatus(t, get(t, s, "/readyz"), http.StatusOK)
	req := httptest.NewRequest(http.MethodGet, "/api/glossary", nil)
	req.RemoteAddr = "203.0.113.9:4000"
	rec2 := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec2, req)
	wantStatus(t, rec2, http.StatusOK)
	// Without --trust-proxy a forged X-Forwarded-For does not buy a new budget.
	wantStatus(t, get(t, s, "/api/glossary", "X-Forwarded-For", "198.51.100.7"), http.StatusTooManyRequests)
}

func TestTimeout(t *testing.T) {
	cfg := testConfig()
	cfg.RequestTimeout = 30 * time.Millisecond
	s, _ := newTestServer(t, cfg)
	s.e.GET("/api/test-slow", func(c echo.Context) error {
		ctx := c.Request().Context()
		select {
		case <-ctx.Done():
			return failure.Wrap(failure.Internal, ctx.Err(), "")
		case <-time.After(5 * time.Second):
			return c.String(http.StatusOK, "too late")
		}
	})
	start := time.Now()
	wantError(t, get(t, s, "/api/test-slow"), http.StatusServiceUnavailable, "timeout", "too long")
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("time-out answered after %v", took)
	}
	// The real search still answers in time.
	wantStatus(t, get(t, s, "/api/search?q=alliance"), http.StatusOK)

	// The index stops a search past its deadline.
	cfg.RequestTimeout = time.Nanosecond
	s, _ = newTestServer(t, cfg)
	wantError(t, get(t, s, "/api/search?q=alliance"), http.StatusServiceUnavailable, "timeout")
}

func TestInternalErrorsHideDetails(t *testing.T) {
	s, logs := newTestServer(t, testConfig())
	s.e.GET("/api/test-fail", func(c echo.Context) error { return fmt.Errorf("indexer: read: %w", errSecret) })
	s.e.GET("/api/test-panic", func(c echo.Context) error { panic(errSecret.Error()) })
	for _, path := range []string{"/api/test-fail", "/api/test-panic"} {
		rec := get(t, s, path)
		wantError(t, rec, http.StatusInternalServerError, "internal")
		if strings.Contains(rec.Body.String(), "secret") || strings.Contains(rec.Body.String(), "hunter2") {
			t.Errorf("%s: 500 body leaks the cause: %s", path, rec.Body.String())
		}
		id := rec.Header().Get(RequestIDHeader)
		if !strings.Contains(logs.String(), id) {
			t.Errorf("%s: log lacks request id %s", path, id)
		}
	}
	if !strings.Contains(logs.String(), "hunter2") {
		t.Errorf("log lacks the cause of the 500s:\n%s", logs.String())
	}
}

func TestErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		err    error
		status int
		code   string
	}{
		{failure.Param("size", "too big"), 400, "bad_request"},
		{failure.New(failure.NotFound, "no record x"), 404, "not_found"},
		{failure.New(failure.Forbidden, "wrong token"), 403, "forbidden"},
		{failure.New(failure.TooLarge, "record too large"), 413, "too_large"},
		{failure.New(failure.Unprocessable, "not a record"), 422, "unprocessable"},
		{failure.New(failure.Unavailable, "index is building"), 503, "unavailable"},
		{failure.New(failure.Conflict, "exists"), 409, "conflict"},
		{failure.Wrap(failure.Internal, errSecret, "secret"), 500, "internal"},
		{errSecret, 500, "internal"},
		{echo.ErrNotFound, 404, "not_found"},
		{fmt.Errorf("read: %w", &http.MaxBytesError{Limit: 10}), 413, "too_large"},
		{echo.NewHTTPError(http.StatusBadGateway, "secret upstream"), 500, "internal"},
	} {
		status, ae := toAPIError(tc.err)
		if status != tc.status || ae.Code != tc.code {
			t.Errorf("%v: %d %s, want %d %s", tc.err, status, ae.Code, tc.status, tc.code)
		}
		if status == 500 && strings.Contains(ae.Message, "secret") {
			t.Errorf("%v: 500 message leaks: %q", tc.err, ae.Message)
		}
	}
	// A BadInput message always names its parameter.
	if _, ae := toAPIError(failure.Param("from", "not a date")); !strings.Contains(ae.Message, "from") || ae.Param != "from" {
		t.Errorf("param error = %+v", ae)
	}
}

func TestSecurityHeaders(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	for _, path := range []string{"/healthz", "/api/search?q=alliance", "/api/search?size=0", "/api/no-such-route", "/api/openapi.json", "/metrics"} {
		rec := get(t, s, path)
		h := rec.Header()
		for k, want := range map[string]string{
			"Content-Security-Policy": ContentSecurityPolicy,
			"X-Content-Type-Options":  "nosniff",
			"X-Frame-Options":         "DENY",
			"Referrer-Policy":         "no-referrer",
		} {
			if got := h.Get(k); got != want {
				t.Errorf("%s: %s = %q, want %q", path, k, got, want)
			}
		}
		csp := h.Get("Content-Security-Policy")
		if strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("CSP %q allows inline script or framing", csp)
		}
		if h.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("%s: CORS on by default", path)
		}
	}
}

func TestCORS(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	rec := get(t, s, "/api/search?q=alliance", "Origin", "https://dash.example")
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("CORS off: Access-Control-Allow-Origin = %q", got)
	}

	cfg := testConfig()
	cfg.CORSOrigins = []string{"https://dash.example"}
	s, _ = newTestServer(t, cfg)
	rec = get(t, s, "/api/search?q=alliance", "Origin", "https://dash.example")
	wantStatus(t, rec, http.StatusOK)
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "https://dash.example" {
		t.Errorf("allowed origin: Access-Control-Allow-Origin = %q", got)
	}
	rec = do(t, s, http.MethodOptions, "/api/search", nil, "Origin", "https://dash.example",
		"Access-Control-Request-Method", "GET")
	if rec.Code != http.StatusNoContent || !strings.Contains(rec.Header().Get("Access-Control-Allow-Methods"), "GET") {
		t.Errorf("preflight: %d, methods %q", rec.Code, rec.Header().Get("Access-Control-Allow-Methods"))
	}
	rec = get(t, s, "/api/search?q=alliance", "Origin", "https://evil.example")
	if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("other origin: Access-Control-Allow-Origin = %q", got)
	}
}

func TestRequestIDAndAccessLog(t *testing.T) {
	s, logs := newTestServer(t, testConfig())
	rec := get(t, s, "/api/search?q=alliance")
	id := rec.Header().Get(RequestIDHeader)
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(id) {
		t.Fatalf("X-Request-ID = %q", id)
	}
	if other := get(t, s, "/healthz").Header().Get(RequestIDHeader); other == id || other == "" {
		t.Errorf("second request id %q", other)
	}
	if got := get(t, s, "/healthz", RequestIDHeader, "proxy-abc.123").Header().Get(RequestIDHeader); got != "proxy-abc.123" {
		t.Errorf("incoming id not kept: %q", got)
	}
	if got := get(t, s, "/healthz", RequestIDHeader, "<script>x</script>").Header().Get(RequestIDHeader); strings.Contains(got, "<") || got == "" {
		t.Errorf("malformed incoming id kept: %q", got)
	}
	wantError(t, get(t, s, "/api/search?size=0"), http.StatusBadRequest, "bad_request")
	l := logs.String()
	for _, want := range []string{
		`"request_id":"` + id + `"`, `"route":"/api/search"`, `"status":200`, `"status":400`, `"method":"GET"`, `"duration_ms":`,
	} {
		if !strings.Contains(l, want) {
			t.Errorf("access log lacks %s:\n%s", want, truncate(l, 1000))
		}
	}
}
