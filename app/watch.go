package app

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"

	"dialoguesearch/corpus"
	"dialoguesearch/indexer"
)

// watchCorpus is serve --watch: it polls the corpus dir and indexes record
// files that are new or changed (by size and modification time), then runs
// the alerts on their new paragraphs. The first pass, once the index is
// ready, covers every file: unchanged records cost a parse and nothing more.
// A file deleted from the dir removes its record from the index, unless
// another file or an ingested record provides the same id.
func (a *App) watchCorpus(ctx context.Context) {
	interval := a.cfg.WatchInterval
	if interval <= 0 {
		interval = 3 * time.Second
	}
	seen := &watchState{stamps: map[string]fileStamp{}, ids: map[string]string{}}
	a.everyTick(ctx, interval, func(idx *indexer.Index) {
		if err := a.watchPass(ctx, idx, seen); err != nil && ctx.Err() == nil {
			a.log.Error("watch: update failed", "dir", a.cfg.CorpusDir, "err", err)
		}
	})
}

type fileStamp struct {
	size int64
	mod  time.Time
}

// watchState is what the watcher knows of the corpus dir: each file's
// stamp when last looked at, and the id of the record it held.
type watchState struct {
	stamps map[string]fileStamp
	ids    map[string]string
	sides  map[string]fileStamp // record file -> its sidecar's stamp (zero: none)
	// settling holds the stamp of a new or changed file seen last pass: a
	// file is read only once its size and time held still for a whole
	// interval, so a file caught half-written is not indexed truncated.
	settling map[string]fileStamp
}

func (a *App) watchPass(ctx context.Context, idx *indexer.Index, state *watchState) error {
	seen := state.stamps
	fsys := os.DirFS(a.cfg.CorpusDir)
	var changed []string
	stamps := map[string]fileStamp{}
	sides := map[string]fileStamp{}
	if state.sides == nil {
		state.sides = map[string]fileStamp{}
	}
	if state.settling == nil {
		state.settling = map[string]fileStamp{}
	}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a file vanished mid-walk: next pass
		}
		if strings.HasPrefix(d.Name(), ".") && p != "." {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if corpus.IsSidecar(p) {
			if info, err := d.Info(); err == nil {
				sides[p] = fileStamp{info.Size(), info.ModTime()}
			}
			return nil
		}
		if !corpus.IsRecordFile(p) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		stamps[p] = fileStamp{info.Size(), info.ModTime()}
		return nil
	})
	if err != nil {
		return err
	}
	// A record changes when its file or its sidecar (NAME.meta.yaml: the
	// user's corrections) is added, edited or removed.
	for p, st := range stamps {
		var side fileStamp
		for _, sn := range corpus.SidecarNames(p) {
			if s, ok := sides[sn]; ok {
				side = s
				break
			}
		}
		old, ok := seen[p]
		if !ok || old != st || state.sides[p] != side {
			if prev, ok := state.settling[p]; !ok || prev != st {
				state.settling[p] = st // still being written, perhaps: next pass
				continue
			}
			delete(state.settling, p)
			changed = append(changed, p)
		}
		state.sides[p] = side
	}
	for p := range state.settling {
		if _, ok := stamps[p]; !ok {
			delete(state.settling, p)
		}
	}
	sort.Strings(changed)
	var gone []string
	for p := range seen {
		if _, ok := stamps[p]; !ok {
			gone = append(gone, p)
		}
	}
	if len(changed) == 0 && len(gone) == 0 {
		return nil
	}
	var recs []*corpus.Record
	var replaced []string // ids of records whose file now holds another
	for _, p := range changed {
		rec, err := corpus.DefaultRules().LoadFile(fsys, p) // with its sidecar
		if errors.Is(err, corpus.ErrOutside) {
			a.log.Warn("watch: record skipped", "file", p, "err", err)
			seen[p] = stamps[p]
			continue
		}
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			a.log.Warn("watch: record skipped", "file", p, "err", err)
			seen[p] = stamps[p] // do not retry until it changes again
			continue
		}
		recs = append(recs, rec)
		if prev, ok := state.ids[p]; ok && prev != rec.ID {
			replaced = append(replaced, prev) // an edit changed the record's id
		}
		state.ids[p] = rec.ID
	}
	a.write.Lock()
	defer a.write.Unlock()
	stats, err := idx.Upsert(ctx, recs)
	if err != nil {
		return err
	}
	for _, p := range changed {
		seen[p] = stamps[p]
	}
	if stats.Added+stats.Changed > 0 {
		a.log.Info("watch: indexed", "added", stats.Added, "changed", stats.Changed, "new_paragraphs", stats.NewCount)
	}
	a.alertsAfterWatch(ctx, idx, stats)
	if len(replaced) > 0 {
		// The edited file's old record goes, as a deleted file's does.
		removed, err := a.dropRecords(ctx, idx, state, replaced, nil)
		if err != nil {
			return err
		}
		if removed > 0 {
			a.log.Info("watch: replaced", "records", removed)
		}
	}
	if len(gone) == 0 || len(state.settling) > 0 {
		// A file that went may be a rename whose new name still settles:
		// its record stays until that file is read.
		return nil
	}
	removed, err := a.removeGone(ctx, idx, state, gone)
	if err != nil {
		return err
	}
	for _, p := range gone {
		delete(seen, p)
		delete(state.ids, p)
	}
	if removed > 0 {
		a.log.Info("watch: removed", "records", removed, "files", len(gone))
	}
	return nil
}

// removeGone removes from idx the records of the deleted files gone, except
// ids still held by another file of the dir or by a record ingested through
// the API. The caller holds the ingest lock, so the index cannot gain a
// record meanwhile: it is synced to what it holds minus those records.
func (a *App) removeGone(ctx context.Context, idx *indexer.Index, state *watchState, gone []string) (int, error) {
	var ids []string
	for _, p := range gone {
		if id, ok := state.ids[p]; ok {
			ids = append(ids, id)
		}
	}
	goneSet := map[string]bool{}
	for _, p := range gone {
		goneSet[p] = true
	}
	return a.dropRecords(ctx, idx, state, ids, goneSet)
}

// dropRecords removes the records ids from idx, except those still held by
// a file of the dir (other than the files in gone) or by a record ingested
// through the API.
func (a *App) dropRecords(ctx context.Context, idx *indexer.Index, state *watchState, ids []string, gone map[string]bool) (int, error) {
	drop := map[string]bool{}
	for _, id := range ids {
		drop[id] = true
	}
	for p, id := range state.ids {
		if !gone[p] {
			delete(drop, id)
		}
	}
	if len(drop) > 0 {
		ingested, _ := LoadIngested(a.cfg.DataDir)
		for _, r := range ingested {
			delete(drop, r.ID)
		}
	}
	if len(drop) == 0 {
		return 0, nil
	}
	sums, err := idx.Records()
	if err != nil {
		return 0, err
	}
	keep := make([]*corpus.Record, 0, len(sums))
	for _, sum := range sums {
		if drop[sum.ID] {
			continue
		}
		r, err := idx.Record(sum.ID)
		if err != nil {
			return 0, err
		}
		keep = append(keep, r)
	}
	stats, err := idx.Sync(ctx, keep, nil)
	if err != nil {
		return 0, err
	}
	a.alertsAfterWatch(ctx, idx, stats)
	return stats.Removed, nil
}

// alertsAfterWatch runs the alerts after a watcher update; a failure is
// logged (the next change is checked again).
func (a *App) alertsAfterWatch(ctx context.Context, idx *indexer.Index, stats indexer.UpdateStats) {
	if _, err := a.afterIndex(ctx, idx, stats); err != nil {
		a.log.Error("alerts: check new paragraphs", "err", err)
	}
}
