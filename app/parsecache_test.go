package app

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dialoguesearch/corpus"
	"dialoguesearch/indexer"
)

// A restart with nothing changed parses no record file: every file is
// reused from the parse cache and the index is left as it is. An edited
// file is parsed again (also an edit that keeps size and modification
// time: the hash tells), its new text is searchable and its old text
// gone; a removed file's record leaves; other rules parse everything again.
func TestRestartParsesOnlyChangedFiles(t *testing.T) {
	ctx := context.Background()
	dir, data := t.TempDir(), t.TempDir()
	names, err := fs.Glob(corpus.Default(), "*.txt")
	if err != nil || len(names) < 3 {
		t.Fatalf("shipped records: %v %v", names, err)
	}
	for _, n := range names {
		b, err := fs.ReadFile(corpus.Default(), n)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := Config{DataDir: data, CorpusDir: dir}
	a := openApp(t, cfg)
	up, err := a.Build(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if up.Parsed != len(names) || up.Reused != 0 || up.Added != len(names) {
		t.Fatalf("first build: parsed %d, reused %d, added %d; want %d parsed and added", up.Parsed, up.Reused, up.Added, len(names))
	}
	a.Close(ctx)

	// next restarts the app over the data dir (closing the last one) and
	// returns what its Build did; hits then searches its index
	var hits func(string) uint64
	closeLast := func() {}
	next := func() Update {
		t.Helper()
		closeLast()
		a := openApp(t, cfg)
		up, err := a.Build(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		idx, err := a.Index()
		if err != nil {
			t.Fatal(err)
		}
		hits = func(q string) uint64 {
			t.Helper()
			res, err := idx.Search(ctx, indexer.Request{Query: q})
			if err != nil {
				t.Fatal(err)
			}
			return res.Total
		}
		closeLast = func() { a.Close(ctx) }
		return up
	}

	// nothing changed: nothing parsed, nothing indexed
	up = next()
	if up.Parsed != 0 || up.Reused != len(names) || up.Added+up.Changed+up.Removed != 0 || up.Unchanged != len(names) {
		t.Fatalf("restart with nothing changed: %+v; want 0 parsed, %d reused and unchanged", up, len(names))
	}
	if hits("alliance") == 0 {
		t.Fatal("the reused records are not searchable")
	}

	// an edit that changes the size
	edited := filepath.Join(dir, names[0])
	b, _ := os.ReadFile(edited)
	b = append(b, "\n\nThe two sides also discussed zebrafinch migration.\n"...)
	if err := os.WriteFile(edited, b, 0o644); err != nil {
		t.Fatal(err)
	}
	up = next()
	if up.Parsed != 1 || up.Reused != len(names)-1 || up.Changed != 1 {
		t.Fatalf("after an edit: %+v; want 1 parsed and changed, %d reused", up, len(names)-1)
	}
	if hits("zebrafinch") != 1 {
		t.Fatal("the edited file's new text is not searchable")
	}

	// an edit of the same size, with the modification time put back
	info, _ := os.Stat(edited)
	b2 := []byte(strings.Replace(string(b), "zebrafinch", "quokkafish", 1))
	if len(b2) != len(b) {
		t.Fatal("test edit changed the size")
	}
	if err := os.WriteFile(edited, b2, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(edited, info.ModTime(), info.ModTime()); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(edited); st.Size() != info.Size() || !st.ModTime().Equal(info.ModTime()) {
		t.Fatal("size or time differ")
	}
	up = next()
	if up.Parsed != 1 || up.Changed != 1 {
		t.Fatalf("after a same-size, same-time edit: %+v; want it parsed and changed", up)
	}
	if hits("quokkafish") != 1 || hits("zebrafinch") != 0 {
		t.Fatalf("after the same-size edit: quokkafish %d, zebrafinch %d hits; want 1 and 0", hits("quokkafish"), hits("zebrafinch"))
	}

	// a removed file leaves
	if err := os.Remove(edited); err != nil {
		t.Fatal(err)
	}
	up = next()
	if up.Parsed != 0 || up.Removed != 1 || up.Reused != len(names)-1 {
		t.Fatalf("after a removal: %+v; want 0 parsed, 1 removed", up)
	}
	if hits("quokkafish") != 0 {
		t.Fatal("the removed file's text is still found")
	}

	// a cache made by other rules (another parser version or data files)
	// is not trusted
	cache := filepath.Join(data, ParseCacheName)
	cb, err := os.ReadFile(cache)
	if err != nil {
		t.Fatal(err)
	}
	v := corpus.DefaultRules().Version()
	if err := os.WriteFile(cache, []byte(strings.Replace(string(cb), v, "other-rules", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	up = next()
	if up.Parsed != len(names)-1 || up.Reused != 0 || up.Unchanged != len(names)-1 {
		t.Fatalf("with another rules version: %+v; want every file parsed (and found unchanged)", up)
	}
	closeLast()
}
