package indexer

import (
	"context"
	"fmt"
	"time"

	"github.com/blevesearch/bleve/v2"

	"dialoguesearch/failure"
)

// The final merge of a fresh build runs in the background, on the live
// index: rebuild swaps in and publishes the index of many segments (one
// per batch), which answers searches at once, and then merges them into
// one. The merge is owned by the Index:
//
//   - the swapped-in index is opened with buildMergePlan (scorch merges
//     nothing by its own plan meanwhile: the default plan would merge the
//     batches' segments ten at a time before the force merge merged them
//     all again); once merged, it is reopened with openConfig (the default
//     plan, for later updates);
//   - every writer waits for the merge before it writes (update, and so
//     Upsert, Sync with changes, recoverAfterFailedWrite and another
//     rebuild, which all run under writeMu after that wait), so nothing
//     else writes to, closes or swaps the bleve index while it merges;
//   - Close cancels the merge (scorch drops the unfinished merged segment)
//     and waits for its goroutine. The segments left on disk are a valid
//     index, which Open opens with the default plan: scorch merges them in
//     tiers later.

// backgroundMerge is the state of the merge in the background.
type backgroundMerge struct {
	cancel context.CancelFunc
	done   chan struct{} // closed when the merge's goroutine ends
	err    error         // the merge's failure, set before done is closed
}

// mergeStartHook, when set (tests), is called by the background merge's
// goroutine before it merges.
var mergeStartHook func(ctx context.Context)

// liveMergeConfig is the runtime configuration of the live index opened by
// rebuild's swap while its segments wait for the background merge: that of
// openConfig with scorch's own merges off (buildMergePlan).
func liveMergeConfig() map[string]interface{} {
	return withSegmentConfig(map[string]interface{}{
		"bolt_timeout":           openTimeout.String(),
		"scorchMergePlanOptions": buildMergePlan,
	})
}

// mergeLocked starts the background merge of bi, the live index just
// opened with liveMergeConfig; callers hold x.mu and writeMu, and no other
// merge runs (waitMerge).
func (x *Index) mergeLocked(bi bleve.Index) {
	ctx, cancel := context.WithCancel(context.Background())
	m := &backgroundMerge{cancel: cancel, done: make(chan struct{})}
	x.mergeMu.Lock()
	x.merge = m
	x.mergeMu.Unlock()
	go func() {
		defer close(m.done)
		defer cancel()
		if mergeStartHook != nil {
			mergeStartHook(ctx)
		}
		err := forceMerge(ctx, bi)
		if err == nil {
			// the reopen reads what the persister wrote: the merged
			// snapshot, not one before it
			err = waitPersisted(ctx, bi)
		}
		if ctx.Err() != nil {
			return // Close: the segments stay as they are
		}
		// Merged (or not, on an error): the default plan from now on.
		x.mu.Lock()
		if x.bi == bi && ctx.Err() == nil {
			if rerr := x.reopenLocked(); rerr != nil && err == nil {
				err = rerr
			}
		}
		x.mu.Unlock()
		if err != nil {
			m.err = fmt.Errorf("indexer: background merge: %w", err)
			return
		}
		if ctx.Err() == nil {
			x.warmFacets()
		}
	}()
}

// reopenLocked closes the live bleve index and opens it again with
// openConfig; callers hold x.mu, and nothing writes to the index.
func (x *Index) reopenLocked() error {
	if err := x.bi.Close(); err != nil {
		x.bi = nil
		return fmt.Errorf("reopen: close: %w", err)
	}
	x.bi = nil
	bi, err := bleve.OpenUsing(x.path, openConfig)
	if err != nil {
		return fmt.Errorf("reopen: %w", err)
	}
	x.bi = bi
	x.facets = newFacetCache()
	return nil
}

// current returns the background merge, nil when none was started.
func (x *Index) current() *backgroundMerge {
	x.mergeMu.Lock()
	defer x.mergeMu.Unlock()
	return x.merge
}

// WaitMerged blocks until the background merge of a fresh build has
// finished (at once when none runs) or ctx ends, and returns the merge's
// failure or ctx's error. A merge that Close stopped is no failure.
func (x *Index) WaitMerged(ctx context.Context) error {
	m := x.current()
	if m == nil {
		return nil
	}
	select {
	case <-m.done:
		return m.err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Merging reports whether the segments of a fresh build are being merged
// in the background.
func (x *Index) Merging() bool {
	m := x.current()
	if m == nil {
		return false
	}
	select {
	case <-m.done:
		return false
	default:
		return true
	}
}

// waitMerge waits for the background merge before a write (callers hold
// writeMu): the merge's failure is not the write's, only the end of ctx
// is, and an index that the merge could not reopen is closed.
func (x *Index) waitMerge(ctx context.Context) error {
	m := x.current()
	if m == nil {
		return nil
	}
	select {
	case <-m.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	x.mu.RLock()
	closed := x.bi == nil
	x.mu.RUnlock()
	if closed {
		return failure.New(failure.Unavailable, "index is closed")
	}
	return nil
}

// stopMergeGrace is how long Close waits for a cancelled merge to stop
// before it closes the bleve index under it (which stops scorch's merger
// in any case).
const stopMergeGrace = 5 * time.Second

// stopMerge cancels the background merge and waits for its goroutine, at
// most stopMergeGrace; it returns the merge's done channel (nil when none),
// for the caller to wait on once the index is closed. Callers do not hold
// x.mu (the goroutine takes it to reopen the index when it was not
// cancelled first). Once cancelled, the goroutine touches neither x nor
// its bleve index after forceMerge returns, and forceMerge asks a closed
// index nothing (it checks ctx after each ForceMerge).
func (x *Index) stopMerge() <-chan struct{} {
	m := x.current()
	if m == nil {
		return nil
	}
	m.cancel()
	t := time.NewTimer(stopMergeGrace)
	defer t.Stop()
	select {
	case <-m.done:
	case <-t.C:
	}
	return m.done
}

// waitPersisted waits until scorch has persisted (root.bolt) the current
// snapshot of bi, or ctx ends.
func waitPersisted(ctx context.Context, bi bleve.Index) error {
	s, err := scorchOf(bi)
	if s == nil {
		return err
	}
	for {
		m := s.StatsMap()
		root, _ := m["CurRootEpoch"].(uint64)
		persisted, _ := m["LastPersistedEpoch"].(uint64)
		if persisted >= root {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
}
