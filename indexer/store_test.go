package indexer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	bolt "go.etcd.io/bbolt"

	"dialoguesearch/corpus"
	"dialoguesearch/indexer/synth"
)

func segments(t *testing.T, x *Index) int {
	t.Helper()
	x.mu.RLock()
	defer x.mu.RUnlock()
	ai, err := x.bi.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	n, err := segmentCount(ai.(*scorch.Scorch))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// storedVersions counts the record versions in the store of x.
func storedVersions(t *testing.T, x *Index) int {
	t.Helper()
	n := 0
	err := x.store.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(metaBucket).ForEach(func(k, v []byte) error { n++; return nil })
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func sameRecord(t *testing.T, got, want *corpus.Record) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("Record(%s) differs from the record indexed:\n got %s\nwant %s", want.ID, g, w)
	}
}

// A fresh build (several batches) is merged into one segment; after a
// restart the index has every record, the manifest and the same answers as
// an index built in memory batch by batch, and an update still works.
func TestRebuildMergedAndReopened(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a synthetic index")
	}
	ctx := context.Background()
	recs := synth.Generate(3*batchParagraphs, 3)
	dir := t.TempDir()
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	st, err := x.Sync(ctx, recs, nil)
	if err != nil || st.Added != len(recs) {
		t.Fatalf("build: %+v, %v", st, err)
	}
	if err := x.WaitMerged(ctx); err != nil {
		t.Fatal(err)
	}
	if n := segments(t, x); n != 1 {
		t.Errorf("%d segments after a build, want 1 (merged)", n)
	}
	x.Close()
	// the build's record store is compacted: compacting again gains nothing
	// (scorch's root.bolt is compacted too, but scorch writes to it again
	// when it opens the index)
	for _, f := range []string{storeFile} {
		src := filepath.Join(dir, "index-v"+strconv.Itoa(Version), f)
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		cp := filepath.Join(t.TempDir(), "copy.bolt")
		if err := os.WriteFile(cp, b, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := compactBolt(cp); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(cp); err != nil || fi.Size() < int64(len(b))*9/10 {
			t.Errorf("%s: %d bytes after the build, %v once compacted again", f, len(b), fi.Size())
		}
	}

	mem, err := NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	if _, err := mem.Upsert(ctx, recs); err != nil {
		t.Fatal(err)
	}

	x, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if s := x.Stats(); s.Records != uint64(len(recs)) || s.Paragraphs != uint64(3*batchParagraphs) {
		t.Errorf("stats after reopen = %+v, want %d records, %d paragraphs", s, len(recs), 3*batchParagraphs)
	}
	for _, r := range []*corpus.Record{recs[0], recs[len(recs)/2], recs[len(recs)-1]} {
		got, err := x.Record(r.ID)
		if err != nil {
			t.Fatalf("Record(%s): %v", r.ID, err)
		}
		sameRecord(t, got, r)
	}
	for _, pair := range [][2]*Index{{x, mem}} {
		for _, name := range []string{"Records", "Glossary"} {
			var a, b any
			if name == "Records" {
				a, _ = pair[0].Records()
				b, _ = pair[1].Records()
			} else {
				a, _ = pair[0].Glossary()
				b, _ = pair[1].Glossary()
			}
			if !reflect.DeepEqual(a, b) {
				t.Errorf("%s() of the reopened index differs from the in-memory one", name)
			}
		}
	}
	for _, q := range []string{"alliance", "extended deterrence", "OPCON", `"North Korea"`, "missile AND NOT exercise", "speaker:*"} {
		req := Request{Query: q, Size: 10}
		a, errA := x.Search(ctx, req)
		b, errB := mem.Search(ctx, req)
		if (errA == nil) != (errB == nil) {
			t.Fatalf("%s: errors %v / %v", q, errA, errB)
		}
		if errA != nil {
			continue
		}
		if a.Total != b.Total || !reflect.DeepEqual(a.Facets, b.Facets) {
			t.Errorf("%s: merged index total %d, in-memory %d (or facets differ)", q, a.Total, b.Total)
		}
	}

	// An incremental update after the restart.
	changed := *recs[1]
	changed.Paragraphs = append([]corpus.Paragraph(nil), changed.Paragraphs...)
	changed.Paragraphs[0].Text = "zyxwvut quokka paragraph"
	st, err = x.Upsert(ctx, []*corpus.Record{&changed})
	if err != nil || st.Changed != 1 {
		t.Fatalf("upsert: %+v, %v", st, err)
	}
	if res := mustSearch(t, x, "quokka"); res.Total != 1 || res.Hits[0].ID != corpus.ParagraphID(changed.ID, changed.Paragraphs[0].N) {
		t.Errorf("quokka: %d hits", res.Total)
	}
	got, err := x.Record(changed.ID)
	if err != nil {
		t.Fatal(err)
	}
	sameRecord(t, got, &changed)
	if n := storedVersions(t, x); n != len(recs) {
		t.Errorf("%d record versions stored after the update, want %d (the old one deleted)", n, len(recs))
	}
}

// An update that crashed after storing new versions but before their
// index batch (or after the batch, before deleting the old versions)
// leaves every record as the index says: the other versions are dropped
// on the next Open.
func TestCrashedUpdateKeepsIndexedVersions(t *testing.T) {
	ctx := context.Background()
	dir, x, a, b := alphaBravoOnDisk(t)
	// Crash 1: the new version of a is stored, the index batch never ran.
	a2 := rec("a", "2020-01-01", "alpha changed")
	_, h, err := encodeRecord(a2)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.store.put([]storedRecord{{id: "a", hash: h, rec: a2, entry: entryOf(a2, h)}}); err != nil {
		t.Fatal(err)
	}
	// Crash 2: b was replaced in the index, its old version not yet deleted.
	oldB := x.manifest["b"].Hash
	b2 := rec("b", "2021-01-01", "bravo changed")
	if _, err := x.Upsert(ctx, []*corpus.Record{b2}); err != nil {
		t.Fatal(err)
	}
	if err := x.store.put([]storedRecord{{id: "b", hash: oldB, rec: b, entry: entryOf(b, oldB)}}); err != nil {
		t.Fatal(err)
	}
	if n := storedVersions(t, x); n != 4 {
		t.Fatalf("%d versions stored before the restart, want 4", n)
	}
	x.Close()

	x, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if n := storedVersions(t, x); n != 2 {
		t.Errorf("%d versions stored after the restart, want 2", n)
	}
	ra, err := x.Record("a")
	if err != nil {
		t.Fatal(err)
	}
	sameRecord(t, ra, a)
	rb, err := x.Record("b")
	if err != nil {
		t.Fatal(err)
	}
	sameRecord(t, rb, b2)
	sums, _ := x.Records()
	if len(sums) != 2 {
		t.Errorf("Records() = %d, want 2", len(sums))
	}
	if res := mustSearch(t, x, "changed"); len(res.Hits) != 1 || res.Hits[0].ID != "b-p1" {
		t.Errorf("changed: hits %q", hitIDs(res))
	}
}

// Record gives back every paragraph text, the empty one too, from a disk
// and an in-memory index.
func TestRecordTextsRoundTrip(t *testing.T) {
	disk, mem := diskAndMemory(t)
	r := rec("t", "2020-01-01", "first <b>text</b> with ünïcode", "", "third")
	r.Paragraphs[2].Number = "7"
	r.Paragraphs[2].Section = "Annex"
	for _, x := range []*Index{disk, mem} {
		if _, err := x.Upsert(context.Background(), []*corpus.Record{r}); err != nil {
			t.Fatal(err)
		}
		got, err := x.Record("t")
		if err != nil {
			t.Fatal(err)
		}
		sameRecord(t, got, r)
	}
}

// An index of the same version without a record store (the format before
// it) has paragraphs the records list does not know: Open starts afresh
// and the next Sync rebuilds it instead of serving records it cannot show.
func TestIndexWithoutRecordStoreStartsAfresh(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	a := rec("a", "2020-01-01", "alpha paragraph")
	if _, err := x.Sync(ctx, []*corpus.Record{a}, nil); err != nil {
		t.Fatal(err)
	}
	x.Close()
	if err := os.Remove(filepath.Join(dir, fmt.Sprintf("index-v%d", Version), storeFile)); err != nil {
		t.Fatal(err)
	}
	x, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if s := x.Stats(); s.Paragraphs != 0 || s.Records != 0 {
		t.Errorf("stats of an index without its record store = %+v, want empty", s)
	}
	st, err := x.Sync(ctx, []*corpus.Record{a}, nil)
	if err != nil || st.Added != 1 {
		t.Fatalf("sync: %+v, %v", st, err)
	}
	if r, err := x.Record("a"); err != nil || r.Paragraphs[0].Text != "alpha paragraph" {
		t.Errorf("Record(a) = %v, %v", r, err)
	}
}

// diskAndMemory opens an index on disk and one in memory, closed when the
// test ends.
func diskAndMemory(t *testing.T) (disk, mem *Index) {
	t.Helper()
	disk, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { disk.Close() })
	mem, err = NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mem.Close() })
	return disk, mem
}

// alphaBravoOnDisk is an index on disk in dir holding two records, "a"
// ("alpha paragraph") and "b" ("bravo paragraph").
func alphaBravoOnDisk(t *testing.T) (dir string, x *Index, a, b *corpus.Record) {
	t.Helper()
	dir = t.TempDir()
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	a = rec("a", "2020-01-01", "alpha paragraph")
	b = rec("b", "2021-01-01", "bravo paragraph")
	if _, err := x.Sync(context.Background(), []*corpus.Record{a, b}, nil); err != nil {
		t.Fatal(err)
	}
	return dir, x, a, b
}

// segmentFormats returns the packages (zapx versions) of the segments of
// the current snapshot of bi.
func segmentFormats(t *testing.T, bi bleve.Index) map[string]int {
	t.Helper()
	r := indexReader(t, bi)
	defer r.Close()
	out := map[string]int{}
	for _, s := range r.(*scorch.IndexSnapshot).Segments() {
		typ := reflect.TypeOf(s.Segment())
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		out[typ.PkgPath()]++
	}
	return out
}

// mergeTierBudget is the MaxSegmentsPerTier of the merge plan that bi's
// merger follows (read from scorch's unexported options: this test is
// to fail, and be looked at again, on a bleve that keeps them otherwise).
func mergeTierBudget(t *testing.T, bi bleve.Index) int64 {
	t.Helper()
	ai, err := bi.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	f := reflect.ValueOf(ai).Elem().FieldByName("mergePlannerOptions")
	if !f.IsValid() || f.IsNil() {
		t.Fatalf("scorch has no mergePlannerOptions")
	}
	return f.Elem().FieldByName("MaxSegmentsPerTier").Int()
}

const zapV16 = "github.com/blevesearch/zapx/v16"

// Every index is of zap v16 segments, in memory or on disk, built fresh,
// reopened or updated after; a fresh build's temporary index does not merge
// while it is written, and the index it becomes merges by the default plan
// once it is reopened.
func TestSegmentFormatAndMergePlan(t *testing.T) {
	ctx := context.Background()
	recs := synth.Generate(300, 5)

	mem, err := NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	if _, err := mem.Upsert(ctx, recs[:10]); err != nil {
		t.Fatal(err)
	}
	if f := segmentFormats(t, mem.bi); len(f) != 1 || f[zapV16] == 0 {
		t.Errorf("in-memory index segments %v, want %s", f, zapV16)
	}

	im, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(t.TempDir(), "build")
	nb, err := newBuildIndex(tmp, im)
	if err != nil {
		t.Fatal(err)
	}
	if n := mergeTierBudget(t, nb); n != int64(buildMergePlan["MaxSegmentsPerTier"].(int)) {
		t.Errorf("build index merges %d segments a tier, want %v", n, buildMergePlan["MaxSegmentsPerTier"])
	}
	nb.Close()
	nb, err = bleve.OpenUsing(tmp, openConfig)
	if err != nil {
		t.Fatal(err)
	}
	if n := mergeTierBudget(t, nb); n != int64(mergeplan.DefaultMergePlanOptions.MaxSegmentsPerTier) {
		t.Errorf("build index reopened merges %d segments a tier, want the default", n)
	}
	nb.Close()

	dir := t.TempDir()
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.Sync(ctx, recs[:len(recs)-10], nil); err != nil {
		t.Fatal(err)
	}
	if err := x.WaitMerged(ctx); err != nil {
		t.Fatal(err)
	}
	if f := segmentFormats(t, x.bi); len(f) != 1 || f[zapV16] != 1 {
		t.Errorf("segments after a fresh build %v, want one of %s", f, zapV16)
	}
	if n := mergeTierBudget(t, x.bi); n != int64(mergeplan.DefaultMergePlanOptions.MaxSegmentsPerTier) {
		t.Errorf("index after the swap merges %d segments a tier, want the default", n)
	}
	x.Close()
	meta, err := os.ReadFile(filepath.Join(dir, "index-v"+strconv.Itoa(Version), "index_meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Config map[string]any `json:"config"`
	}
	// (bleve's file writer follows the JSON with a trailer of its own)
	if err := json.NewDecoder(bytes.NewReader(meta)).Decode(&m); err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Config["scorchMergePlanOptions"]; ok || m.Config["forceSegmentVersion"] != float64(16) {
		t.Errorf("index_meta.json config %v: want zap v16 and no merge plan", m.Config)
	}

	x, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for _, r := range recs[len(recs)-10:] {
		if _, err := x.Upsert(ctx, []*corpus.Record{r}); err != nil {
			t.Fatal(err)
		}
	}
	if f := segmentFormats(t, x.bi); len(f) != 1 || f[zapV16] == 0 {
		t.Errorf("segments after updates %v, want %s only", f, zapV16)
	}
	if err := forceMerge(ctx, x.bi); err != nil {
		t.Fatal(err)
	}
	if f := segmentFormats(t, x.bi); len(f) != 1 || f[zapV16] != 1 {
		t.Errorf("segments after updates and a merge %v, want one of %s", f, zapV16)
	}
	if res := mustSearch(t, x, "alliance"); res.Total == 0 {
		t.Errorf("nothing found after the merge")
	}
	if s := x.Stats(); s.Records != uint64(len(recs)) {
		t.Errorf("%d records after the updates, want %d", s.Records, len(recs))
	}
}
