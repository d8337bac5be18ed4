package indexer

import (
	"context"
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/mapping"

	"dialoguesearch/corpus"
)

// buildWorkers is how many batches a fresh build writes at once: while one
// batch's segment is built (one goroutine per batch), the next is analysed
// by bleve's analysis workers.
const buildWorkers = 2

// build writes the records of recs (n of them, for progress) into the
// new, unpublished index nb and its store ns, counting them in st. Order
// does not matter there, so batches are written concurrently, and the
// hashes (internal keys) go in one last batch rather than with every batch,
// since scorch writes all internal values again with each snapshot it
// persists. Each batch's records are stored with their paragraphs' texts
// (what the linker reads back), and then let go. It returns the series of
// the records.
func (x *Index) build(ctx context.Context, nb bleve.Index, ns *recordStore, n int, recs iter.Seq[*corpus.Record], manifest map[string]manifestEntry, st *UpdateStats, progress func(done, total int)) (map[string]bool, error) {
	type job struct {
		c    []*corpus.Record
		recs []storedRecord
		st   UpdateStats
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan *job)
	var wg sync.WaitGroup
	var done []*job
	var doneMu sync.Mutex
	for w := 0; w < buildWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if ctx.Err() != nil {
					continue
				}
				// The documents are made here, not while the batches
				// before are in flight.
				batch := nb.NewBatch()
				j.recs = make([]storedRecord, len(j.c))
				for i, r := range j.c {
					if _, err := x.addDocs(batch, &change{rec: r, id: r.ID}, nil, &j.st, false); err != nil {
						cancel(err)
						break
					}
					_, h, err := encodeRecord(r)
					if err != nil {
						cancel(err)
						break
					}
					j.recs[i] = storedRecord{id: r.ID, hash: h, rec: r, entry: entryOf(r, h)}
				}
				if ctx.Err() != nil {
					continue
				}
				if err := ns.put(j.recs); err != nil {
					cancel(err)
					continue
				}
				for i := range j.recs {
					j.recs[i].rec = nil
				}
				j.c = nil
				if err := nb.Batch(batch); err != nil {
					cancel(fmt.Errorf("indexer: write batch: %w", err))
					continue
				}
				doneMu.Lock()
				done = append(done, j)
				doneMu.Unlock()
			}
		}()
	}
	wait := func() error {
		close(jobs)
		wg.Wait()
		return context.Cause(ctx)
	}
	j := &job{}
	docs := 0
	send := func() bool {
		select {
		case jobs <- j:
		case <-ctx.Done():
			return false
		}
		j = &job{}
		docs = 0
		return true
	}
	seen := map[string]bool{}
	series := map[string]bool{}
	for r := range recs {
		if ctx.Err() != nil {
			break
		}
		if r == nil || r.ID == "" {
			cancel(errNoID)
			break
		}
		if seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		st.Added++
		if r.Meeting.Series != "" {
			series[r.Meeting.Series] = true
		}
		docs += len(r.Paragraphs)
		j.c = append(j.c, r)
		if docs >= freshBatchParagraphs && !send() {
			break
		}
		if progress != nil {
			progress(len(seen), max(n, len(seen)))
		}
	}
	if ctx.Err() == nil && len(j.c) > 0 {
		send()
	}
	if err := wait(); err != nil {
		return nil, err
	}
	last := nb.NewBatch()
	for _, j := range done {
		st.Paragraphs += j.st.Paragraphs
		st.NewCount += j.st.NewCount
		for _, r := range j.recs {
			last.SetInternal([]byte(manifestPrefix+r.id), []byte(r.hash))
			manifest[r.id] = r.entry
		}
	}
	if err := nb.Batch(last); err != nil {
		return nil, fmt.Errorf("indexer: write batch: %w", err)
	}
	return series, nil
}

// rebuild builds recs (n of them, for progress) into a new directory,
// then swaps it in for the live (empty) index and publishes it: a crash
// leaves the old index or the new one, never half of it. The new index
// answers searches at once, its segments (one per batch or so) merged into
// one in the background (merge.go; WaitMerged). When recs holds no record,
// nothing changes.
func (x *Index) rebuild(ctx context.Context, n int, recs iter.Seq[*corpus.Record], progress func(done, total int)) (UpdateStats, error) {
	var st UpdateStats
	tmp, err := os.MkdirTemp(x.dir, "index-v"+strconv.Itoa(Version)+".tmp-")
	if err != nil {
		return st, fmt.Errorf("indexer: rebuild: %w", err)
	}
	os.Remove(tmp)
	nb, err := newBuildIndex(tmp, x.mapping)
	if err != nil {
		os.RemoveAll(tmp)
		return st, err
	}
	ns, err := openRecordStore(filepath.Join(tmp, storeFile), true)
	if err != nil {
		nb.Close()
		os.RemoveAll(tmp)
		return st, err
	}
	manifest := make(map[string]manifestEntry, n)
	restore := limitMemory()
	series, err := x.build(ctx, nb, ns, n, recs, manifest, &st, progress)
	restore()
	if err == nil && st.Added == 0 {
		ns.close()
		nb.Close()
		os.RemoveAll(tmp)
		return UpdateStats{}, nil
	}
	if err == nil {
		// the links of every series (the segments merge once the index
		// is live)
		err = x.linkBuilt(ctx, ns, series, manifest, &st)
	}
	if err == nil {
		err = ns.sync()
	}
	if cerr := ns.close(); err == nil {
		err = cerr
	}
	if cerr := nb.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("indexer: rebuild: %w", cerr)
	}
	if err == nil {
		err = compactBolt(filepath.Join(tmp, storeFile))
	}
	if err == nil {
		err = compactBolt(filepath.Join(tmp, "store", "root.bolt"))
	}
	if err != nil {
		os.RemoveAll(tmp)
		return st, err
	}

	x.mu.Lock()
	defer x.mu.Unlock()
	if err := x.bi.Close(); err != nil {
		return st, fmt.Errorf("indexer: rebuild: close old index: %w", err)
	}
	x.store.close()
	x.bi, x.store = nil, nil
	reopen := func(config map[string]interface{}) error {
		bi, err := bleve.OpenUsing(x.path, config)
		if err != nil {
			return err
		}
		s, err := openRecordStore(filepath.Join(x.path, storeFile), false)
		if err != nil {
			bi.Close()
			return err
		}
		x.bi, x.store = bi, s
		return nil
	}
	reopenOld := func(err error) error {
		os.RemoveAll(tmp)
		reopen(openConfig)
		return fmt.Errorf("indexer: rebuild: %w", err)
	}
	if err := os.Rename(x.path, x.path+".old"); err != nil {
		return st, reopenOld(err)
	}
	if err := os.Rename(tmp, x.path); err != nil {
		os.Rename(x.path+".old", x.path)
		return st, reopenOld(err)
	}
	os.RemoveAll(x.path + ".old")
	if err := reopen(liveMergeConfig()); err != nil {
		return st, fmt.Errorf("indexer: rebuild: reopen: %w", err)
	}
	x.facets = newFacetCache()
	x.setManifestLocked(manifest)
	// searchable now; its segments merge into one in the background
	x.mergeLocked(x.bi)
	return st, nil
}

// buildMergePlan is scorch's merge plan for a fresh build's temporary
// index: no merge while the batches are written (a budget of 100,000
// segments a tier), so that the force merge at the end merges each batch's
// segment once, where the default plan merged them in tiers as they came
// (10 segments a merge) and merged those again. The plan is a runtime
// setting of that one opening: bleve keeps the config an index is created
// with (index_meta.json) for every later opening, so the index is created
// without it and opened with it. The swapped-in index is opened with it
// too while the background merge runs (liveMergeConfig), and then with
// openConfig, to merge later updates by the default plan.
var buildMergePlan = map[string]interface{}{
	"MaxSegmentsPerTier":   100000,
	"SegmentsPerMergeTask": 100000,
	"MaxSegmentSize":       1 << 30,
}

// newBuildIndex creates the temporary index of a fresh build at path, open
// with buildMergePlan.
func newBuildIndex(path string, im *mapping.IndexMappingImpl) (bleve.Index, error) {
	bi, err := newDiskIndex(path, im)
	if err != nil {
		return nil, err
	}
	if err := bi.Close(); err != nil {
		return nil, fmt.Errorf("indexer: create %s: %w", path, err)
	}
	bi, err = bleve.OpenUsing(path, withSegmentConfig(map[string]interface{}{"scorchMergePlanOptions": buildMergePlan}))
	if err != nil {
		return nil, fmt.Errorf("indexer: open %s: %w", path, err)
	}
	return bi, nil
}

// buildHeadroom is the memory a fresh build's batches may take beyond the
// live heap of the process when it begins: the two batches in flight (their
// analysed documents and zap's structures) and the records of the next,
// about 130 MB live at freshBatchParagraphs, plus room for their garbage.
const buildHeadroom = 256 << 20

// freshBatchParagraphs is how many paragraphs go into one batch of a fresh
// build. Measured at 100k (v16 segments, no merges until the final one):
// batches of 1,000 with 256 MB of headroom peak at 357-398 MB RSS and 46-48 s
// CPU; batches of 2,000 with 384 MB at 497-527 MB and 45-49 s.
const freshBatchParagraphs = 1000

// limitMemory sets a soft memory limit (runtime/debug, for the whole
// process) while a fresh build writes its batches: the live heap when it
// begins plus buildHeadroom, rather than the twice the live heap that
// GOGC=100 lets the heap reach. It returns the function that lifts the
// limit and gives the memory the batches' heap no longer uses back to the
// system, so that it is not held beside the segment files the merge maps.
func limitMemory() func() {
	// the live heap as of a GC now: the last one may have been long ago
	// (records parsed since, or dropped)
	runtime.GC()
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	limit := int64(s[0].Value.Uint64()) + buildHeadroom
	prev := debug.SetMemoryLimit(-1)
	if limit < prev {
		debug.SetMemoryLimit(limit)
	}
	return func() {
		debug.SetMemoryLimit(prev)
		debug.FreeOSMemory()
	}
}

// forceMerge merges the segments of bi into one: a fresh build leaves one
// segment per batch or so, and each is a dictionary lookup and a set of
// postings per query term.
func forceMerge(ctx context.Context, bi bleve.Index) error {
	s, err := scorchOf(bi)
	if s == nil {
		return err
	}
	opts := mergeplan.SingleSegmentMergePlanOptions
	opts.SegmentsPerMergeTask = 1000
	for range 10 {
		n, err := segmentCount(s)
		if err != nil || n <= 1 {
			return err
		}
		if err := s.ForceMerge(ctx, &opts); err != nil {
			return fmt.Errorf("indexer: merge: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// segmentCount is the number of segments of the index's current snapshot.
func segmentCount(s *scorch.Scorch) (int, error) {
	r, err := s.Reader()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return 0, nil
	}
	return len(snap.Segments()), nil
}

// scorchOf returns the scorch index under bi, or nil (and no error) when
// bi is of another kind.
func scorchOf(bi bleve.Index) (*scorch.Scorch, error) {
	ai, err := bi.Advanced()
	if err != nil {
		return nil, fmt.Errorf("indexer: %w", err)
	}
	s, _ := ai.(*scorch.Scorch)
	return s, nil
}
