package app

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dialoguesearch/alert"
	"dialoguesearch/corpus"
	"dialoguesearch/failure"
)

// kidd25 is a record that is not in the default corpus and mentions the
// transition of wartime operational control.
const kidd25 = "Joint Press Statement for the 25th Korea-U.S. Integrated Defense Dialogue\n\nSeptember 16, 2025\n\n" +
	"The U.S. Department of Defense and the Republic of Korea Ministry of National Defense held the 25th Korea-U.S. Integrated Defense Dialogue (KIDD) on September 16, 2025 in Seoul.\n\n" +
	"Both sides reviewed the progress made toward the transition of wartime operational control to the future Combined Forces Command.\n"

func openApp(t *testing.T, cfg Config) *App {
	t.Helper()
	a, err := Open(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(context.Background()) })
	return a
}

// Until built, the index is unavailable and says how far the build is; a
// failed build says so without its cause.
func TestIndexBeforeReady(t *testing.T) {
	a := New(Config{}, nil, nil, nil)
	_, err := a.Index()
	if failure.KindOf(err) != failure.Unavailable || failure.Message(err) != "index is building" {
		t.Errorf("before build: %v", err)
	}
	a.SetProgress(2, 5)
	if _, err := a.Index(); !strings.Contains(failure.Message(err), "2 of 5") {
		t.Errorf("during build: %v", err)
	}
	a.SetBuildError(errors.New("disk on fire"))
	if _, err := a.Index(); strings.Contains(failure.Message(err), "fire") || !strings.Contains(failure.Message(err), "could not be built") {
		t.Errorf("failed build: %q", failure.Message(err))
	}
	if _, err := a.Alerts(); failure.KindOf(err) != failure.Unavailable {
		t.Errorf("alerts off: %v", err)
	}
}

// Every way records enter the index ends in the alerts: the build, ingest
// and a rebuild after restart that keeps the ingested record, which fires
// nothing twice.
func TestIngestRunsAlertsOnce(t *testing.T) {
	data := t.TempDir()
	a := openApp(t, Config{DataDir: data})
	up, err := a.Build(context.Background(), nil)
	if err != nil || up.Added == 0 || up.AlertMatches != 0 {
		t.Fatalf("first build: %+v %v", up, err)
	}
	svc, err := a.Alerts()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(alert.Input{Settings: alert.Settings{Name: "OPCON", Search: alert.Search{Query: "operational control"}}}); err != nil {
		t.Fatal(err)
	}
	in, err := a.Ingest(context.Background(), "kidd-25.txt", []byte(kidd25))
	if err != nil {
		t.Fatal(err)
	}
	if in.AlertMatches != 1 || in.Record == nil || in.NewParagraphs == 0 {
		t.Errorf("ingest: %+v, want 1 alert match", in)
	}
	if _, err := os.Stat(filepath.Join(data, IngestDirName, in.Record.ID+".txt")); err != nil {
		t.Errorf("original not kept: %v", err)
	}
	if err := a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	b := openApp(t, Config{DataDir: data})
	up, err = b.Build(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := b.Index()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := idx.Record(in.Record.ID); err != nil {
		t.Errorf("ingested record gone after a rebuild: %v", err)
	}
	if up.AlertMatches != 0 {
		t.Errorf("rebuild fired %d alert matches again", up.AlertMatches)
	}
}

// A file that does not parse is refused and leaves nothing behind.
func TestIngestUnparseable(t *testing.T) {
	data := t.TempDir()
	a := openApp(t, Config{DataDir: data})
	if _, err := a.Build(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	_, err := a.Ingest(context.Background(), "empty.txt", []byte("   \n"))
	if k := failure.KindOf(err); k != failure.Unprocessable {
		t.Fatalf("ingest of an empty file: kind %v, err %v", k, err)
	}
	if ents, _ := os.ReadDir(filepath.Join(data, IngestDirName)); len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}
}

// WithIngested: an ingested record replaces the corpus record with its id.
func TestWithIngestedReplaces(t *testing.T) {
	data := t.TempDir()
	recs, _ := corpus.Load(corpus.Default())
	dir := filepath.Join(data, IngestDirName)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src := recs[0].Source
	b, err := fs.ReadFile(corpus.Default(), src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, src), b, 0o644); err != nil {
		t.Fatal(err)
	}
	out, problems := WithIngested(recs, data)
	if len(problems) > 0 || len(out) != len(recs) {
		t.Fatalf("got %d records (%v), want %d", len(out), problems, len(recs))
	}
	if last := out[len(out)-1]; last.ID != recs[0].ID {
		t.Errorf("the ingested copy of %s is not the one kept: last is %s", recs[0].ID, last.ID)
	}
}
