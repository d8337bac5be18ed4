package app

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
	"dialoguesearch/indexer"
)

// A first start over record files indexes them while they are parsed: the
// index is ready only once every file is in it, a file that does not parse
// (and a second file of the same record) is reported by name and skipped,
// a record ingested through the API is built in too, and the parse cache
// written after the build lets the next start parse nothing.
func TestFreshBuildFromFiles(t *testing.T) {
	ctx := context.Background()
	dir, data := t.TempDir(), t.TempDir()
	names, err := fs.Glob(corpus.Default(), "*.txt")
	if err != nil || len(names) < 3 {
		t.Fatalf("shipped records: %v %v", names, err)
	}
	write := func(path string, b []byte) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range names {
		b, err := fs.ReadFile(corpus.Default(), n)
		if err != nil {
			t.Fatal(err)
		}
		write(filepath.Join(dir, n), b)
		if n == names[0] {
			write(filepath.Join(dir, "zz-copy.txt"), append([]byte("\n"), b...)) // the same record again
		}
	}
	write(filepath.Join(dir, "photo.txt"), []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01"))
	write(filepath.Join(data, IngestDirName, "kidd-25.txt"), []byte(kidd25))

	cfg := Config{DataDir: data, CorpusDir: dir}
	a := openApp(t, cfg)
	calls := 0
	up, err := a.Build(ctx, func(done, total int) {
		calls++
		if _, err := a.Index(); failure.KindOf(err) != failure.Unavailable {
			t.Errorf("index ready at %d of %d records: %v", done, total, err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 {
		t.Error("no progress reported")
	}
	idx, err := a.Index()
	if err != nil {
		t.Fatal(err)
	}
	if st := idx.Stats(); st.Records != uint64(len(names)+1) || up.Added != len(names)+1 || up.Parsed != len(names) {
		t.Errorf("built %d records (added %d, parsed %d files), want the %d files and the ingested record", st.Records, up.Added, up.Parsed, len(names))
	}
	skipped := map[string]bool{}
	for _, p := range up.Skipped {
		skipped[p.File] = true
	}
	if len(up.Skipped) != 2 || !skipped["photo.txt"] || !skipped["zz-copy.txt"] {
		t.Errorf("skipped %v, want photo.txt and zz-copy.txt", up.Skipped)
	}
	for q, want := range map[string]bool{`"wartime operational control"`: true, "alliance": true} {
		res, err := idx.Search(ctx, indexer.Request{Query: q})
		if err != nil || (res.Total > 0) != want {
			t.Errorf("search %s: %d hits, %v", q, res.Total, err)
		}
	}
	a.Close(ctx)

	a = openApp(t, cfg)
	up, err = a.Build(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if up.Parsed != 0 || up.Reused != len(names) || up.Unchanged != len(names)+1 {
		t.Errorf("restart: parsed %d, reused %d, unchanged %d; want 0, %d, %d", up.Parsed, up.Reused, up.Unchanged, len(names), len(names)+1)
	}
}
