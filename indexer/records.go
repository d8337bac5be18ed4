package indexer

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	index "github.com/blevesearch/bleve_index_api"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
)

// Record returns the indexed record id, or a failure.NotFound error. The
// record is read from one snapshot of the index: the version it names
// (from the record store) with the paragraph texts it holds.
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
	defer rd.Close()
	h, err := rd.GetInternal([]byte(manifestPrefix + id))
	if err != nil {
		return nil, fmt.Errorf("indexer: record %s: %w", id, err)
	}
	if len(h) == 0 {
		return nil, failure.New(failure.NotFound, "no record %q", id)
	}
	b, err := x.store.get(id, string(h))
	if err != nil {
		return nil, fmt.Errorf("indexer: record %s: %w", id, err)
	}
	if b == nil {
		return nil, errVersionGone
	}
	var r corpus.Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("indexer: record %s: %w", id, err)
	}
	// The texts are not in the record store: the index has them.
	for i := range r.Paragraphs {
		p := &r.Paragraphs[i]
		doc, err := rd.Document(corpus.ParagraphID(r.ID, p.N))
		if err != nil {
			return nil, fmt.Errorf("indexer: record %s: %w", r.ID, err)
		}
		if doc == nil {
			return nil, fmt.Errorf("indexer: record %s: paragraph %d is not in the index", r.ID, p.N)
		}
		doc.VisitFields(func(f index.Field) {
			if f.Name() == fText {
				p.Text = string(f.Value())
			}
		})
	}
	return &r, nil
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
