package indexer

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
)

// Record returns the indexed record id, or a failure.NotFound error: the
// version that the index's current snapshot names, with its paragraphs'
// texts, from the record store.
func (x *Index) Record(id string) (*corpus.Record, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if _, err := x.live(); err != nil {
		return nil, err
	}
	for try := 0; ; try++ {
		r, err := x.readRecord(id)
		// An update may delete the version a snapshot named just after
		// the snapshot was taken: the next snapshot names the new one.
		if err == errVersionGone && try < 3 {
			continue
		}
		return r, err
	}
}

var errVersionGone = errors.New("indexer: record version no longer stored")

func (x *Index) readRecord(id string) (*corpus.Record, error) {
	ai, err := x.bi.Advanced()
	if err != nil {
		return nil, fmt.Errorf("indexer: record %s: %w", id, err)
	}
	rd, err := ai.Reader()
	if err != nil {
		return nil, fmt.Errorf("indexer: record %s: %w", id, err)
	}
	h, err := rd.GetInternal([]byte(manifestPrefix + id))
	rd.Close()
	if err != nil {
		return nil, fmt.Errorf("indexer: record %s: %w", id, err)
	}
	if len(h) == 0 {
		return nil, failure.New(failure.NotFound, "no record %q", id)
	}
	r, err := x.store.get(id, string(h))
	if err != nil {
		return nil, err
	}
	if r == nil {
		return nil, errVersionGone
	}
	return r, nil
}

// Records returns a summary of every record, newest first (records without
// a date last, then by id).
func (x *Index) Records() ([]RecordSummary, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if _, err := x.live(); err != nil {
		return nil, err
	}
	out := make([]RecordSummary, 0, len(x.manifest))
	for _, e := range x.manifest {
		out = append(out, e.Summary)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Date != out[j].Date {
			return out[i].Date > out[j].Date
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// Glossary returns the acronyms defined by the indexed records with their
// most common expansion and the number of records defining them, by acronym.
func (x *Index) Glossary() ([]GlossaryEntry, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if _, err := x.live(); err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, e := range x.manifest {
		for acr := range e.Glossary {
			counts[acr]++
		}
	}
	acr := corpus.Acronyms(glossaryRecords(x.manifest))
	out := make([]GlossaryEntry, 0, len(counts))
	for a, n := range counts {
		exp := ""
		if e := acr[a]; len(e) > 0 {
			exp = e[0]
		}
		out = append(out, GlossaryEntry{Acronym: a, Expansion: exp, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if l, r := strings.ToLower(out[i].Acronym), strings.ToLower(out[j].Acronym); l != r {
			return l < r
		}
		return out[i].Acronym < out[j].Acronym
	})
	return out, nil
}
