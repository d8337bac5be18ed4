package app

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"dialoguesearch/corpus"
	"dialoguesearch/indexer"
)

// Update is what a build or sync changed.
type Update struct {
	indexer.UpdateStats
	Skipped []corpus.Problem // record files that could not be parsed
	// Parsed counts the record files parsed; Reused those the parse cache
	// knew unchanged (not parsed: their indexed records stay).
	Parsed, Reused int
	// AlertMatches counts the alert matches the new paragraphs made; when
	// AlertErr is set the index is updated but the alerts failed.
	AlertMatches int
	AlertErr     error
}

// Records returns the records the index should hold: the corpus, plus the
// records ingested through the API (an ingested record replaces a corpus
// record with the same id).
func (a *App) Records() ([]*corpus.Record, []corpus.Problem) {
	recs, problems := corpus.Load(a.corpusFS())
	recs, more := WithIngested(recs, a.cfg.DataDir)
	return recs, append(problems, more...)
}

// Build makes the index of the data dir hold exactly Records(), makes it
// ready and runs the alerts on the paragraphs it brought in. progress, when
// not nil, is called with the records done so far.
func (a *App) Build(ctx context.Context, progress func(done, total int)) (Update, error) {
	if a.opened == nil {
		return Update{}, errors.New("app: no index to build")
	}
	// An index left by the last run answers at once, while the corpus is
	// read and compared with it (a restart with nothing changed is ready
	// before it has parsed a file). A new or rebuilt index waits.
	if a.idx.Load() == nil && a.opened.Stats().Records > 0 {
		a.idx.Store(a.opened)
		a.log.Info("index ready from the last run; checking the corpus for changes")
	}
	// Files the parse cache knows unchanged are read and hashed, not
	// parsed: their records stay in the index as they are.
	rules := corpus.DefaultRules()
	versions := a.opened.Versions()
	cache := a.loadParseCache(rules, versions)
	ingested, more := LoadIngested(a.cfg.DataDir)
	replaced := map[string]bool{} // ids of the ingested records: they replace corpus records
	for _, r := range ingested {
		replaced[r.ID] = true
	}
	n, parsedRecs, l := rules.LoadStream(a.corpusFS(), cache)
	parsed := map[string]string{} // file name -> record id, for the parse cache
	recs := func(yield func(*corpus.Record) bool) {
		for r := range parsedRecs {
			parsed[r.Source] = r.ID
			if replaced[r.ID] {
				continue // an ingested record of the same id wins
			}
			if !yield(r) {
				return
			}
		}
		a.log.Info("corpus read", "parsed", len(parsed), "reused", len(l.Kept), "skipped", len(l.Problems))
		for _, r := range ingested {
			if !yield(r) {
				return
			}
		}
	}
	var keep []string
	if len(versions) > 0 {
		// An index to update: the files the cache knows are known only
		// once every file is read, and the changed records are few.
		var list []*corpus.Record
		for r := range recs {
			list = append(list, r)
		}
		for _, id := range l.Kept {
			keep = append(keep, id)
		}
		n, recs = len(list), handOver(list)
	} else {
		// A fresh build: the files are parsed while the records parsed
		// so far are indexed, on every core, and none is held longer than
		// its batch.
		n += len(ingested)
	}
	a.SetProgress(0, n+len(keep))
	stats, err := a.opened.SyncFrom(ctx, n, recs, keep, func(done, total int) {
		a.SetProgress(done, total)
		if progress != nil {
			progress(done, total)
		}
	})
	up := Update{UpdateStats: stats, Skipped: append(l.Problems, more...), Parsed: len(parsed), Reused: len(l.Kept)}
	if err != nil {
		if ctx.Err() == nil {
			a.SetBuildError(err)
		}
		return up, err
	}
	if err := a.saveParseCache(rules, *l, parsed, replaced, a.opened.Versions()); err != nil {
		a.log.Warn("parse cache not saved; the next start parses every record file", "err", err)
	}
	up.AlertMatches, up.AlertErr = a.SetIndex(ctx, a.opened, stats)
	return up, nil
}

// handOver hands the records of recs over one at a time, clearing each
// from recs as it goes: recs then holds none of them.
func handOver(recs []*corpus.Record) iter.Seq[*corpus.Record] {
	return func(yield func(*corpus.Record) bool) {
		for i, r := range recs {
			recs[i] = nil
			if !yield(r) {
				return
			}
		}
	}
}

// SetProgress records how far the index build is, for Index's answer.
func (a *App) SetProgress(done, total int) {
	a.progress.Store(&[2]int{done, total})
}

// SetBuildError records that the index could not be built: Index says so
// until a later SetIndex.
func (a *App) SetBuildError(err error) {
	a.buildErr.Store(&err)
}

// SetIndex makes idx the ready index after a build that changed stats, and
// runs the alerts on the new paragraphs. Build calls it; it is exported for
// a caller that built the index itself.
func (a *App) SetIndex(ctx context.Context, idx *indexer.Index, stats indexer.UpdateStats) (int, error) {
	a.idx.Store(idx)
	a.buildErr.Store(nil)
	return a.afterIndex(ctx, idx, stats)
}

// afterIndex is the one path from an index change to the alerts: every
// change (build, ingest, watcher, the index command) comes through here.
// The alerts are driven by a durable watermark: alerts.db keeps the record
// versions whose paragraphs the alerts have checked, and each run checks
// the records whose indexed version differs, whatever the change at hand
// said. So a run that failed (alerts.db not writable after the index write
// succeeded) is caught up by the next ingest, the next start, or the
// catch-up loop, and the store's set of checked paragraph texts keeps it
// exactly once. It returns the number of new matches.
func (a *App) afterIndex(ctx context.Context, idx *indexer.Index, _ indexer.UpdateStats) (int, error) {
	if a.alerts == nil {
		return 0, nil
	}
	a.alertsMu.Lock()
	defer a.alertsMu.Unlock()
	seen, err := a.alerts.Seen()
	if err != nil {
		a.alertsBehind.Store(true)
		return 0, fmt.Errorf("app: alerts: watermark: %w", err)
	}
	cur := idx.Versions()
	var paras []indexer.Hit
	read := readRecords{Index: idx, recs: map[string]*corpus.Record{}}
	for id, h := range cur {
		if seen[id] == h {
			continue
		}
		rec, err := idx.Record(id)
		if err != nil {
			continue // removed since Versions: nothing to check
		}
		read.recs[id] = rec
		for _, p := range rec.Paragraphs {
			paras = append(paras, indexer.Hit{Paragraph: indexer.Paragraph{ID: corpus.ParagraphID(rec.ID, p.N),
				RecordID: rec.ID, N: p.N, Text: p.Text, Meeting: rec.Meeting}})
		}
	}
	if len(paras) == 0 && len(seen) == len(cur) {
		a.alertsBehind.Store(false)
		return 0, nil
	}
	n, err := a.alerts.OnIndexed(ctx, read, paras)
	if err == nil {
		err = a.alerts.SetSeen(cur)
	}
	if err != nil {
		a.alertsBehind.Store(true)
		return 0, fmt.Errorf("app: alerts (they catch up on the next ingest, start or within %v): %w", catchUpInterval, err)
	}
	a.alertsBehind.Store(false)
	if len(paras) > 0 {
		a.log.Info("alerts checked", "paragraphs", len(paras), "matches", n)
	}
	return n, nil
}

// readRecords is the index with the records afterIndex has just read
// from it: the alerts get those again without reading the store twice.
type readRecords struct {
	*indexer.Index
	recs map[string]*corpus.Record
}

// Record returns the record read already, or reads it from the index.
func (r readRecords) Record(id string) (*corpus.Record, error) {
	if rec, ok := r.recs[id]; ok {
		return rec, nil
	}
	return r.Index.Record(id)
}

// catchUpInterval is how often the alerts retry a run that failed.
const catchUpInterval = 10 * time.Second

// catchUpAlerts retries, every catchUpInterval, an alert run that failed,
// until one works.
func (a *App) catchUpAlerts(ctx context.Context) {
	a.everyTick(ctx, catchUpInterval, func(idx *indexer.Index) {
		if !a.alertsBehind.Load() {
			return
		}
		if n, err := a.afterIndex(ctx, idx, indexer.UpdateStats{}); err != nil {
			a.log.Warn("alerts: catch-up failed; retrying", "err", err)
		} else {
			a.log.Info("alerts: caught up", "matches", n)
		}
	})
}

// everyTick calls f with the ready index every interval until ctx ends
// (not before the index is ready).
func (a *App) everyTick(ctx context.Context, interval time.Duration, f func(*indexer.Index)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if idx := a.idx.Load(); idx != nil {
			f(idx)
		}
	}
}

// CatchUp checks every indexed paragraph against the alerts (a paragraph
// text checked before is skipped by the alert store): after a crash or a
// restored backup. It returns the paragraphs looked at and the new matches.
func (a *App) CatchUp(ctx context.Context) (int, int, error) {
	idx := a.idx.Load()
	if idx == nil {
		idx = a.opened // as it is: the alerts command does not build
	}
	if idx == nil {
		return 0, 0, errors.New("app: no index")
	}
	sums, err := idx.Records()
	if err != nil {
		return 0, 0, err
	}
	var paras []indexer.Hit
	for _, sum := range sums {
		rec, err := idx.Record(sum.ID)
		if err != nil {
			return 0, 0, err
		}
		for _, p := range rec.Paragraphs {
			paras = append(paras, indexer.Hit{Paragraph: indexer.Paragraph{ID: corpus.ParagraphID(rec.ID, p.N), RecordID: rec.ID, N: p.N, Text: p.Text}})
		}
	}
	n, err := a.afterIndex(ctx, idx, indexer.UpdateStats{NewParagraphs: paras})
	return len(paras), n, err
}
