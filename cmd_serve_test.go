package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildBinary compiles the program into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "dialoguesearch")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// servedProcess is a running `dialoguesearch serve`.
type servedProcess struct {
	cmd    *exec.Cmd
	url    string
	stderr *lockedBuffer
	done   chan error
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServe starts the binary on a free loopback port (port 0, the URL is
// read from its output) with env added to the environment.
func startServe(t *testing.T, bin string, env ...string) *servedProcess {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &servedProcess{cmd: cmd, stderr: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			line := sc.Text()
			if i := strings.Index(line, "serving http://"); i >= 0 {
				urls <- strings.Fields(line[i+len("serving "):])[0]
			}
		}
	}()
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
	})
	select {
	case p.url = <-urls:
	case err := <-p.done:
		t.Fatalf("serve exited before listening: %v\n%s", err, p.stderr)
	case <-time.After(30 * time.Second):
		t.Fatalf("serve printed no URL in 30s\n%s", p.stderr)
	}
	return p
}

func (p *servedProcess) get(t *testing.T, path string) (int, http.Header, []byte) {
	t.Helper()
	res, err := http.Get(p.url + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, body
}

func (p *servedProcess) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		code, _, body := p.get(t, "/readyz")
		if code == http.StatusOK {
			return
		}
		if code != http.StatusServiceUnavailable || !strings.Contains(string(body), "index is building") {
			t.Fatalf("/readyz while building: %d %s", code, body)
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready after 90s: %s\n%s", body, p.stderr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop sends sig and expects a clean exit, code 0.
func (p *servedProcess) stop(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			t.Fatalf("exit after %v: %v\n%s", sig, err, p.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no exit 30s after %v\n%s", sig, p.stderr)
	}
	if !strings.Contains(p.stderr.String(), "stopped cleanly") {
		t.Errorf("log lacks \"stopped cleanly\":\n%s", p.stderr)
	}
}

func TestServeBinary(t *testing.T) {
	bin := buildBinary(t)
	data := filepath.Join(t.TempDir(), "data")
	// The data dir comes from the environment, the address from a flag.
	p := startServe(t, bin, "DIALOGUESEARCH_DATA="+data)

	if code, _, _ := p.get(t, "/healthz"); code != http.StatusOK {
		t.Errorf("/healthz = %d while starting", code)
	}
	p.waitReady(t)

	code, h, body := p.get(t, "/api/search?q=deterrence&size=3")
	if code != http.StatusOK {
		t.Fatalf("search: %d %s", code, body)
	}
	var res struct {
		Total uint64 `json:"total"`
		Hits  []struct {
			ID          string `json:"id"`
			SnippetHTML string `json:"snippet_html"`
		} `json:"hits"`
		Facets map[string]any `json:"facets"`
	}
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatalf("search body: %v", err)
	}
	if res.Total == 0 || len(res.Hits) != 3 || !strings.Contains(res.Hits[0].SnippetHTML, "<mark>") || res.Facets["series"] == nil {
		t.Errorf("search over HTTP: %s", body)
	}
	if h.Get("X-Request-ID") == "" || h.Get("Content-Security-Policy") == "" {
		t.Errorf("headers: %v", h)
	}
	code, _, body = p.get(t, "/api/records")
	if code != http.StatusOK || !strings.Contains(string(body), `"total":5`) {
		t.Errorf("records: %d %s", code, body)
	}
	if _, err := os.Stat(data); err != nil {
		t.Errorf("data dir from DIALOGUESEARCH_DATA not used: %v", err)
	}

	// A second server on the same data dir says so and exits, without hanging.
	second := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", data)
	var out bytes.Buffer
	second.Stdout, second.Stderr = &out, &out
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- second.Wait() }()
	select {
	case err := <-waited:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Errorf("second server on a held data dir: %v\n%s", err, out.String())
		}
	case <-time.After(20 * time.Second):
		second.Process.Kill()
		t.Errorf("second server on a held data dir hangs\n%s", out.String())
	}

	p.stop(t, syscall.SIGTERM)

	// The index was closed cleanly: a restart reopens it and is ready.
	// It writes the profiles of its start.
	prof := t.TempDir()
	cpu, heap := filepath.Join(prof, "cpu.pprof"), filepath.Join(prof, "heap.pprof")
	p = startServe(t, bin, "DIALOGUESEARCH_DATA="+data, "DIALOGUESEARCH_CPUPROFILE="+cpu, "DIALOGUESEARCH_HEAPPROFILE="+heap)
	p.waitReady(t)
	if code, _, body := p.get(t, "/api/glossary"); code != http.StatusOK {
		t.Errorf("glossary after restart: %d %s", code, body)
	}
	p.stop(t, syscall.SIGINT)
	for _, f := range []string{cpu, heap} {
		if b, err := os.ReadFile(f); err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
			t.Errorf("profile %s: %v, %d bytes (want a gzipped pprof profile)", f, err, len(b))
		}
	}
}

func TestServeFlagErrors(t *testing.T) {
	var stderr bytes.Buffer
	if code := run([]string{"serve", "--rate-limit", "fast"}, nil, io.Discard, &stderr); code != 2 {
		t.Errorf("bad flag: exit %d, want 2; %s", code, stderr.String())
	}
	stderr.Reset()
	t.Setenv("DIALOGUESEARCH_REQUEST_TIMEOUT", "soon")
	if code := run([]string{"serve"}, nil, io.Discard, &stderr); code != 2 || !strings.Contains(stderr.String(), "DIALOGUESEARCH_REQUEST_TIMEOUT") {
		t.Errorf("bad env: exit %d; %s", code, stderr.String())
	}
	t.Setenv("DIALOGUESEARCH_REQUEST_TIMEOUT", "")
	os.Unsetenv("DIALOGUESEARCH_REQUEST_TIMEOUT")
	stderr.Reset()
	if code := run([]string{"serve", "--corpus", filepath.Join(t.TempDir(), "missing")}, nil, io.Discard, &stderr); code != 1 || !strings.Contains(stderr.String(), "corpus") {
		t.Errorf("missing corpus dir: exit %d; %s", code, stderr.String())
	}
}

// writeCorpus writes n small KIDD statements into a new directory.
func writeCorpus(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	day := time.Date(2000, 1, 6, 0, 0, 0, 0, time.UTC)
	for i := 1; i <= n; i++ {
		d := day.AddDate(0, 0, 7*i).Format("January 2, 2006")
		text := fmt.Sprintf("Joint Press Statement for the %dth Korea-U.S. Integrated Defense Dialogue\n\n%s\n\n"+
			"The U.S. Department of Defense and the Republic of Korea Ministry of National Defense held the %dth "+
			"Korea-U.S. Integrated Defense Dialogue (KIDD) on %s in Seoul.\n\n"+
			"Both sides reviewed the transition of wartime operational control and the alliance's deterrence posture.\n", i, d, i, d)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("kidd-%04d.txt", i)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// While the first start builds the index, the server is alive but not
// ready, and a search says the index is building.
func TestServeBinaryWhileBuilding(t *testing.T) {
	bin := buildBinary(t)
	const n = 300
	p := startServe(t, bin, "DIALOGUESEARCH_CORPUS="+writeCorpus(t, n), "DIALOGUESEARCH_DATA="+filepath.Join(t.TempDir(), "data"))
	code, _, body := p.get(t, "/readyz")
	if code != http.StatusServiceUnavailable || !strings.Contains(string(body), "index is building") {
		t.Fatalf("/readyz right after start: %d %s (want 503 while %d records index)", code, body, n)
	}
	code, h, body := p.get(t, "/api/search?q=alliance")
	if code != http.StatusServiceUnavailable || !strings.Contains(string(body), `"code":"unavailable"`) ||
		!strings.Contains(string(body), "index is building") || h.Get("Retry-After") == "" {
		t.Errorf("search while building: %d %s", code, body)
	}
	if code, _, _ := p.get(t, "/healthz"); code != http.StatusOK {
		t.Errorf("/healthz while building: %d", code)
	}
	p.waitReady(t)
	code, _, body = p.get(t, "/readyz")
	if code != http.StatusOK || !strings.Contains(string(body), fmt.Sprintf(`"records":%d`, n)) {
		t.Errorf("ready: %d %s", code, body)
	}
	p.stop(t, syscall.SIGTERM)
}
