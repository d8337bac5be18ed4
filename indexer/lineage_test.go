package indexer

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"dialoguesearch/corpus"
	"dialoguesearch/lineage"
)

// lineageRecords returns the shipped records and the test editions of the
// lineage package (56th and 57th SCM communiqués made from the 55th).
func lineageRecords(t testing.TB) (shipped []*corpus.Record, editions map[int]*corpus.Record) {
	t.Helper()
	shipped, problems := corpus.Load(corpus.Default())
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	editions = map[int]*corpus.Record{}
	files, _ := filepath.Glob("../lineage/testdata/editions/*.txt")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := corpus.Parse(strings.NewReader(string(b)), filepath.Base(f))
		if err != nil {
			t.Fatal(err)
		}
		editions[r.Meeting.Number] = r
	}
	if len(editions) != 2 {
		t.Fatalf("%d test editions, want 2", len(editions))
	}
	return shipped, editions
}

const (
	scm55 = "scm-55-2023-11-13-communique"
	scm56 = "scm-56-2024-10-30-communique"
	scm57 = "scm-57-2025-11-04-communique"
)

func TestLineageStoredAtBuildAndRead(t *testing.T) {
	shipped, eds := lineageRecords(t)
	dir := t.TempDir()
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	// a fresh build (into its own directory) with every edition
	if _, err := x.Sync(context.Background(), append(shipped, eds[56], eds[57]), nil); err != nil {
		t.Fatal(err)
	}
	x.Close()
	x, err = Open(dir) // links survive a reopen: they are stored
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()

	h, err := x.History(scm56)
	if err != nil {
		t.Fatal(err)
	}
	if h.Prev == nil || h.Prev.ID != scm55 || h.Next == nil || h.Next.ID != scm57 {
		t.Fatalf("56th: prev %+v next %+v", h.Prev, h.Next)
	}
	// paragraph 3 of the 56th only changed its ordinals; 4 is reworded;
	// 14 is new; 8 and 9 are the two halves of the 55th's paragraph 8
	for n, want := range map[int]string{3: "unchanged", 4: "reworded", 14: "new", 8: "split", 9: "split", 20: "merged"} {
		if got := h.Status[n]; got != want {
			t.Errorf("56th paragraph %d: %q, want %q", n, got, want)
		}
	}
	if !slices.Equal(h.Dropped, []int{28}) {
		t.Errorf("56th paragraphs dropped in the 57th: %v, want [28]", h.Dropped)
	}
	// the fact sheet of the 56th has no earlier fact sheet: compared
	// with the 55th communiqué across kinds, nothing reported dropped
	fs, err := x.History("scm-56-2024-10-30-fact-sheet")
	if err != nil {
		t.Fatal(err)
	}
	if !fs.CrossKind || fs.Prev == nil || fs.Prev.ID != scm55 {
		t.Errorf("fact sheet: cross kind %v prev %+v", fs.CrossKind, fs.Prev)
	}

	// the split paragraph's lineage: the 55th's 8 -> the 56th's 8 and 9 -> the 57th's
	l, err := x.Lineage(corpus.ParagraphID(scm56, 9))
	if err != nil {
		t.Fatal(err)
	}
	if l.ID != corpus.ParagraphID(scm55, 8) {
		t.Errorf("lineage id %q, want the 55th's paragraph 8", l.ID)
	}
	var eds3 []string
	for _, e := range l.Editions {
		var ns []string
		for _, p := range e.Paragraphs {
			ns = append(ns, p.ID)
		}
		eds3 = append(eds3, strings.Join(ns, ","))
	}
	if got, want := strings.Join(eds3, " | "), scm55+"-p8 | "+scm56+"-p8,"+scm56+"-p9 | "+scm57+"-p8,"+scm57+"-p9"; got != want {
		t.Errorf("lineage editions\n%s\nwant\n%s", got, want)
	}
	if len(l.Links) != 4 || l.Links[0].Kind != lineage.Split || len(l.Links[0].Diff) == 0 {
		t.Errorf("lineage links: %+v", l.Links)
	}
	if !strings.Contains(l.Summary, "split in 56th SCM") {
		t.Errorf("summary %q", l.Summary)
	}

	// dropped after the 55th, restored in the 57th
	l, err = x.Lineage(corpus.ParagraphID(scm55, 26))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Editions) != 2 || l.Editions[1].Record.ID != scm57 || l.Editions[1].Paragraphs[0].Status != "restored" || !l.Editions[0].Paragraphs[0].DroppedAfter {
		t.Errorf("restored lineage: %+v", l.Editions)
	}
	if !strings.Contains(l.Summary, "dropped after 55th SCM") || !strings.Contains(l.Summary, "restored in 57th SCM") {
		t.Errorf("summary %q", l.Summary)
	}

	// compare: stored links between neighbours, the older first
	c, err := x.Compare(scm56, scm55)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Stored || !c.Swapped || c.A.ID != scm55 || c.B.ID != scm56 {
		t.Errorf("compare: stored %v swapped %v %s -> %s", c.Stored, c.Swapped, c.A.ID, c.B.ID)
	}
	if len(c.Dropped) != 2 || len(c.Added) != 2 || c.Counts["unchanged"] == 0 || c.Counts["split"] != 2 || c.Counts["merged"] != 2 {
		t.Errorf("compare counts %v dropped %d added %d", c.Counts, len(c.Dropped), len(c.Added))
	}
	// rows in reading order of the newer record, dropped ones in place
	lastB := 0
	for i, r := range c.Rows {
		if r.B != nil {
			if r.B.N < lastB {
				t.Errorf("row %d: paragraph %d after %d", i, r.B.N, lastB)
			}
			lastB = r.B.N
		}
	}
	// two editions apart: computed for the answer
	c, err = x.Compare(scm55, scm57)
	if err != nil {
		t.Fatal(err)
	}
	if c.Stored || len(c.Rows) == 0 {
		t.Errorf("compare 55 and 57: stored %v, %d rows", c.Stored, len(c.Rows))
	}
	if _, err := x.Lineage("nope-p1"); err == nil {
		t.Error("lineage of a paragraph that does not exist")
	}
}

// TestLineageIncremental: editions arriving one at a time, out of order,
// and a record removed: the links are those of a build with all of them.
func TestLineageIncremental(t *testing.T) {
	shipped, eds := lineageRecords(t)
	x, err := NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	ctx := context.Background()
	if _, err := x.Sync(ctx, append(slices.Clone(shipped), eds[57]), nil); err != nil {
		t.Fatal(err)
	}
	h, _ := x.History(scm57)
	if h.Prev == nil || h.Prev.ID != scm55 {
		t.Fatalf("57th before the 56th arrives: prev %+v", h.Prev)
	}
	// the 56th arrives late: the 57th is now compared with it
	if _, err := x.Upsert(ctx, []*corpus.Record{eds[56]}); err != nil {
		t.Fatal(err)
	}
	h, _ = x.History(scm57)
	if h.Prev == nil || h.Prev.ID != scm56 {
		t.Fatalf("57th after the 56th arrives: prev %+v", h.Prev)
	}
	if h.Status[1] != "reworded" || h.Status[2] != "unchanged" {
		t.Errorf("57th statuses: %v", h.Status)
	}
	h55, _ := x.History(scm55)
	if h55.Next == nil || h55.Next.ID != scm56 || !slices.Equal(h55.Dropped, []int{13, 26}) {
		t.Errorf("55th: next %+v dropped %v", h55.Next, h55.Dropped)
	}
	// the 56th removed again: the 57th goes back to the 55th
	if _, err := x.Sync(ctx, append(slices.Clone(shipped), eds[57]), nil); err != nil {
		t.Fatal(err)
	}
	h, _ = x.History(scm57)
	if h.Prev == nil || h.Prev.ID != scm55 {
		t.Fatalf("57th after the 56th left: prev %+v", h.Prev)
	}
	if _, err := x.History(scm56); err == nil {
		t.Error("history of a removed record")
	}
}

// TestCompareReadsStoredTexts: a comparison of neighbouring editions reads
// the records' texts from the record store, and a record changed since
// shows its new text (never a stale copy).
func TestCompareReadsStoredTexts(t *testing.T) {
	shipped, eds := lineageRecords(t)
	x, err := NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	ctx := context.Background()
	if _, err := x.Sync(ctx, append(slices.Clone(shipped), eds[56], eds[57]), nil); err != nil {
		t.Fatal(err)
	}
	check := func(c *Comparison, ra, rb *corpus.Record) {
		t.Helper()
		text := func(r *corpus.Record, n int) string {
			for _, p := range r.Paragraphs {
				if p.N == n {
					return p.Text
				}
			}
			return "(none)"
		}
		if len(c.Rows) == 0 {
			t.Fatal("no rows")
		}
		for _, row := range c.Rows {
			if row.A != nil && row.A.Text != text(ra, row.A.N) {
				t.Errorf("row A %d: %q", row.A.N, row.A.Text)
			}
			if row.B != nil && row.B.Text != text(rb, row.B.N) {
				t.Errorf("row B %d: %q", row.B.N, row.B.Text)
			}
		}
	}
	r55, err := x.Record(scm55)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x.Compare(scm55, scm56)
	if err != nil || !c.Stored {
		t.Fatalf("compare: %v stored %v", err, c != nil && c.Stored)
	}
	check(c, r55, eds[56])

	changed := *eds[56]
	changed.Paragraphs = slices.Clone(eds[56].Paragraphs)
	changed.Paragraphs[0].Text = "A paragraph rewritten since the 56th SCM was indexed."
	if _, err := x.Upsert(ctx, []*corpus.Record{&changed}); err != nil {
		t.Fatal(err)
	}
	if c, err = x.Compare(scm55, scm56); err != nil || !c.Stored {
		t.Fatalf("compare after the change: %v", err)
	}
	check(c, r55, &changed)
	if _, err := x.store.texts(scm56, x.manifest[scm56].Hash); err != nil {
		t.Errorf("texts of the 56th's new version: %v", err)
	}
}
