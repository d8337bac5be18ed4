package app

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"dialoguesearch/indexer"
)

// --watch follows edits (the file's record is replaced, not kept beside
// the new one, even when the edit changes its id) and reads a file only
// once its size and time held still for a pass (never a half-written one).
func TestWatchFollowsEditsAndWaitsForCompleteFiles(t *testing.T) {
	dir := t.TempDir()
	a := openApp(t, Config{DataDir: t.TempDir(), CorpusDir: dir})
	ctx := context.Background()
	if _, err := a.Build(ctx, nil); err != nil {
		t.Fatal(err)
	}
	idx, err := a.Index()
	if err != nil {
		t.Fatal(err)
	}
	state := &watchState{stamps: map[string]fileStamp{}, ids: map[string]string{}}
	pass := func() {
		t.Helper()
		if err := a.watchPass(ctx, idx, state); err != nil {
			t.Fatal(err)
		}
	}
	hits := func(q string) uint64 {
		t.Helper()
		res, err := idx.Search(ctx, indexer.Request{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	write := func(text string, mod time.Time) {
		t.Helper()
		p := filepath.Join(dir, "note.txt")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mod, mod); err != nil {
			t.Fatal(err)
		}
	}
	t0 := time.Now().Add(-time.Hour)

	// Half-written: not read while it grows.
	write("Zebra talks\n\nThe first zebra paragraph about the alliance.\n", t0)
	pass()
	if hits("zebra") != 0 {
		t.Fatal("a file was read the first time it was seen, perhaps half-written")
	}
	write("Zebra talks\n\nThe first zebra paragraph about the alliance.\n\nThe second zebra paragraph about giraffes.\n", t0.Add(time.Second))
	pass()
	if hits("zebra") != 0 {
		t.Fatal("a file was read while it still grew")
	}
	pass() // it held still for a pass: read whole
	if hits("zebra") != 2 || hits("giraffes") != 1 {
		t.Fatalf("complete file: zebra %d giraffes %d, want 2 and 1", hits("zebra"), hits("giraffes"))
	}
	oldID := state.ids["note.txt"]

	// Edited (its id, from the content, changes): the record is replaced.
	write("Okapi talks\n\nAn okapi paragraph about the alliance.\n", t0.Add(2*time.Second))
	pass()
	pass()
	if hits("zebra") != 0 || hits("okapi") != 1 {
		t.Errorf("after the edit: zebra %d okapi %d, want 0 and 1", hits("zebra"), hits("okapi"))
	}
	if newID := state.ids["note.txt"]; newID == oldID {
		t.Fatalf("the edit kept the id %s: the test needs one that changes it", oldID)
	}
	if _, err := idx.Record(oldID); err == nil {
		t.Errorf("the old record %s is still in the index", oldID)
	}

	// A rename keeps the record.
	if err := os.Rename(filepath.Join(dir, "note.txt"), filepath.Join(dir, "renamed.txt")); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		pass()
		if hits("okapi") != 1 {
			t.Errorf("pass %d after a rename: okapi %d, want 1", i+1, hits("okapi"))
		}
	}
}
