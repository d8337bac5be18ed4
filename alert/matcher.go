package alert

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"

	"dialoguesearch/corpus"
	"dialoguesearch/indexer"
)

// textHash identifies a paragraph's text: a match is recorded once per
// (alert, paragraph, text hash), so a paragraph whose text changed can match
// again and an unchanged one never does.
func textHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:8])
}

// batch is a set of new paragraphs put into a small in-memory index, ready
// to run alerts against.
type batch struct {
	idx   *indexer.Index
	paras map[string]batchPara // paragraph id -> its record and text hash
	pre   *prefilter
}

type batchPara struct {
	rec  *corpus.Record
	p    *corpus.Paragraph
	hash string
}

// newBatch indexes the paragraphs of recs (records already trimmed to their
// new paragraphs) in memory.
func newBatch(ctx context.Context, recs []*corpus.Record) (*batch, error) {
	idx, err := indexer.NewMemory()
	if err != nil {
		return nil, fmt.Errorf("alert: memory index: %w", err)
	}
	if _, err := idx.Upsert(ctx, recs); err != nil {
		idx.Close()
		return nil, fmt.Errorf("alert: memory index: %w", err)
	}
	b := &batch{idx: idx, paras: map[string]batchPara{}}
	for _, r := range recs {
		for i := range r.Paragraphs {
			p := &r.Paragraphs[i]
			b.paras[corpus.ParagraphID(r.ID, p.N)] = batchPara{rec: r, p: p, hash: textHash(p.Text)}
		}
	}
	if b.pre, err = newPrefilter(idx, recs); err != nil {
		idx.Close()
		return nil, fmt.Errorf("alert: prefilter: %w", err)
	}
	return b, nil
}

func (b *batch) Close() error { return b.idx.Close() }

// run returns a's matches among the batch's paragraphs: the paragraphs
// a.Request() finds in the batch's index, in relevance order, each with its
// snippet. Only ids come out of the index (indexer.Matcher); the rest of a
// match is the batch's own record data, the same as a search hit's stored
// fields.
func (b *batch) run(ctx context.Context, a *Alert) ([]Match, error) {
	if !b.pre.mayMatch(a) {
		return nil, nil
	}
	m, err := b.idx.NewMatcher(a.Request())
	if err != nil {
		return nil, fmt.Errorf("alert: run %s: %w", a.ID, err)
	}
	ids, err := m.Match(ctx)
	if err != nil {
		return nil, fmt.Errorf("alert: run %s: %w", a.ID, err)
	}
	out := make([]Match, 0, len(ids))
	for _, id := range ids {
		bp, ok := b.paras[id.ID]
		if !ok {
			return nil, fmt.Errorf("alert: run %s: paragraph %s not in the batch", a.ID, id.ID)
		}
		out = append(out, b.match(bp, m))
	}
	return out, nil
}

func (b *batch) match(bp batchPara, m *indexer.Matcher) Match {
	r, p := bp.rec, bp.p
	snip, exps := m.Snippet(p.Text)
	return Match{
		matchRef: matchRef{
			ParagraphID: corpus.ParagraphID(r.ID, p.N), TextHash: bp.hash, RecordID: r.ID, N: p.N,
			SnippetHTML: snip, Expansions: exps,
		},
		paraText: paraText{
			Title: r.Title, Date: r.Date, Meeting: r.Meeting, Section: p.Section,
			Speakers: corpus.NonNil(p.Speakers), Topics: corpus.NonNil(p.Topics), Text: p.Text,
		},
	}
}

// matchAll runs every active alert against the batch, on all cores; it
// returns alert id -> matches for the alerts that matched, and hands each to
// emit (when not nil) as soon as it is known. Alerts with the same search (a
// popular "OPCON") run once.
func matchAll(ctx context.Context, b *batch, alerts []*Alert, emit func(alertID string, ms []Match)) (map[string][]Match, error) {
	groups := map[string][]*Alert{}
	var order []string
	for _, a := range alerts {
		if !a.Active {
			continue
		}
		k := searchKey(a)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], a)
	}
	found := map[string][]Match{}
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
	)
	work := make(chan []*Alert)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for same := range work {
				ms, err := b.run(ctx, same[0])
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				if len(ms) > 0 {
					for _, a := range same {
						found[a.ID] = ms
					}
				}
				mu.Unlock()
				if emit != nil && len(ms) > 0 {
					for _, a := range same {
						emit(a.ID, ms)
					}
				}
			}
		})
	}
	for _, k := range order {
		if ctx.Err() != nil {
			break
		}
		work <- groups[k]
	}
	close(work)
	wg.Wait()
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	return found, firstErr
}

// searchKey identifies an alert's search: query, filters and dates.
func searchKey(a *Alert) string {
	var b strings.Builder
	b.WriteString(a.Query)
	for _, f := range indexer.FacetNames {
		if vs := a.Filters[f]; len(vs) > 0 {
			vs = slices.Clone(vs)
			slices.Sort(vs)
			fmt.Fprintf(&b, "\x00%s=%q", f, vs)
		}
	}
	fmt.Fprintf(&b, "\x00%s..%s", a.From, a.To)
	return b.String()
}

// trimRecords returns copies of recs holding only the paragraphs whose ids
// are in want.
func trimRecords(recs []*corpus.Record, want map[string]bool) []*corpus.Record {
	var out []*corpus.Record
	for _, r := range recs {
		var ps []corpus.Paragraph
		for _, p := range r.Paragraphs {
			if want[corpus.ParagraphID(r.ID, p.N)] {
				ps = append(ps, p)
			}
		}
		if len(ps) == 0 {
			continue
		}
		cp := *r
		cp.Paragraphs = ps
		out = append(out, &cp)
	}
	return out
}
