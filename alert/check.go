package alert

import (
	"context"
	"fmt"
	"slices"

	"dialoguesearch/corpus"
	"dialoguesearch/indexer"
)

// RecordSource gives a record by id: *indexer.Index is one.
type RecordSource interface {
	Record(id string) (*corpus.Record, error)
}

// OnIndexed checks every active alert against the paragraphs that just
// entered the index with new or changed text (indexer.UpdateStats.NewParagraphs),
// records the new matches and queues their deliveries. Paragraphs already
// checked with the same text are skipped, so calling it twice, or after an
// index rebuild, fires nothing new. src supplies the paragraphs' records.
// It returns how many matches it recorded.
func (s *Service) OnIndexed(ctx context.Context, src RecordSource, newParas []indexer.Hit) (int, error) {
	if len(newParas) == 0 {
		return 0, nil
	}
	s.matchMu.Lock()
	defer s.matchMu.Unlock()
	// series watches: change reports of the new editions (series.go)
	reported, err := s.seriesReports(ctx, src, newParas)
	if err != nil {
		return 0, err
	}
	if reported > 0 {
		s.Wake()
	}

	// Load the records, keep only the new paragraphs, in their order.
	var recs []*corpus.Record
	byID := map[string]*corpus.Record{}
	hashes := map[string]string{}
	for _, h := range newParas {
		if _, ok := byID[h.RecordID]; !ok {
			r, err := src.Record(h.RecordID)
			if err != nil {
				return 0, fmt.Errorf("alert: record %s: %w", h.RecordID, err)
			}
			byID[h.RecordID] = r
			recs = append(recs, r)
		}
	}
	want := map[string]bool{}
	for _, h := range newParas {
		want[h.ID] = true
	}
	for _, r := range recs {
		for _, p := range r.Paragraphs {
			if id := corpus.ParagraphID(r.ID, p.N); want[id] {
				hashes[id] = checkKey(r.ID, textHash(p.Text))
			}
		}
	}
	unchecked, err := s.store.unchecked(hashes)
	if err != nil {
		return 0, err
	}
	if len(unchecked) == 0 {
		return reported, nil
	}
	checked := map[string]string{}
	for id := range unchecked {
		checked[id] = hashes[id]
	}
	alerts, err := s.store.Alerts()
	if err != nil {
		return 0, err
	}
	alerts = slices.DeleteFunc(alerts, func(a *Alert) bool { return !a.Active || a.Series != "" })
	var b *batch
	if len(alerts) > 0 {
		if b, err = newBatch(ctx, trimRecords(recs, unchecked)); err != nil {
			return 0, err
		}
		defer b.Close()
	}
	// The matches are written as they are found, in one transaction
	// committed after the last: storing overlaps matching.
	results := make(chan alertMatches, 256)
	var added map[string][]Match
	stored := make(chan error, 1)
	go func() {
		var err error
		added, err = s.store.recordStream(checked, results, s.cfg.Now().UTC())
		stored <- err
	}()
	if b != nil {
		_, err = matchAll(ctx, b, alerts, func(alertID string, ms []Match) {
			results <- alertMatches{alertID: alertID, ms: ms}
		})
		if err != nil {
			results <- alertMatches{err: err}
		}
	}
	close(results)
	if serr := <-stored; serr != nil {
		return 0, serr
	}
	n := 0
	for _, ms := range added {
		n += len(ms)
	}
	if n > 0 {
		s.Wake()
	}
	return n + reported, nil
}
