package indexer

import (
	"fmt"
	"math"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search/scorer"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// Block maxima: skipping the matches that cannot enter the page.
//
// The bitmap path counts every match from bitmaps, but scoring a match
// means decoding its terms' frequency and norm, linear in the matches: a
// frequent word has tens of thousands. As Lucene does with the impacts of
// its postings blocks, each segment keeps, for the text field's frequent
// terms, the largest sqrt(freq) * norm of every block of 1,024 document
// numbers (computed with the segment's facet columns, once). A term scores
// at most that times its idf and query weight in the block; a conjunction,
// a disjunction (whose coord is at most 1) or a phrase at most the sum of
// its parts. Once the page is full, a block whose bound does not beat the
// page's last score is skipped (matches are visited in document order and
// an equal score never displaces an earlier document). A term without
// maxima is bounded by 1 (its frequency is at most the field's length, and
// the norm is 1/sqrt(length)).

// Blocks of 1 << blockBits document numbers; minBoundDocs is the fewest
// documents of a segment a text term needs for its block maxima to be
// kept; minSkipMatches the fewest matches in a segment for which the
// bitmap path looks at block maxima. (Variables: the tests make them small.)
var (
	blockBits      uint64 = 10
	minBoundDocs   uint64 = 1024
	minSkipMatches uint64 = 4096
)

// boundSlack widens every bound against rounding: a bound is computed with
// the same operations as the score, in the same order, so it is never
// below it; the slack is for safety, at no cost in skipping.
const boundSlack = 1 + 1e-9

// tfNorm is sqrt(freq) * norm as bleve's TermQueryScorer computes it.
func tfNorm(freq uint64, norm float64) float64 {
	var tf float64
	if freq < scorer.MaxSqrtCache {
		tf = scorer.SqrtCache[int(freq)]
	} else {
		tf = math.Sqrt(float64(freq))
	}
	return tf * norm
}

// textTerms lists the text field's terms of snap with at least
// minBoundDocs documents.
func textTerms(snap *scorch.IndexSnapshot) ([]string, error) {
	d, err := snap.FieldDict(fText)
	if err != nil {
		return nil, fmt.Errorf("indexer: text terms: %w", err)
	}
	defer d.Close()
	var out []string
	for {
		e, err := d.Next()
		if err != nil {
			return nil, fmt.Errorf("indexer: text terms: %w", err)
		}
		if e == nil {
			return out, nil
		}
		if e.Count >= minBoundDocs {
			out = append(out, e.Term)
		}
	}
}

// termBlocks is what a segment keeps of a frequent text term: its block
// maxima, and its postings' frequencies in a form the bitmap path reads
// without zap's iterator (which walks its bitmap one posting at a time and
// decodes or skips the frequency and norm of every posting before the one
// asked for): per block, the index of its first posting; per posting, its
// document number within the block's 65,536 (the low 16 bits) and its
// frequency. 3 bytes a posting.
type termBlocks struct {
	maxes []float64 // per block: the largest sqrt(freq) * norm
	start []uint32  // per block, and one past the last: its first posting
	low   []uint16  // per posting: document number & 0xffff
	freq  []uint8   // per posting: the frequency
}

// blockMaxima reads the block maxima and frequencies of the frequent text
// terms of seg, and each document's norm of the text field (the same for
// every term of a document: zap repeats it in every posting). A term with
// a frequency above 255 keeps its maxima only; norms is nil, and no term
// keeps frequencies, if a document's norm differed between two terms.
func blockMaxima(seg segment.Segment, terms []string) (map[string]*termBlocks, []float32, error) {
	dict, err := seg.Dictionary(fText)
	if err != nil {
		return nil, nil, fmt.Errorf("indexer: block maxima: %w", err)
	}
	out := map[string]*termBlocks{}
	norms := make([]float32, seg.Count())
	consistent := true
	var c cursor
	for _, t := range terms {
		pl, err := dict.PostingsList([]byte(t), nil, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("indexer: block maxima %s: %w", t, err)
		}
		if pl == nil || pl.Count() < minBoundDocs {
			continue
		}
		tb, ok, err := readTermBlocks(seg, pl, norms, &c)
		if err != nil {
			return nil, nil, fmt.Errorf("indexer: block maxima %s: %w", t, err)
		}
		consistent = consistent && ok
		out[t] = tb
	}
	if !consistent || blockBits > 16 {
		for _, tb := range out {
			tb.low, tb.freq = nil, nil
		}
		norms = nil
	}
	return out, norms, nil
}

// readTermBlocks reads the block maxima and frequencies of the postings pl
// of a term of seg, and sets in norms the norm of its documents that have
// none yet. consistent is false if a document's norm differs from the one
// norms has (then the term's frequencies are not kept, as above 255).
func readTermBlocks(seg segment.Segment, pl segment.PostingsList, norms []float32, c *cursor) (tb *termBlocks, consistent bool, err error) {
	blocks := int(seg.Count()>>blockBits) + 1
	tb = &termBlocks{maxes: make([]float64, blocks), start: make([]uint32, blocks+1)}
	tb.low, tb.freq = make([]uint16, 0, pl.Count()), make([]uint8, 0, pl.Count())
	consistent = true
	*c = cursor{it: pl.Iterator(true, true, false, nil), locs: c.locs}
	for {
		ok, err := c.next()
		if err != nil {
			return nil, false, err
		}
		if !ok {
			break
		}
		b := c.num >> blockBits
		if s := tfNorm(c.freq, c.norm); s > tb.maxes[b] {
			tb.maxes[b] = s
		}
		tb.start[b+1]++
		if tb.freq != nil {
			if c.freq > 255 {
				tb.low, tb.freq = nil, nil
			} else {
				tb.low, tb.freq = append(tb.low, uint16(c.num)), append(tb.freq, uint8(c.freq))
			}
		}
		n := float32(c.norm)
		if norms[c.num] == 0 {
			norms[c.num] = n
		} else if norms[c.num] != n || float64(n) != c.norm {
			consistent = false
		}
	}
	for b := 1; b <= blocks; b++ {
		tb.start[b] += tb.start[b-1]
	}
	return tb, consistent, nil
}

// pairBlocks returns the block maxima and frequencies of term of the pairs
// field in seg (whose columns c are), and the segment's norms of the pairs
// field, which hold those of every document of the term if it keeps
// frequencies; nil for a term in fewer than minBoundDocs documents of the
// segment. Unlike the text field's, they are read the first time a query
// uses the term (the pairs field has millions of terms, most of them rare,
// and a segment meets queries of only a few of them): under c.pairMu, so
// that concurrent queries read each once. A document's norm is written
// only while it has none, so a query reading the norms of a term read
// before never meets a write.
func (c *segColumns) pairBlocks(seg segment.Segment, term string) (*termBlocks, []float32, error) {
	c.pairMu.Lock()
	defer c.pairMu.Unlock()
	if tb, ok := c.pairTerms[term]; ok {
		return tb, c.pairNorms, nil
	}
	dict, err := seg.Dictionary(fPairs)
	if err != nil {
		return nil, nil, fmt.Errorf("indexer: block maxima: %w", err)
	}
	pl, err := dict.PostingsList([]byte(term), nil, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("indexer: block maxima %s: %w", term, err)
	}
	if c.pairTerms == nil {
		c.pairTerms = map[string]*termBlocks{}
	}
	if pl == nil || pl.Count() < minBoundDocs {
		c.pairTerms[term] = nil
		return nil, nil, nil
	}
	if c.pairNorms == nil {
		c.pairNorms = make([]float32, seg.Count())
	}
	var cur cursor
	tb, consistent, err := readTermBlocks(seg, pl, c.pairNorms, &cur)
	if err != nil {
		return nil, nil, fmt.Errorf("indexer: block maxima %s: %w", term, err)
	}
	if !consistent || blockBits > 16 {
		tb.low, tb.freq = nil, nil
	}
	c.pairTerms[term] = tb
	return tb, c.pairNorms, nil
}

// blockCursor reads a term's frequencies from its termBlocks, for
// documents asked in increasing order.
type blockCursor struct {
	tb    *termBlocks
	norms []float32
	block uint64 // the block of pos
	pos   int    // the first posting not before the last document asked
	doc   uint64 // the last document asked
	found bool   // whether the term has doc
}

// has moves to doc and reports whether the term has it.
func (c *blockCursor) has(doc uint64) bool {
	if doc == c.doc && c.pos >= 0 {
		return c.found
	}
	tb := c.tb
	if b := doc >> blockBits; b != c.block || c.pos < 0 {
		c.block, c.pos = b, int(tb.start[b])
	}
	end := int(tb.start[c.block+1])
	low := uint16(doc)
	pos := c.pos
	for pos < end && tb.low[pos] < low {
		pos++
	}
	c.pos, c.doc = pos, doc
	c.found = pos < end && tb.low[pos] == low
	return c.found
}

// bound is the most n can score in block b of the current segment.
func (n *tnode) bound(b uint64) float64 {
	switch n.kind {
	case tkTerm:
		m := 1 + 1e-6 // float32 norms may round 1/sqrt(length) up
		if n.blocks != nil {
			if b >= uint64(len(n.blocks.maxes)) {
				return 0
			}
			m = n.blocks.maxes[b]
		}
		s := m * n.idf
		if n.qweight != 1.0 {
			s = s * n.qweight
		}
		return s
	case tkAll:
		s := 1.0
		if n.qweight != 1.0 {
			s = s * n.qweight
		}
		return s
	case tkNone:
		return 0
	case tkNot:
		return n.kids[0].bound(b)
	}
	var sum float64
	for _, k := range n.sorted {
		sum += k.bound(b)
	}
	return sum
}
