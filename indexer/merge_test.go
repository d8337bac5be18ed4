package indexer

import (
	"context"
	"encoding/json"
	"testing"

	"dialoguesearch/corpus"
	"dialoguesearch/indexer/synth"
)

// answers is what a few searches of x answer: totals, hits and facets.
func answers(t *testing.T, x *Index) string {
	t.Helper()
	var out []any
	for _, q := range []string{"alliance", "security cooperation", `"defense"`, "secur*"} {
		res := mustSearch(t, x, q)
		out = append(out, q, res.Total, res.Records, len(res.Hits), res.Facets)
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// holdMerge makes the background merges of the test wait until the
// returned function is called (or their index closes).
func holdMerge(t *testing.T) func() {
	release := make(chan struct{})
	mergeStartHook = func(ctx context.Context) {
		select {
		case <-release:
		case <-ctx.Done():
		}
	}
	var once bool
	free := func() {
		if !once {
			once = true
			close(release)
		}
	}
	t.Cleanup(func() {
		free()
		mergeStartHook = nil
	})
	return free
}

// A fresh build answers before its segments are merged, with the same
// answers as once they are; WaitMerged leaves one segment, and the index
// then merges later updates by the default plan.
func TestSearchableBeforeMerge(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a synthetic index")
	}
	ctx := context.Background()
	recs := synth.Generate(3*batchParagraphs, 3)
	x, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	release := holdMerge(t)
	st, err := x.Sync(ctx, recs, nil)
	if err != nil || st.Added != len(recs) {
		t.Fatalf("build: %+v, %v", st, err)
	}
	// one per batch, or fewer: scorch's persister may merge the in-memory
	// segments of batches it finds waiting together
	if n := segments(t, x); n < 2 {
		t.Errorf("%d segments before the merge, want several (%d paragraphs a batch)", n, freshBatchParagraphs)
	}
	s := x.Stats()
	if !s.Merging || s.Records != uint64(len(recs)) || s.Paragraphs != uint64(3*batchParagraphs) {
		t.Errorf("stats before the merge %+v, want merging, %d records, %d paragraphs", s, len(recs), 3*batchParagraphs)
	}
	before := answers(t, x)
	if res := mustSearch(t, x, "alliance"); res.Total == 0 {
		t.Fatal("nothing found before the merge")
	}
	if got, err := x.Record(recs[7].ID); err != nil {
		t.Fatal(err)
	} else {
		sameRecord(t, got, recs[7])
	}
	release()
	if err := x.WaitMerged(ctx); err != nil {
		t.Fatal(err)
	}
	if n := segments(t, x); n != 1 {
		t.Errorf("%d segments after WaitMerged, want 1", n)
	}
	if s2 := x.Stats(); s2.Merging || s2.Records != s.Records || s2.Paragraphs != s.Paragraphs {
		t.Errorf("stats after the merge %+v, before %+v", s2, s)
	}
	if after := answers(t, x); after != before {
		t.Errorf("answers differ after the merge:\nbefore %s\n after %s", before, after)
	}
	if n := mergeTierBudget(t, x.bi); n != 10 {
		t.Errorf("the merged index merges %d segments a tier, want the default plan's 10", n)
	}
	if err := x.WaitMerged(ctx); err != nil {
		t.Errorf("WaitMerged again: %v", err)
	}
	// an update after the merge
	r := *recs[0]
	r.Paragraphs = append([]corpus.Paragraph(nil), r.Paragraphs...)
	r.Paragraphs[0].Text = "zyxwvu quarterly review"
	if st, err := x.Upsert(ctx, []*corpus.Record{&r}); err != nil || st.Changed != 1 {
		t.Fatalf("Upsert: %+v, %v", st, err)
	}
	if res := mustSearch(t, x, "zyxwvu"); res.Total != 1 {
		t.Errorf("%d hits for the updated paragraph, want 1", res.Total)
	}
}

// A write during the background merge waits for it; Close during it stops
// it, and the index reopens with every record, answers the same and merges
// by the default plan.
func TestCloseDuringMerge(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a synthetic index")
	}
	ctx := context.Background()
	recs := synth.Generate(3*batchParagraphs, 3)

	// reference answers: a build merged in the background
	ref, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ref.Sync(ctx, recs, nil); err != nil {
		t.Fatal(err)
	}
	if err := ref.WaitMerged(ctx); err != nil {
		t.Fatal(err)
	}
	want := answers(t, ref)
	wantStats := ref.Stats()
	ref.Close()

	for _, held := range []bool{true, false} {
		dir := t.TempDir()
		x, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		if held {
			holdMerge(t)
		}
		if _, err := x.Sync(ctx, recs, nil); err != nil {
			t.Fatal(err)
		}
		if held {
			// a write waits for the merge: here it gives up with its ctx
			wctx, cancel := context.WithCancel(ctx)
			cancel()
			r := *recs[0]
			r.Title += " (amended)"
			if _, err := x.Upsert(wctx, []*corpus.Record{&r}); err == nil {
				t.Errorf("Upsert during a held merge: no error, want the ctx's")
			}
			if err := x.WaitMerged(wctx); err == nil {
				t.Errorf("WaitMerged during a held merge, ctx cancelled: no error")
			}
		}
		// held: before the merge begins; not held: wherever it is
		if err := x.Close(); err != nil {
			t.Fatalf("Close during the merge (held %v): %v", held, err)
		}
		if x.Merging() {
			t.Errorf("Merging after Close")
		}
		if err := x.WaitMerged(ctx); err != nil {
			t.Errorf("WaitMerged after Close: %v", err)
		}
		mergeStartHook = nil

		x, err = Open(dir)
		if err != nil {
			t.Fatalf("reopen after Close during the merge (held %v): %v", held, err)
		}
		if n := mergeTierBudget(t, x.bi); n != 10 {
			t.Errorf("the reopened index merges %d segments a tier, want the default plan's 10", n)
		}
		got := x.Stats()
		if got.Records != wantStats.Records || got.Paragraphs != wantStats.Paragraphs || got.Merging {
			t.Errorf("stats after the reopen (held %v) %+v, want %+v", held, got, wantStats)
		}
		if a := answers(t, x); a != want {
			t.Errorf("answers after the reopen (held %v) differ:\n got %s\nwant %s", held, a, want)
		}
		if s, err := x.Upsert(ctx, recs[:1]); err != nil || s.Unchanged != 1 {
			t.Errorf("Upsert after the reopen: %+v, %v", s, err)
		}
		if len(x.Versions()) != len(recs) {
			t.Errorf("%d versions after the reopen, want %d", len(x.Versions()), len(recs))
		}
		x.Close()
	}
}
