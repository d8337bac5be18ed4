package app

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dialoguesearch/alert"
	"dialoguesearch/failure"
)

// alerts.db is user data: one that cannot be read stops the start with a
// message that says what to do; it is not replaced.
func TestDamagedAlertStoreIsRefused(t *testing.T) {
	data := t.TempDir()
	path := filepath.Join(data, alert.StoreFile)
	garbage := bytes.Repeat([]byte("not bolt"), 4096)
	if err := os.WriteFile(path, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(Config{DataDir: data}, nil)
	if err == nil {
		t.Fatal("a damaged alerts.db was opened")
	}
	for _, w := range []string{"alerts.db", "backup", "move it away"} {
		if !strings.Contains(errorText(err), w) {
			t.Errorf("message %q does not say %q", errorText(err), w)
		}
	}
	if b, _ := os.ReadFile(path); !bytes.Equal(b, garbage) {
		t.Error("the damaged alerts.db was changed")
	}
}

// An empty alerts.db (truncated) starts with no alerts, and says so.
func TestEmptyAlertStoreIsAWarning(t *testing.T) {
	data := t.TempDir()
	if err := os.WriteFile(filepath.Join(data, alert.StoreFile), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	a, err := Open(Config{DataDir: data}, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	a.Close(context.Background())
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "alerts.db is empty") {
		t.Errorf("no warning for an empty alerts.db: %s", logs.String())
	}
}

// A damaged index is moved aside and rebuilt at start, with a warning.
func TestDamagedIndexRebuiltAtStart(t *testing.T) {
	data := t.TempDir()
	a := openApp(t, Config{DataDir: data})
	if _, err := a.Build(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	a.Close(context.Background())
	stores, _ := filepath.Glob(filepath.Join(data, "index-v*", "records.bolt"))
	if len(stores) != 1 {
		t.Fatalf("record stores: %v", stores)
	}
	if err := os.WriteFile(stores[0], bytes.Repeat([]byte("garbage!"), 1024), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	b, err := Open(Config{DataDir: data}, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatalf("start with a damaged index: %v", err)
	}
	defer b.Close(context.Background())
	up, err := b.Build(context.Background(), nil)
	if err != nil || up.Added == 0 {
		t.Fatalf("rebuild: %+v %v", up, err)
	}
	if !strings.Contains(logs.String(), "moved aside") || !strings.Contains(logs.String(), "invalid database") {
		t.Errorf("the log does not say why the index was rebuilt: %s", logs.String())
	}
}

func errorText(err error) string {
	if m := failureMessage(err); m != "" {
		return m
	}
	return err.Error()
}

func failureMessage(err error) string { return failure.Message(err) }
