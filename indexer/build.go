package indexer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"

	"dialoguesearch/corpus"
)

// buildWorkers is how many batches a fresh build writes at once: while one
// batch's segment is built (one goroutine per batch), the next is analysed
// by bleve's analysis workers.
const buildWorkers = 2

// build writes changes (all additions) into the new, unpublished index
// nb and its store ns. Order does not matter there, so batches are written
// concurrently, and the hashes (internal keys) go in one last batch rather
// than with every batch, since scorch writes all internal values again
// with each snapshot it persists.
func (x *Index) build(ctx context.Context, nb bleve.Index, ns *recordStore, changes []change, manifest map[string]manifestEntry, st *UpdateStats, progress func(done, total int)) error {
	type job struct {
		batch *bleve.Batch
		recs  []storedRecord
		c     []*corpus.Record
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
				for i, r := range j.c {
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
				if err := nb.Batch(j.batch); err != nil {
					cancel(fmt.Errorf("indexer: write batch: %w", err))
					continue
				}
				j.batch, j.c = nil, nil
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
	j := &job{batch: nb.NewBatch()}
	docs := 0
	send := func() bool {
		j.recs = make([]storedRecord, len(j.c))
		select {
		case jobs <- j:
		case <-ctx.Done():
			return false
		}
		j = &job{batch: nb.NewBatch()}
		docs = 0
		return true
	}
	for i := range changes {
		c := &changes[i]
		if ctx.Err() != nil {
			break
		}
		n, err := x.addDocs(j.batch, c, manifest, st)
		if err != nil {
			cancel(err)
			break
		}
		docs += n
		j.c = append(j.c, c.rec)
		if docs >= batchParagraphs && !send() {
			break
		}
		if progress != nil {
			progress(i+1, len(changes))
		}
	}
	if ctx.Err() == nil && len(j.c) > 0 {
		send()
	}
	if err := wait(); err != nil {
		return err
	}
	last := nb.NewBatch()
	for _, j := range done {
		for _, r := range j.recs {
			last.SetInternal([]byte(manifestPrefix+r.id), []byte(r.hash))
			manifest[r.id] = r.entry
		}
	}
	if err := nb.Batch(last); err != nil {
		return fmt.Errorf("indexer: write batch: %w", err)
	}
	return nil
}

// rebuild builds changes (all additions) into a new directory, merges its
// segments into one, then swaps it in for the live index: a crash leaves
// the old (empty) index or the new one, never half of it.
func (x *Index) rebuild(ctx context.Context, changes []change, st *UpdateStats, progress func(done, total int)) error {
	tmp, err := os.MkdirTemp(x.dir, "index-v"+strconv.Itoa(Version)+".tmp-")
	if err != nil {
		return fmt.Errorf("indexer: rebuild: %w", err)
	}
	os.Remove(tmp)
	nb, err := newDiskIndex(tmp, x.mapping)
	if err != nil {
		return err
	}
	ns, err := openRecordStore(filepath.Join(tmp, storeFile), true)
	if err != nil {
		nb.Close()
		os.RemoveAll(tmp)
		return err
	}
	manifest := make(map[string]manifestEntry, len(changes))
	err = x.build(ctx, nb, ns, changes, manifest, st, progress)
	if err == nil {
		// the links of every series, while the segments merge
		lerr := make(chan error, 1)
		go func() {
			lerr <- x.linkAfterUpdate(ctx, ns, changes, manifest, func(id string) (*corpus.Record, error) {
				return nil, fmt.Errorf("indexer: link: record %s is not in the build", id)
			}, st)
		}()
		err = forceMerge(ctx, nb)
		if e := <-lerr; err == nil {
			err = e
		}
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
		return err
	}

	x.mu.Lock()
	defer x.mu.Unlock()
	if err := x.bi.Close(); err != nil {
		return fmt.Errorf("indexer: rebuild: close old index: %w", err)
	}
	x.store.close()
	x.bi, x.store = nil, nil
	reopen := func() error {
		bi, err := bleve.OpenUsing(x.path, openConfig)
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
		reopen()
		return fmt.Errorf("indexer: rebuild: %w", err)
	}
	if err := os.Rename(x.path, x.path+".old"); err != nil {
		return reopenOld(err)
	}
	if err := os.Rename(tmp, x.path); err != nil {
		os.Rename(x.path+".old", x.path)
		return reopenOld(err)
	}
	os.RemoveAll(x.path + ".old")
	if err := reopen(); err != nil {
		return fmt.Errorf("indexer: rebuild: reopen: %w", err)
	}
	x.setManifestLocked(manifest)
	return nil
}

// forceMerge merges the segments of bi into one: a fresh build leaves one
// segment per batch or so, and each is a dictionary lookup and a set of
// postings per query term.
func forceMerge(ctx context.Context, bi bleve.Index) error {
	ai, err := bi.Advanced()
	if err != nil {
		return fmt.Errorf("indexer: merge: %w", err)
	}
	s, ok := ai.(*scorch.Scorch)
	if !ok {
		return nil
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
