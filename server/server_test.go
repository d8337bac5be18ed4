package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"dialoguesearch/app"
	"dialoguesearch/corpus"
	"dialoguesearch/indexer"
)

// The five records of the default corpus, indexed once on disk for the
// whole package; every test server searches this real index.
var (
	fixtureOnce sync.Once
	fixtureIdx  *indexer.Index
	fixtureRecs []*corpus.Record
	fixtureErr  error
	fixtureDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureIdx != nil {
		fixtureIdx.Close()
	}
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

// fixtureIndex returns the shared index of the default corpus.
func fixtureIndex(t testing.TB) *indexer.Index {
	t.Helper()
	fixtureOnce.Do(func() {
		recs, problems := corpus.Load(corpus.Default())
		if len(problems) > 0 {
			fixtureErr = fmt.Errorf("corpus problems: %v", problems)
			return
		}
		fixtureRecs = recs
		fixtureDir, fixtureErr = os.MkdirTemp("", "server-test-index-")
		if fixtureErr != nil {
			return
		}
		fixtureIdx, fixtureErr = indexer.Open(fixtureDir)
		if fixtureErr != nil {
			return
		}
		_, fixtureErr = fixtureIdx.Sync(context.Background(), recs, nil)
	})
	if fixtureErr != nil {
		t.Fatalf("fixture index: %v", fixtureErr)
	}
	return fixtureIdx
}

// testConfig is a server configuration without rate limit and time-out, so
// tests only meet the limits they set.
func testConfig() Config {
	return Config{MaxBodyBytes: 1 << 20}
}

// newTestServer returns a ready server over the fixture index, logging into
// the returned buffer.
func newTestServer(t testing.TB, cfg Config) (*Server, *syncBuffer) {
	t.Helper()
	idx := fixtureIndex(t)
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return New(cfg, Deps{Logger: log, App: app.New(app.Config{}, idx, nil, log)}), logs
}

// syncBuffer is a bytes.Buffer safe for the logger and the test to share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// do sends a request through the server's real router and middleware.
func do(t *testing.T, s *Server, method, target string, body io.Reader, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, body)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

func get(t *testing.T, s *Server, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	return do(t, s, http.MethodGet, target, nil, header...)
}

// wantStatus fails the test unless rec has status want.
func wantStatus(t *testing.T, rec *httptest.ResponseRecorder, want int) {
	t.Helper()
	if got := rec.Code; got != want {
		t.Fatalf("status = %d, want %d; body: %s", got, want, truncate(rec.Body.String(), 500))
	}
}

// decode decodes rec's JSON body into v, checking the content type.
func decode(t *testing.T, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %q, want application/json", ct)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %s: %v", truncate(rec.Body.String(), 300), err)
	}
}

// wantError checks an error answer: status, JSON {"error":{code,message}},
// and that the message contains each of words.
func wantError(t *testing.T, rec *httptest.ResponseRecorder, status int, code string, words ...string) errorBody {
	t.Helper()
	wantStatus(t, rec, status)
	var body errorBody
	decode(t, rec, &body)
	if body.Error.Code != code {
		t.Errorf("error code = %q, want %q (message %q)", body.Error.Code, code, body.Error.Message)
	}
	if body.Error.Message == "" {
		t.Errorf("error message is empty")
	}
	for _, w := range words {
		if !strings.Contains(body.Error.Message, w) {
			t.Errorf("error message %q does not mention %q", body.Error.Message, w)
		}
	}
	return body
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}
