package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"dialoguesearch/indexer"
)

// Text that is not UTF-8, or holds a NUL, is refused by name rather than
// searched for (it used to answer 200 with no hits).
func TestSearchRefusesBadText(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	for _, tc := range []struct{ query, param string }{
		{"q=%ff%fe", "q"},
		{"q=alliance%00", "q"},
		{"q=%c3%28", "q"},
		{"speaker=%ff", "speaker"},
	} {
		body := wantError(t, get(t, s, "/api/search?"+tc.query), http.StatusBadRequest, "bad_request", "UTF-8")
		if body.Error.Param != tc.param {
			t.Errorf("%s: param = %q, want %q", tc.query, body.Error.Param, tc.param)
		}
		wantStatus(t, get(t, s, "/?"+tc.query), http.StatusBadRequest)
	}
	wantStatus(t, get(t, s, "/api/search?q=%ED%95%9C%EB%AF%B8"), http.StatusOK) // 한미
}

// Every GET route answers HEAD with the status GET gets and no body.
func TestHeadOnEveryGetRoute(t *testing.T) {
	s, logs := newTestServer(t, testConfig())
	n := 0
	for _, r := range s.e.Routes() {
		if r.Method != http.MethodGet {
			continue
		}
		path := strings.ReplaceAll(r.Path, "*", "app.css")
		for _, seg := range strings.Split(path, "/") {
			if strings.HasPrefix(seg, ":") {
				path = strings.Replace(path, seg, "x", 1)
			}
		}
		got, head := get(t, s, path), do(t, s, http.MethodHead, path, nil)
		if head.Code != got.Code {
			t.Errorf("HEAD %s = %d, GET = %d", path, head.Code, got.Code)
		}
		if head.Body.Len() != 0 {
			t.Errorf("HEAD %s has a %d-byte body", path, head.Body.Len())
		}
		if ct := got.Header().Get("Content-Type"); head.Header().Get("Content-Type") != ct {
			t.Errorf("HEAD %s Content-Type %q, GET %q", path, head.Header().Get("Content-Type"), ct)
		}
		n++
	}
	if n < 10 {
		t.Fatalf("only %d GET routes found", n)
	}
	if !strings.Contains(logs.String(), `"method":"HEAD"`) {
		t.Error("the access log does not show HEAD")
	}
	// Other methods are still refused.
	wantStatus(t, do(t, s, http.MethodDelete, "/api/search", nil), http.StatusMethodNotAllowed)
}

// A script on this machine is not throttled by the default limit; other
// clients still are.
func TestRateLimitSparesLoopback(t *testing.T) {
	cfg := testConfig()
	cfg.RateLimit = 0.01
	cfg.RateBurst = 3
	s, _ := newTestServer(t, cfg)
	from := func(addr string) int {
		req := httptest.NewRequest(http.MethodGet, "/api/glossary", nil)
		req.RemoteAddr = addr
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		return rec.Code
	}
	for i := 0; i < 300; i++ {
		for _, addr := range []string{"127.0.0.1:40000", "[::1]:40000"} {
			if code := from(addr); code != http.StatusOK {
				t.Fatalf("call %d from %s: %d", i+1, addr, code)
			}
		}
	}
	for i := 0; i < 3; i++ {
		from("203.0.113.9:4000")
	}
	if code := from("203.0.113.9:4000"); code != http.StatusTooManyRequests {
		t.Errorf("4th call from a remote client: %d, want 429", code)
	}
}

// An answer that never reached the client (here: past the server's write
// deadline, so the client gets an empty reply) is logged as dropped, not as
// the 200 the handler started.
func TestAccessLogShowsDroppedAnswer(t *testing.T) {
	s, logs := newTestServer(t, testConfig())
	s.e.GET("/api/test-late", func(c echo.Context) error {
		time.Sleep(300 * time.Millisecond)
		return c.JSON(http.StatusOK, map[string]string{"ok": "late"})
	})
	hs := httptest.NewUnstartedServer(s.Handler())
	hs.Config.WriteTimeout = 100 * time.Millisecond
	hs.Start()
	defer hs.Close()

	conn, err := net.Dial("tcp", hs.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /api/test-late HTTP/1.1\r\nHost: x\r\n\r\n")
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if resp, err := http.ReadResponse(bufio.NewReader(conn), nil); err == nil {
		b, _ := io.ReadAll(resp.Body)
		t.Logf("the client got %d %q (a kernel may still deliver it; the log is what is tested)", resp.StatusCode, b)
	}
	var entry map[string]any
	waitUntil(t, "the access log line", 3*time.Second, func() bool {
		for _, line := range strings.Split(logs.String(), "\n") {
			if strings.Contains(line, "/api/test-late") && strings.Contains(line, `"msg":"request"`) {
				return json.Unmarshal([]byte(line), &entry) == nil
			}
		}
		return false
	})
	if got := entry["status"]; got != float64(StatusDropped) {
		t.Errorf("logged status = %v, want %d; line %v", got, StatusDropped, entry)
	}
	if entry["dropped"] == nil || entry["answer_status"] != float64(200) {
		t.Errorf("the log line does not say why: %v", entry)
	}
}

// The admin token is taken from the Authorization header only: in a URL it
// would end up in logs and browser histories.
func TestAdminTokenOnlyInHeader(t *testing.T) {
	env := startAlertEnv(t, t.TempDir(), nil, false)
	var e errorBody
	if code := env.do("GET", "/api/alerts?token="+testAdminToken, "", "", nil, &e); code != http.StatusForbidden ||
		!strings.Contains(e.Error.Message, "Authorization header") {
		t.Errorf("admin token in the URL: %d %+v", code, e)
	}
	if code := env.do("POST", "/api/records?token="+testAdminToken, "", "text/plain", strings.NewReader(recordKIDD26), nil); code != http.StatusForbidden {
		t.Errorf("ingest with the admin token in the URL: %d, want 403", code)
	}
	if code := env.do("GET", "/api/alerts", testAdminToken, "", nil, nil); code != http.StatusOK {
		t.Errorf("admin token in the header: %d, want 200", code)
	}
}

// Anonymous alert creation is limited per client; the admin is not.
func TestAlertCreationLimitedPerClient(t *testing.T) {
	env := startAlertEnv(t, t.TempDir(), nil, false)
	body := func(i int) io.Reader { return strings.NewReader(fmt.Sprintf(`{"q":"alliance %d"}`, i)) }
	for i := 0; i < AlertCreateBurst; i++ {
		if code := env.do("POST", "/api/alerts", "", "application/json", body(i), nil); code != http.StatusCreated {
			t.Fatalf("alert %d: %d", i+1, code)
		}
	}
	var e errorBody
	if code := env.do("POST", "/api/alerts", "", "application/json", body(99), &e); code != http.StatusTooManyRequests ||
		!strings.Contains(e.Error.Message, "too many alerts") {
		t.Errorf("alert %d: %d %+v, want 429", AlertCreateBurst+1, code, e)
	}
	// The browser form meets the same allowance.
	if code := env.do("POST", "/alerts/new", "", "application/x-www-form-urlencoded", strings.NewReader("q=alliance"), nil); code != http.StatusTooManyRequests {
		t.Errorf("form after the allowance: %d, want 429", code)
	}
	if code := env.do("POST", "/api/alerts", testAdminToken, "application/json", body(100), nil); code != http.StatusCreated {
		t.Errorf("admin past the anonymous allowance: %d, want 201", code)
	}
	var list struct{ Total int }
	env.do("GET", "/api/alerts", testAdminToken, "", nil, &list)
	if list.Total != AlertCreateBurst+1 {
		t.Errorf("%d alerts stored, want %d", list.Total, AlertCreateBurst+1)
	}
}

// An alert's filters have the limits of a search's.
func TestAlertFiltersHaveSearchLimits(t *testing.T) {
	env := startAlertEnv(t, t.TempDir(), nil, false)
	vals := func(n int) string {
		var vs []string
		for i := 0; i < n; i++ {
			vs = append(vs, fmt.Sprintf("%q", fmt.Sprint("topic-", i)))
		}
		return `{"q":"alliance","filters":{"topic":[` + strings.Join(vs, ",") + `]}}`
	}
	var e errorBody
	if code := env.do("POST", "/api/alerts", "", "application/json", strings.NewReader(vals(MaxFilterValues+1)), &e); code != http.StatusBadRequest ||
		e.Error.Param != "topic" {
		t.Errorf("%d topic values: %d %+v, want 400 naming topic", MaxFilterValues+1, code, e)
	}
	if code := env.do("POST", "/api/alerts", "", "application/json", strings.NewReader(vals(MaxFilterValues)), nil); code != http.StatusCreated {
		t.Errorf("%d topic values: %d, want 201", MaxFilterValues, code)
	}
	if code := env.do("POST", "/api/alerts", "", "application/json", strings.NewReader(`{"q":"alli\u0000ance"}`), nil); code != http.StatusBadRequest {
		t.Errorf("q with NUL: %d, want 400", code)
	}
}

// cancelOnWrite is a response writer whose first body write ends the
// request's context: the time limit striking in the middle of an export.
type cancelOnWrite struct {
	*httptest.ResponseRecorder
	cancel context.CancelFunc
}

func (w *cancelOnWrite) Write(p []byte) (int, error) {
	w.cancel()
	return w.ResponseRecorder.Write(p)
}

// An export the time limit cuts says so, in a trailer and a last line; the
// documented row cap is a different status; a whole export says complete.
func TestCSVExportNeverSilentlyShort(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	total := searchOK(t, s, "size=1").Total
	if total < 40 {
		t.Fatalf("the fixture has %d paragraphs; the test needs more than a write buffer's worth", total)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req := httptest.NewRequest(http.MethodGet, "/api/search.csv", nil).WithContext(ctx)
	w := &cancelOnWrite{httptest.NewRecorder(), cancel}
	s.Handler().ServeHTTP(w, req)
	res := w.Result()
	body, _ := io.ReadAll(res.Body)
	lines := strings.Split(strings.TrimSpace(string(body)), "\n")
	if res.StatusCode != http.StatusOK || res.Header.Get("X-Total-Count") != fmt.Sprint(total) {
		t.Fatalf("status %d, X-Total-Count %q", res.StatusCode, res.Header.Get("X-Total-Count"))
	}
	if got := res.Trailer.Get("X-Export-Status"); got != "cut" {
		t.Errorf("X-Export-Status trailer = %q, want cut", got)
	}
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "# EXPORT CUT SHORT") || !strings.Contains(last, fmt.Sprint(total)) {
		t.Errorf("last line %q does not say the export was cut", last)
	}
	if rows := res.Trailer.Get("X-Export-Rows"); rows != fmt.Sprint(len(lines)-2) || len(lines)-2 >= int(total) {
		t.Errorf("X-Export-Rows = %q, %d rows written of %d", rows, len(lines)-2, total)
	}

	rec := get(t, s, "/api/search.csv")
	if got := rec.Result().Trailer.Get("X-Export-Status"); got != "complete" {
		t.Errorf("whole export: X-Export-Status = %q, want complete", got)
	}
	if rows := strings.Count(strings.TrimSpace(rec.Body.String()), "\n"); rec.Result().Trailer.Get("X-Export-Rows") != fmt.Sprint(total) || strings.Contains(rec.Body.String(), "CUT SHORT") {
		t.Errorf("whole export: %d lines, rows trailer %q", rows, rec.Result().Trailer.Get("X-Export-Rows"))
	}
}

// A query over the cost budget is a 400 naming q; the same word repeated to
// the length limit is collapsed and answered.
func TestSearchCostBudget(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	var words []string
	for i := 0; len(words) <= indexer.MaxClauses; i++ {
		words = append(words, fmt.Sprintf("w%c%c", 'a'+i%26, 'a'+i/26))
	}
	q := strings.Join(words, " OR ")
	wantError(t, get(t, s, "/api/search?q="+url.QueryEscape(q)), http.StatusBadRequest, "bad_request", "terms", "limit")
	wantStatus(t, get(t, s, "/api/search?q="+url.QueryEscape(strings.TrimSuffix(strings.Repeat("alliance OR ", 83), " OR "))), http.StatusOK)
}
