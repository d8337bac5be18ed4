package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dialoguesearch/corpus"
	"dialoguesearch/indexer"
)

// copyRecord copies a shipped record file into dir.
func copyRecord(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := fs.ReadFile(corpus.Default(), name)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func runIndexCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestIndexCommandIsIncremental(t *testing.T) {
	corpusDir, dataDir := t.TempDir(), t.TempDir()
	kidd := copyRecord(t, corpusDir, "2024-04-11-kidd-24-joint-press-statement.txt")
	copyRecord(t, corpusDir, "2023-11-13-scm-55-joint-communique.txt")
	steps := []struct {
		change func()
		want   string
	}{
		{func() {}, "added 2, changed 0, removed 0, unchanged 0"},
		{func() {}, "added 0, changed 0, removed 0, unchanged 2"},
		{func() {
			f, err := os.OpenFile(kidd, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString("\n\nThe delegations also discussed zebrafish cooperation in detail.\n")
			f.Close()
			os.Remove(filepath.Join(corpusDir, "2023-11-13-scm-55-joint-communique.txt"))
			copyRecord(t, corpusDir, "2018-07-26-kidd-14-news-report.txt")
		}, "added 1, changed 1, removed 1, unchanged 0"},
	}
	for i, s := range steps {
		s.change()
		code, out, errs := runIndexCmd(t, "index", "--corpus", corpusDir, "--data", dataDir)
		if code != 0 || !strings.Contains(out, s.want) {
			t.Fatalf("step %d: exit %d, stdout %q, stderr %q; want %q", i, code, out, errs, s.want)
		}
	}
	code, out, errs := runIndexCmd(t, "search", "--data", dataDir, "--json", "zebrafish")
	if code != 0 {
		t.Fatalf("search: exit %d: %s", code, errs)
	}
	var res indexer.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Total != 1 || !strings.HasPrefix(res.Hits[0].ID, "kidd-24-") {
		t.Errorf("zebrafish: %+v", res)
	}
	code, out, _ = runIndexCmd(t, "search", "--data", dataDir, "--json", "--filter", "series=SCM", "")
	if code != 0 || !strings.Contains(out, `"total": 0`) {
		t.Errorf("the removed SCM record is still indexed: %s", out)
	}
}

func TestIndexCommandDataDirInUse(t *testing.T) {
	dataDir := t.TempDir()
	idx, err := indexer.Open(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	code, _, errs := runIndexCmd(t, "index", "--data", dataDir)
	if code != 1 || !strings.Contains(errs, "in use by a running dialoguesearch server") || !strings.Contains(errs, "POST /api/records") {
		t.Errorf("index: exit %d, stderr %q", code, errs)
	}
	code, _, errs = runIndexCmd(t, "search", "--data", dataDir, "OPCON")
	if code != 1 || !strings.Contains(errs, "in use by a running dialoguesearch server") || !strings.Contains(errs, "/api/search") {
		t.Errorf("search: exit %d, stderr %q", code, errs)
	}
}

func TestSearchCommand(t *testing.T) {
	dataDir := t.TempDir()
	if code, out, errs := runIndexCmd(t, "index", "--data", dataDir); code != 0 || !strings.Contains(out, "added 5") {
		t.Fatalf("index: exit %d, %q, %q", code, out, errs)
	}
	code, out, errs := runIndexCmd(t, "search", "--data", dataDir, "OPCON", "--size", "2", "--facets")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"6 hits, showing 1-2", "*OPCON*", "matched: OPCON → operational control", "series: KIDD (3), SCM (3)"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if code, out, _ := runIndexCmd(t, "search", "--data", dataDir, "OPCOM"); code != 0 || !strings.Contains(out, "did you mean: OPCON") {
		t.Errorf("OPCOM: exit %d, %q", code, out)
	}
	if code, _, errs := runIndexCmd(t, "search", "--data", dataDir, "(OPCON"); code != 2 || !strings.Contains(errs, "at position 1") {
		t.Errorf("syntax error: exit %d, %q", code, errs)
	}
}
