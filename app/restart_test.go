package app

import (
	"context"
	"testing"

	"dialoguesearch/indexer"
)

// A restart with an index from the last run is ready before it has read
// the corpus: searches answer while the files are compared.
func TestRestartReadyAtOnce(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	a := openApp(t, Config{DataDir: data})
	if _, err := a.Build(ctx, nil); err != nil {
		t.Fatal(err)
	}
	a.Close(ctx)

	b := openApp(t, Config{DataDir: data})
	if _, err := b.Index(); err == nil {
		t.Fatal("ready before Build")
	}
	readyDuring, calls := false, 0
	up, err := b.Build(ctx, func(done, total int) {
		if calls++; calls == 1 {
			idx, err := b.Index()
			if err == nil {
				res, err := idx.Search(ctx, indexer.Request{Query: "alliance"})
				readyDuring = err == nil && res.Total > 0
			}
		}
	})
	if err != nil || up.Added+up.Changed+up.Removed != 0 {
		t.Fatalf("restart: %+v %v", up, err)
	}
	if !readyDuring {
		t.Error("searches did not answer while the restart read the corpus")
	}

	// A fresh data dir is not ready until built.
	c := openApp(t, Config{DataDir: t.TempDir()})
	calls = 0
	if _, err := c.Build(ctx, func(done, total int) {
		if calls++; calls == 1 {
			if _, err := c.Index(); err == nil {
				t.Error("an empty index was ready before its build")
			}
		}
	}); err != nil {
		t.Fatal(err)
	}
}
