package app

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// A sidecar file next to a record corrects it without editing the saved
// original: index (Build) reads it, and the watcher re-reads the record
// when its sidecar is added, changed or removed.
func TestSidecarPickedUpByBuildAndWatch(t *testing.T) {
	dir := t.TempDir()
	const talks = "Talks end\n\nThe two sides held talks in Seoul and discussed the alliance.\n"
	if err := os.WriteFile(filepath.Join(dir, "talks.txt"), []byte(talks), 0o644); err != nil {
		t.Fatal(err)
	}
	sidecar := filepath.Join(dir, "talks.meta.yaml")
	if err := os.WriteFile(sidecar, []byte("id: talks\ndate: 2024-05-02\nseries: KIDD\nnumber: 25\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a := openApp(t, Config{DataDir: t.TempDir(), CorpusDir: dir})
	ctx := context.Background()
	if _, err := a.Build(ctx, nil); err != nil {
		t.Fatal(err)
	}
	idx, err := a.Index()
	if err != nil {
		t.Fatal(err)
	}
	rec, err := idx.Record("talks")
	if err != nil {
		t.Fatalf("record of the sidecar's id: %v", err)
	}
	if rec.Date != "2024-05-02" || rec.Meeting.Name != "25th KIDD" {
		t.Errorf("build ignored the sidecar: date %q meeting %+v", rec.Date, rec.Meeting)
	}
	state := &watchState{stamps: map[string]fileStamp{}, ids: map[string]string{}}
	if err := a.watchPass(ctx, idx, state); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(sidecar, []byte("id: talks\ndate: 2024-05-03\nseries: KIDD\nnumber: 26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := a.watchPass(ctx, idx, state); err != nil {
		t.Fatal(err)
	}
	if rec, err = idx.Record("talks"); err != nil || rec.Date != "2024-05-03" || rec.Meeting.Number != 26 {
		t.Errorf("watch did not pick up the edited sidecar: %v %+v", err, rec)
	}
}
