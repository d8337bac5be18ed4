package server

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"dialoguesearch/app"
	"dialoguesearch/indexer"
)

// Shutdown lets an in-flight request finish; closing the App then frees
// the data dir for another process.
func TestGracefulShutdown(t *testing.T) {
	dir := t.TempDir()
	ap, err := app.Open(app.Config{DataDir: dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := New(testConfig(), Deps{App: ap})
	inHandler := make(chan struct{})
	s.e.GET("/api/test-slow", func(c echo.Context) error {
		close(inHandler)
		time.Sleep(300 * time.Millisecond)
		return c.String(http.StatusOK, "finished")
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan error, 1)
	go func() { started <- s.Start(ln) }()

	type answer struct {
		code int
		body string
		err  error
	}
	answered := make(chan answer, 1)
	go func() {
		res, err := http.Get("http://" + ln.Addr().String() + "/api/test-slow")
		if err != nil {
			answered <- answer{err: err}
			return
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		answered <- answer{code: res.StatusCode, body: string(b)}
	}()
	<-inHandler
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	a := <-answered
	if a.err != nil || a.code != http.StatusOK || a.body != "finished" {
		t.Errorf("in-flight request: %d %q %v; want 200 finished", a.code, a.body, a.err)
	}
	if err := <-started; err != nil {
		t.Errorf("Start returned %v after Shutdown, want nil", err)
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		t.Error("server still answers after Shutdown")
	}
	if err := ap.Close(ctx); err != nil {
		t.Fatalf("close app: %v", err)
	}
	again, err := indexer.Open(dir)
	if err != nil {
		t.Fatalf("reopen after Shutdown: %v", err)
	}
	again.Close()
}
