package indexer

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/blevesearch/bleve/v2"

	"dialoguesearch/failure"
)

// WriteHealth is the state of the index's writes: a failed write (a full
// disk, an I/O error) makes the index degraded until a later write
// succeeds. Searches keep answering from the last complete snapshot
// throughout.
type WriteHealth struct {
	Err      error     // the last write's failure; nil when writes work
	Since    time.Time // when writes started failing
	Failures uint64    // failed writes since the index was opened
}

// Degraded reports whether writes are failing.
func (h WriteHealth) Degraded() bool { return h.Err != nil }

type writeHealth struct {
	mu sync.Mutex
	h  WriteHealth
}

// WriteHealth returns the state of the index's writes.
func (x *Index) WriteHealth() WriteHealth {
	x.health.mu.Lock()
	defer x.health.mu.Unlock()
	return x.health.h
}

// NoteWrite records the outcome of a write to the data dir made beside
// the index (an ingested original), so that WriteHealth covers the whole
// data dir: err is turned as the index's own failures are (a full disk is
// failure.Unavailable with ErrDiskFull) and returned.
func (x *Index) NoteWrite(err error) error {
	if err != nil {
		err = writeFailure(err)
	}
	x.noteWrite(err)
	return err
}

func (x *Index) noteWrite(err error) {
	x.health.mu.Lock()
	defer x.health.mu.Unlock()
	if err == nil {
		x.health.h.Err = nil
		return
	}
	if x.health.h.Err == nil {
		x.health.h.Since = time.Now()
	}
	x.health.h.Err = err
	x.health.h.Failures++
}

// ErrDiskFull is the cause of a write that failed for want of space.
var ErrDiskFull = errors.New("no space left on the data directory's disk")

// writeFailure turns the error of a failed write into what the caller
// shows: a full disk is failure.Unavailable (503, with ErrDiskFull) with a
// message that names it; other failures keep their error.
func writeFailure(err error) error {
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) ||
		strings.Contains(err.Error(), "no space left on device") || strings.Contains(err.Error(), "disk quota exceeded") {
		return &failure.Error{Kind: failure.Unavailable, Err: errors.Join(ErrDiskFull, err),
			Msg: "the data directory's disk is full: the record was not indexed; searches still answer from the last complete index; free some space and retry"}
	}
	return err
}

// recoverAfterFailedWrite reopens the index from disk after a failed
// write. bleve keeps a batch that failed to persist in its in-memory
// snapshot with a closed segment (every search over it then panics in
// zapx), so the index is reopened at its last persisted snapshot; the
// manifest is read back from it.
func (x *Index) recoverAfterFailedWrite(cause error) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.dir == "" || x.bi == nil {
		return x.loadManifest()
	}
	_ = x.bi.Close() // it may fail again for the same reason; the files are what count
	x.bi = nil
	bi, err := bleve.OpenUsing(x.path, openConfig)
	if err != nil {
		return fmt.Errorf("indexer: reopen after the failed write (%v): %w", cause, err)
	}
	x.bi = bi
	x.facets = newFacetCache()
	return x.loadManifest()
}

// Versions returns the indexed version (hash) of every record, by id: what
// the alerts' watermark is compared with.
func (x *Index) Versions() map[string]string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	out := make(map[string]string, len(x.manifest))
	for id, e := range x.manifest {
		out[id] = e.Hash
	}
	return out
}
