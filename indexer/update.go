package indexer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"slices"
	"sort"

	"github.com/blevesearch/bleve/v2"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
)

// recordHash is the content hash that tells a changed record from an
// unchanged one.
func recordHash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// change is one record to (re)index or delete.
type change struct {
	rec     *corpus.Record // nil: delete
	id      string
	hash    string         // content hash, "" until computed
	old     *corpus.Record // the indexed version, nil when new or unreadable
	oldHash string         // "" when new
}

// encodeRecord returns the JSON of r and its content hash.
func encodeRecord(r *corpus.Record) ([]byte, string, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, "", fmt.Errorf("indexer: encode record %s: %w", r.ID, err)
	}
	return b, recordHash(b), nil
}

// Sync makes the index hold exactly recs: new and changed records are
// (re)indexed, records no longer in recs are deleted, unchanged ones are
// skipped. progress, when not nil, is called with the records done so far.
// A large build into an empty index goes to a fresh directory that replaces
// the live one atomically when complete.
func (x *Index) Sync(ctx context.Context, recs []*corpus.Record, progress func(done, total int)) (UpdateStats, error) {
	return x.update(ctx, len(recs), slices.Values(recs), nil, true, progress)
}

// SyncKeeping is Sync where the indexed records of the ids in keep (that
// recs does not hold) count as given unchanged: the caller knows that
// they did not change without having them (the app's parse cache).
func (x *Index) SyncKeeping(ctx context.Context, recs []*corpus.Record, keep []string, progress func(done, total int)) (UpdateStats, error) {
	return x.update(ctx, len(recs), slices.Values(recs), keep, true, progress)
}

// SyncFrom is SyncKeeping with the records handed over one at a time by
// recs (n of them: the total progress reports). A fresh build indexes and
// stores them batch by batch and then lets them go, so that a caller that
// does not hold them either (records read from a file as they are handed
// over) never holds the whole corpus in memory.
func (x *Index) SyncFrom(ctx context.Context, n int, recs iter.Seq[*corpus.Record], keep []string, progress func(done, total int)) (UpdateStats, error) {
	return x.update(ctx, n, recs, keep, true, progress)
}

// Upsert adds or replaces recs, leaving every other record alone.
func (x *Index) Upsert(ctx context.Context, recs []*corpus.Record) (UpdateStats, error) {
	return x.update(ctx, len(recs), slices.Values(recs), nil, false, nil)
}

func (x *Index) update(ctx context.Context, n int, recs iter.Seq[*corpus.Record], keep []string, removeOthers bool, progress func(done, total int)) (UpdateStats, error) {
	x.writeMu.Lock()
	defer x.writeMu.Unlock()

	x.mu.RLock()
	closed := x.bi == nil
	old := x.manifest
	x.mu.RUnlock()
	if closed {
		return UpdateStats{}, failure.New(failure.Unavailable, "index is closed")
	}

	// A fresh build goes to its own directory, the records streamed in.
	if x.dir != "" && len(old) == 0 {
		if err := x.waitMerge(ctx); err != nil {
			return UpdateStats{}, err
		}
		if progress != nil {
			progress(0, n)
		}
		st, err := x.rebuild(ctx, n, recs, progress)
		if err != nil {
			err = writeFailure(err)
			if ctx.Err() == nil {
				x.noteWrite(err)
			}
			return UpdateStats{}, err
		}
		if st.Added > 0 {
			x.noteWrite(nil)
		}
		return st, nil
	}

	var st UpdateStats
	var changes []change
	seen := make(map[string]bool, n)
	for r := range recs {
		if r == nil || r.ID == "" {
			return st, errNoID
		}
		if seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		prev, had := old[r.ID]
		if !had {
			// Encoded when written: a build need not hold every record's JSON.
			st.Added++
			changes = append(changes, change{rec: r, id: r.ID})
			continue
		}
		_, h, err := encodeRecord(r)
		if err != nil {
			return st, err
		}
		if prev.Hash == h {
			st.Unchanged++
			continue
		}
		st.Changed++
		c := change{rec: r, id: r.ID, hash: h, oldHash: prev.Hash}
		if o, err := x.Record(r.ID); err == nil {
			c.old = o
		}
		changes = append(changes, c)
	}
	for _, id := range keep {
		if _, had := old[id]; had && !seen[id] {
			seen[id] = true
			st.Unchanged++
		}
	}
	if removeOthers {
		ids := make([]string, 0)
		for id := range old {
			if !seen[id] {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		for _, id := range ids {
			st.Removed++
			c := change{id: id, oldHash: old[id].Hash}
			if o, err := x.Record(id); err == nil {
				c.old = o
			}
			changes = append(changes, c)
		}
	}
	total := len(changes)
	if progress != nil {
		progress(0, total)
	}
	if total == 0 {
		return st, nil
	}

	manifest := make(map[string]manifestEntry, len(old)+st.Added)
	for k, v := range old {
		manifest[k] = v
	}
	if err := x.waitMerge(ctx); err != nil {
		return st, err
	}
	x.mu.RLock()
	bi, store := x.bi, x.store
	x.mu.RUnlock()
	stale, err := x.apply(ctx, bi, store, changes, manifest, &st, progress)
	if err != nil {
		if ctx.Err() != nil {
			// Some batches may be in: read back what the index holds.
			x.mu.Lock()
			if lerr := x.loadManifest(); lerr != nil {
				err = errors.Join(err, lerr)
			}
			x.mu.Unlock()
			return st, err
		}
		// A failed write (a full disk): back to the last persisted
		// snapshot, which keeps serving; degraded until a write works.
		if rerr := x.recoverAfterFailedWrite(err); rerr != nil {
			err = errors.Join(err, rerr)
		}
		err = writeFailure(err)
		x.noteWrite(err)
		return st, err
	}
	x.noteWrite(nil)
	lerr := x.linkAfterUpdate(ctx, store, changes, manifest, x.Record, &st)
	x.publish(manifest)
	// The old versions are unreachable only now that the manifest is published.
	if err := store.remove(stale); err != nil {
		return st, err
	}
	return st, lerr
}

var errNoID = failure.New(failure.Unprocessable, "record without an id")

// entryOf is the manifest entry of r.
func entryOf(r *corpus.Record, hash string) manifestEntry {
	return manifestEntry{Hash: hash, Summary: summarize(r), Glossary: r.Glossary, Texts: maxN(r)}
}

// addDocs adds the paragraphs of c.rec to batch, deleting those of the
// version it replaces, and counts them in st; list: and lists the new ones
// in st.NewParagraphs.
func (x *Index) addDocs(batch *bleve.Batch, c *change, manifest map[string]manifestEntry, st *UpdateStats, list bool) (int, error) {
	if c.old != nil {
		for _, p := range c.old.Paragraphs {
			batch.Delete(corpus.ParagraphID(c.id, p.N))
		}
	} else if e, ok := manifest[c.id]; ok {
		for n := 1; n <= e.Texts; n++ {
			batch.Delete(corpus.ParagraphID(c.id, n))
		}
	}
	if c.rec == nil {
		return 0, nil
	}
	var oldTexts map[string]bool
	if c.old != nil {
		oldTexts = make(map[string]bool, len(c.old.Paragraphs))
		for _, p := range c.old.Paragraphs {
			oldTexts[p.Text] = true
		}
	}
	for pi := range c.rec.Paragraphs {
		p := &c.rec.Paragraphs[pi]
		doc, err := newDocument(x.mapping, x.analyzer, c.rec, p)
		if err != nil {
			return 0, err
		}
		if err := batch.IndexAdvanced(doc); err != nil {
			return 0, fmt.Errorf("indexer: index %s: %w", doc.ID(), err)
		}
		st.Paragraphs++
		if !oldTexts[p.Text] {
			st.NewCount++
			if list {
				st.NewParagraphs = append(st.NewParagraphs, paragraphHit(c.rec, p))
			}
		}
	}
	return len(c.rec.Paragraphs), nil
}

// apply writes changes into the live index bi in batches of about
// batchParagraphs paragraphs. Each batch first stores the new record
// versions beside the old ones, then writes the paragraphs together with
// the hashes of the versions they belong to (internal keys) in one bleve
// batch: a crash leaves every record either old or new, and Open drops the
// versions the index does not name. apply returns the replaced versions,
// to be removed from store once manifest is published.
func (x *Index) apply(ctx context.Context, bi bleve.Index, store *recordStore, changes []change, manifest map[string]manifestEntry, st *UpdateStats, progress func(done, total int)) ([][2]string, error) {
	batch := bi.NewBatch()
	docs := 0
	var pending []storedRecord
	var stale [][2]string
	flush := func() error {
		if err := store.put(pending); err != nil {
			return err
		}
		for _, r := range pending {
			batch.SetInternal([]byte(manifestPrefix+r.id), []byte(r.hash))
		}
		if err := bi.Batch(batch); err != nil {
			return fmt.Errorf("indexer: write batch: %w", err)
		}
		batch.Reset()
		pending = pending[:0]
		docs = 0
		return nil
	}
	for i := range changes {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c := &changes[i]
		n, err := x.addDocs(batch, c, manifest, st, true)
		if err != nil {
			return nil, err
		}
		docs += n
		if c.oldHash != "" {
			stale = append(stale, [2]string{c.id, c.oldHash})
		}
		if c.rec == nil {
			batch.DeleteInternal([]byte(manifestPrefix + c.id))
			delete(manifest, c.id)
		} else {
			if c.hash == "" {
				if _, c.hash, err = encodeRecord(c.rec); err != nil {
					return nil, err
				}
			}
			e := entryOf(c.rec, c.hash)
			manifest[c.id] = e
			pending = append(pending, storedRecord{id: c.id, hash: c.hash, rec: c.rec, entry: e})
		}
		if docs >= batchParagraphs {
			if err := flush(); err != nil {
				return nil, err
			}
		}
		if progress != nil {
			progress(i+1, len(changes))
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return stale, nil
}
