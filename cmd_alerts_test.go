package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dialoguesearch/alert"
	"dialoguesearch/corpus"
)

func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// index fires the saved alerts for the new paragraphs it brings in; the
// alerts command lists, catches up and delivers; a held store is refused
// with a clear message.
func TestIndexFiresAlertsAndAlertsCommand(t *testing.T) {
	data, corpusDir := t.TempDir(), t.TempDir()
	err := fs.WalkDir(corpus.Default(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(corpus.Default(), p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(corpusDir, p), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCmd(t, "index", "--quiet", "--corpus", corpusDir, "--data", data); code != 0 {
		t.Fatalf("first index: %d %s", code, stderr)
	}
	svc, err := alert.Open(data, alert.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(alert.Input{Settings: alert.Settings{Name: "OPCON watch", Search: alert.Search{Query: "OPCON"}}}); err != nil {
		t.Fatal(err)
	}
	// While the store is held, the alerts command says who holds it.
	code, _, stderr := runCmd(t, "alerts", "list", "--data", data)
	if code != 1 || !strings.Contains(stderr, "running server holds the data dir") {
		t.Errorf("alerts list on a held store: %d %q", code, stderr)
	}
	svc.Close()

	rec := "Joint Press Statement for the 25th Korea-U.S. Integrated Defense Dialogue\n\nSeptember 16, 2025\n\n" +
		"The U.S. Department of Defense and the Republic of Korea Ministry of National Defense held the 25th Korea-U.S. Integrated Defense Dialogue (KIDD) on September 16, 2025 in Seoul.\n\n" +
		"Both sides reviewed the progress made toward the transition of wartime operational control to the future Combined Forces Command.\n"
	if err := os.WriteFile(filepath.Join(corpusDir, "kidd-25.txt"), []byte(rec), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd(t, "index", "--quiet", "--corpus", corpusDir, "--data", data)
	if code != 0 || !strings.Contains(stdout, "alerts: 1 new matches") {
		t.Fatalf("index with a new record: %d\n%s\n%s", code, stdout, stderr)
	}
	// Again: nothing new.
	if code, stdout, _ := runCmd(t, "index", "--quiet", "--corpus", corpusDir, "--data", data); code != 0 || strings.Contains(stdout, "alerts:") {
		t.Fatalf("index again: %d %s", code, stdout)
	}
	code, stdout, stderr = runCmd(t, "alerts", "list", "--data", data)
	if code != 0 || !strings.Contains(stdout, "OPCON watch") || !strings.Contains(stdout, "1 alerts; 0 deliveries pending") {
		t.Fatalf("alerts list: %d\n%s\n%s", code, stdout, stderr)
	}
	if code, stdout, stderr := runCmd(t, "alerts", "run", "--data", data); code != 0 || !strings.Contains(stdout, "0 new matches") {
		t.Fatalf("alerts run: %d\n%s\n%s", code, stdout, stderr)
	}
	if code, stdout, stderr := runCmd(t, "alerts", "deliver", "--data", data); code != 0 || !strings.Contains(stdout, "0 notifications sent") {
		t.Fatalf("alerts deliver: %d\n%s\n%s", code, stdout, stderr)
	}
	if code, _, _ := runCmd(t, "alerts", "frobnicate"); code != 2 {
		t.Errorf("unknown subcommand: %d", code)
	}
}
