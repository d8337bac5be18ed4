package server

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A full disk never poisons the server: ingest answers 503 naming the cause,
// searches keep answering from the last good index, /readyz and /metrics
// say degraded, and all of it recovers once space returns.
func TestFullDiskDegradesAndRecovers(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("a full disk is simulated with a small tmpfs, which needs root; run the test as root")
	}
	disk := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", disk).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", disk).Run() })
	env := startAlertEnv(t, filepath.Join(disk, "data"), nil, false)
	var before searchResponse
	if code := env.do("GET", "/api/search?q=alliance", "", "", nil, &before); code != 200 || before.Total == 0 {
		t.Fatalf("search: %d", code)
	}
	filler := filepath.Join(disk, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	for buf := make([]byte, 64<<10); ; {
		if _, err := f.Write(buf); err != nil {
			break
		}
	}
	f.Close()

	var big strings.Builder
	big.WriteString("Joint statement of the zebra dialogue\n\nThe sides met on May 5, 2024 in Seoul.\n\n")
	for i := 0; i < 300; i++ {
		fmt.Fprintf(&big, "Paragraph zebra%d on the alliance and deterrence. %s\n\n", i, strings.Repeat("More words for the page. ", 30))
	}
	var e errorBody
	code := env.do("POST", "/api/records", testAdminToken, "text/plain", strings.NewReader(big.String()), &e)
	if code != http.StatusServiceUnavailable || !strings.Contains(e.Error.Message, "disk is full") {
		t.Fatalf("ingest on a full disk: %d %+v, want 503 naming the full disk", code, e)
	}
	for i := 0; i < 3; i++ {
		var res searchResponse
		if code := env.do("GET", "/api/search?q=alliance", "", "", nil, &res); code != 200 || res.Total != before.Total {
			t.Fatalf("search on a full disk: %d, %d hits (before %d)", code, res.Total, before.Total)
		}
	}
	var ready readyResponse
	if code := env.do("GET", "/readyz", "", "", nil, &ready); code != 200 || ready.Status != "degraded" || !strings.Contains(ready.Reason, "disk is full") || ready.WritesFailing == nil {
		t.Errorf("/readyz on a full disk: %d %+v", code, ready)
	}
	metrics := func() string {
		resp, err := http.Get(env.base + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	if m := metrics(); !strings.Contains(m, "dialoguesearch_index_writes_failing 1") || !strings.Contains(m, "dialoguesearch_index_write_failures_total 1") {
		t.Errorf("/metrics does not show the failing writes")
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	var ans ingestAnswer
	if code := env.do("POST", "/api/records", testAdminToken, "text/plain", strings.NewReader(big.String()), &ans); code != http.StatusCreated {
		t.Fatalf("ingest after space returned: %d", code)
	}
	if code := env.do("GET", "/readyz", "", "", nil, &ready); code != 200 || ready.Status != "ready" {
		t.Errorf("/readyz after recovery: %d %+v", code, ready)
	}
	if m := metrics(); !strings.Contains(m, "dialoguesearch_index_writes_failing 0") {
		t.Errorf("/metrics still shows failing writes")
	}
	var res searchResponse
	if env.do("GET", "/api/search?q=zebra7", "", "", nil, &res); res.Total != 1 {
		t.Errorf("the record ingested after recovery: %d hits", res.Total)
	}
}
