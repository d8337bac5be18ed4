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
	idx    *indexer.Index
	hashes map[string]string // paragraph id -> text hash
	n      int               // paragraphs
	pre    *prefilter
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
	b := &batch{idx: idx, hashes: map[string]string{}}
	for _, r := range recs {
		for _, p := range r.Paragraphs {
			b.hashes[corpus.ParagraphID(r.ID, p.N)] = textHash(p.Text)
			b.n++
		}
	}
	b.pre = newPrefilter(recs)
	return b, nil
}

func (b *batch) Close() error { return b.idx.Close() }

// run returns a's matches among the batch's paragraphs.
func (b *batch) run(ctx context.Context, a *Alert) ([]Match, error) {
	if !b.pre.mayMatch(ctx, a) {
		return nil, nil
	}
	req := a.Request()
	req.NoFacets, req.NoSuggest = true, true
	req.Sort = indexer.SortRelevance
	req.Size = min(b.n, indexer.MaxPageSize)
	var out []Match
	for page := 1; ; page++ {
		req.Page = page
		res, err := b.idx.Search(ctx, req)
		if err != nil {
			return nil, fmt.Errorf("alert: run %s: %w", a.ID, err)
		}
		for _, h := range res.Hits {
			out = append(out, matchOf(h, b.hashes[h.ID]))
		}
		if len(res.Hits) == 0 || uint64(len(out)) >= res.Total {
			return out, nil
		}
	}
}

func matchOf(h indexer.Hit, hash string) Match {
	if hash == "" {
		hash = textHash(h.Text)
	}
	return Match{
		ParagraphID: h.ID, TextHash: hash, RecordID: h.RecordID, Title: h.Title,
		Date: h.Date, Meeting: h.Meeting, Section: h.Section, N: h.N,
		Speakers: h.Speakers, Topics: h.Topics, Text: h.Text,
		SnippetHTML: h.SnippetHTML, Expansions: h.Expansions,
	}
}

// matchAll runs every active alert against the batch, on all cores; it
// returns alert id -> matches for the alerts that matched. Alerts with the
// same search (a popular "OPCON") run once.
func matchAll(ctx context.Context, b *batch, alerts []*Alert) (map[string][]Match, error) {
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
