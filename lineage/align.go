package lineage

import (
	"cmp"
	"slices"

	"dialoguesearch/corpus"
)

// Kind is how a paragraph came from its counterpart in an earlier edition.
type Kind string

// Link kinds. A paragraph with no link from the previous edition is new; a
// paragraph with no link to the next edition was dropped.
const (
	Unchanged Kind = "unchanged" // the same words, after normalisation
	Reworded  Kind = "reworded"  // the same clause, other words
	Split     Kind = "split"     // one paragraph became several
	Merged    Kind = "merged"    // several paragraphs became one
	Restored  Kind = "restored"  // dropped at an earlier edition, back now
)

// Statuses of a paragraph that no link explains.
const (
	New     = "new"
	Dropped = "dropped"
)

// Thresholds of the alignment (docs/lineage.md says how they were chosen).
const (
	// minSimilarity is the least share of words two paragraphs have in
	// common (2*matched / (words of both)) to be the same clause.
	minSimilarity = 0.45
	// minContainment is the least share of a part of a split or merge (or
	// of a paragraph that grew or shrank a lot) found in the whole.
	minContainment = 0.6
	// minPartWords is the least number of words a part shares with the
	// whole: a short boilerplate sentence is no split.
	minPartWords = 5
	// candidatesPer bounds the paragraphs compared with any one paragraph.
	candidatesPer = 6
	// maxPostings: a term in more paragraphs than this suggests no pairing.
	maxPostings = 48
	// restoreSimilarity is the least similarity for a paragraph to be one
	// dropped earlier and restored (higher: it skips editions).
	restoreSimilarity = 0.6
)

// Link says that paragraph To of the newer record continues paragraph From
// of the older one.
type Link struct {
	From int  `json:"from"` // paragraph N in the older record
	To   int  `json:"to"`   // paragraph N in the newer record
	Kind Kind `json:"kind"`
	// Similarity is 2*matched words / (words of both) for unchanged and
	// reworded links; for split and merged links, the share of the part's
	// words found in the whole.
	Similarity float64 `json:"similarity"`
	// Script is the word diff from From's text to To's (Render shows it).
	Script Script `json:"script"`
}

// Pair is the alignment of a record with its predecessor in the series.
type Pair struct {
	Old string `json:"old"` // record ids
	New string `json:"new"`
	// CrossKind: the predecessor is of another kind (no earlier record of
	// this kind); its unmatched paragraphs are not reported as dropped.
	CrossKind bool   `json:"cross_kind,omitempty"`
	Links     []Link `json:"links"`
	// Added are the newer record's paragraphs with no counterpart.
	Added []int `json:"added"`
	// Dropped are the older record's paragraphs with no counterpart (none
	// when CrossKind).
	Dropped []int `json:"dropped"`
}

// Align links the paragraphs of rec to those of prev, its predecessor in
// the series. Its cost is bounded per paragraph (candidates by rare shared
// terms, at most candidatesPer compared, each diff at most maxEdits).
// Linking many records, a Linker does the same with less work.
func Align(prev, rec *corpus.Record, crossKind bool) Pair {
	return NewLinker().Align(prev, rec, crossKind)
}

// metric is the comparison of one old and one new paragraph.
type metric struct {
	a, b  int // indexes in olds, news
	eq    int // matched words
	sim   float64
	contA float64 // share of a's words found in b
	contB float64 // share of b's words found in a
	pairs [][2]int32
}

// align links news to olds. onlyOneToOne: no splits or merges (restores).
// It returns the links and the paragraphs left unlinked on each side.
func (l *Linker) align(olds, news []*para, onlyOneToOne bool) (links []Link, leftOld, leftNew []*para) {
	usedA := make([]bool, len(olds))
	usedB := make([]bool, len(news))
	link := func(m *metric, k Kind, sim float64) {
		links = append(links, Link{From: olds[m.a].n, To: news[m.b].n, Kind: k, Similarity: round3(sim), Script: script(olds[m.a], news[m.b], m.pairs)})
	}

	// 1. the same words: unchanged (the common case, and cheap)
	byHash := map[uint64][]int{}
	for i, a := range olds {
		if a.words() > 0 {
			byHash[a.hash] = append(byHash[a.hash], i)
		}
	}
	for j, b := range news {
		if b.words() == 0 {
			continue
		}
		if is := byHash[b.hash]; len(is) > 0 {
			// the first old one with the same words (a hash may collide)
			k := slices.IndexFunc(is, func(i int) bool { return olds[i].same(b) })
			if k < 0 {
				continue
			}
			i := is[k]
			byHash[b.hash] = slices.Delete(is, k, k+1)
			m := l.compare(olds, news, i, j, onlyOneToOne)
			if m == nil { // too long to diff: linked without a script
				m = &metric{a: i, b: j, sim: 1}
			}
			usedA[i], usedB[j] = true, true
			link(m, Unchanged, 1)
		}
	}

	// 2. candidates among the rest, compared word by word
	ms := l.candidates(olds, news, usedA, usedB, onlyOneToOne)
	l.counts.unload()
	if !onlyOneToOne {
		splitsAndMerges(olds, news, ms, usedA, usedB, link)
	}

	// 3. one to one, most similar first
	slices.SortStableFunc(ms, func(x, y *metric) int { return cmp.Compare(y.sim, x.sim) })
	minSim := minSimilarity
	if onlyOneToOne {
		minSim = restoreSimilarity
	}
	for _, m := range ms {
		if usedA[m.a] || usedB[m.b] {
			continue
		}
		grewOrShrank := !onlyOneToOne && m.eq >= 2*minPartWords && max(m.contA, m.contB) >= 0.8
		if m.sim < minSim && !grewOrShrank {
			continue
		}
		usedA[m.a], usedB[m.b] = true, true
		k := Reworded
		if olds[m.a].same(news[m.b]) {
			k = Unchanged
		}
		link(m, k, m.sim)
	}
	for i, a := range olds {
		if !usedA[i] {
			leftOld = append(leftOld, a)
		}
	}
	for j, b := range news {
		if !usedB[j] {
			leftNew = append(leftNew, b)
		}
	}
	slices.SortFunc(links, func(x, y Link) int {
		return cmp.Or(cmp.Compare(x.To, y.To), cmp.Compare(x.From, y.From))
	})
	return links, leftOld, leftNew
}

// candidates pairs each unlinked paragraph with the unlinked paragraphs of
// the other side that share the most rare terms with it (at most
// candidatesPer each way), and compares the pairs word by word. Pairs that
// cannot reach the thresholds are left out.
func (l *Linker) candidates(olds, news []*para, usedA, usedB []bool, onlyOneToOne bool) []*metric {
	postA, postB := &l.postA, &l.postB
	postA.build(olds, usedA, len(l.v.word))
	postB.build(news, usedB, len(l.v.word))
	defer postA.reset()
	defer postB.reset()
	var out []*metric
	try := func(i, j int) {
		if m := l.compare(olds, news, i, j, onlyOneToOne); m != nil && m.eq > 0 {
			out = append(out, m)
		}
	}
	// the old paragraphs each new one was compared with, not to compare
	// them twice
	topOf := make([][candidatesPer]int32, len(news))
	nTop := make([]uint8, len(news))
	var best [candidatesPer]int
	for j, b := range news {
		if !usedB[j] {
			k := l.sc.top(b, postA, postB, len(olds), &best)
			for r, i := range best[:k] {
				topOf[j][r] = int32(i)
				try(i, j)
			}
			nTop[j] = uint8(k)
		}
	}
	for i, a := range olds {
		if !usedA[i] {
			k := l.sc.top(a, postB, postA, len(news), &best)
			if k > 0 {
				l.counts.load(a, len(l.v.word))
			}
			for _, j := range best[:k] {
				if !slices.Contains(topOf[j][:nTop[j]], int32(i)) {
					try(i, j)
				}
			}
		}
	}
	return out
}

// postings lists, for the paragraphs of one side, the paragraphs holding
// each term (term ids are the Linker's vocabulary, so a slice indexed by
// id finds them, cleared after use).
type postings struct {
	slot  []int32   // term id -> 1 + its index in lists, 0 for none
	terms []int32   // the terms with a list
	lists [][]int32 // paragraph indexes, per term
}

func (p *postings) build(ps []*para, used []bool, vocabSize int) {
	if len(p.slot) < vocabSize {
		p.slot = make([]int32, vocabSize+vocabSize/4)
	}
	for i, q := range ps {
		if used[i] {
			continue
		}
		for _, t := range q.terms {
			s := p.slot[t]
			if s == 0 {
				p.terms = append(p.terms, t)
				if len(p.lists) < len(p.terms) {
					p.lists = append(p.lists, nil)
				}
				s = int32(len(p.terms))
				p.slot[t] = s
				p.lists[s-1] = p.lists[s-1][:0]
			}
			p.lists[s-1] = append(p.lists[s-1], int32(i))
		}
	}
}

func (p *postings) get(t int32) []int32 {
	if s := p.slot[t]; s > 0 {
		return p.lists[s-1]
	}
	return nil
}

func (p *postings) reset() {
	for _, t := range p.terms {
		p.slot[t] = 0
	}
	p.terms = p.terms[:0]
}

// scorer ranks the paragraphs of one side for a paragraph of the other.
type scorer struct {
	score   []float64
	touched []int32
}

// top puts into best the paragraphs of the other side (postings other, n
// of them) that share the most rare terms with p, weighting a term by its
// rarity on both sides, and returns how many it put. A term in more than
// maxPostings paragraphs, or in more than a tenth of a long record's,
// suggests no pairing.
func (sc *scorer) top(p *para, other, same *postings, n int, best *[candidatesPer]int) int {
	if len(sc.score) < n {
		sc.score = make([]float64, n)
	}
	limit := max(8, min(maxPostings, n/10))
	for _, t := range p.terms {
		l := other.get(t)
		if len(l) == 0 || len(l) > limit {
			continue
		}
		w := 1 / float64(len(l)+len(same.get(t)))
		for _, i := range l {
			if sc.score[i] == 0 {
				sc.touched = append(sc.touched, i)
			}
			sc.score[i] += w
		}
	}
	// the best candidatesPer, by score then position
	k := 0
	better := func(x, y int) bool {
		return sc.score[x] > sc.score[y] || sc.score[x] == sc.score[y] && x < y
	}
	for _, i32 := range sc.touched {
		i := int(i32)
		if k < candidatesPer {
			best[k] = i
			k++
		} else if better(i, best[k-1]) {
			best[k-1] = i
		} else {
			continue
		}
		for j := k - 1; j > 0 && better(best[j], best[j-1]); j-- {
			best[j], best[j-1] = best[j-1], best[j]
		}
	}
	for _, i := range sc.touched {
		sc.score[i] = 0
	}
	sc.touched = sc.touched[:0]
	return k
}

// counts holds one paragraph's words as counts per vocabulary id, so
// that the words another paragraph shares with it are counted in one pass
// over the other's (candidates compare one paragraph with several).
type counts struct {
	n      []int32
	loaded *para
	undo   []int32
}

func (c *counts) load(p *para, vocabSize int) {
	if c.loaded == p {
		return
	}
	c.unload()
	if len(c.n) < vocabSize {
		c.n = make([]int32, vocabSize+vocabSize/4)
	}
	for _, id := range p.wids {
		c.n[id]++
	}
	c.loaded = p
}

func (c *counts) unload() {
	if c.loaded != nil {
		for _, id := range c.loaded.wids {
			c.n[id] = 0
		}
		c.loaded = nil
	}
}

// commonAtLeast counts the words (a multiset) p shares with the loaded
// paragraph, or returns less than least once it cannot reach it.
func (c *counts) commonAtLeast(p *para, least int) int {
	n := 0
	for k, id := range p.wids {
		if c.n[id] > 0 {
			c.n[id]--
			c.undo = append(c.undo, id)
			n++
		} else if n+len(p.wids)-k-1 < least {
			break
		}
	}
	for _, id := range c.undo {
		c.n[id]++
	}
	c.undo = c.undo[:0]
	return n
}

// compare diffs olds[i] and news[j], or returns nil when they cannot be
// linked by any rule (too few words in common, or too far apart to diff).
func (l *Linker) compare(olds, news []*para, i, j int, restore bool) *metric {
	a, b := olds[i], news[j]
	aw, bw := a.words(), b.words()
	if aw == 0 || bw == 0 {
		return nil
	}
	// the least number of matched words any rule accepts
	minEq := min(ceil(minSimilarity*float64(aw+bw)/2), ceil(minContainment*float64(min(aw, bw))))
	if restore {
		// a restore is one to one, at restoreSimilarity
		minEq = ceil(restoreSimilarity * float64(aw+bw) / 2)
	}
	minEq = max(minEq, 1)
	if !a.same(b) {
		// words in common, in any order: at least the matched ones
		cnt, other := &l.counts, a
		if cnt.loaded == a {
			other = b
		} else {
			cnt.load(b, len(l.v.word))
		}
		if cnt.commonAtLeast(other, minEq) < minEq {
			return nil
		}
	}
	maxD := min(maxEdits, len(a.ids)+len(b.ids)-2*minEq)
	pairs, ok := l.diff.lcs(a.ids, b.ids, max(maxD, 0))
	if !ok {
		return nil
	}
	eq := 0
	for _, p := range pairs {
		if l.v.word[a.ids[p[0]]] {
			eq++
		}
	}
	return &metric{
		a: i, b: j, eq: eq, pairs: pairs,
		sim:   2 * float64(eq) / float64(aw+bw),
		contA: float64(eq) / float64(aw),
		contB: float64(eq) / float64(bw),
	}
}

// splitsAndMerges links an old paragraph to two or more new ones that
// each come mostly from it and together cover most of it (split), and the
// other way round (merged).
func splitsAndMerges(olds, news []*para, ms []*metric, usedA, usedB []bool, link func(*metric, Kind, float64)) {
	// the best whole for each part: a part belongs to one split or merge
	bestOld := map[int]*metric{} // new j -> the old paragraph containing most of it
	bestNew := map[int]*metric{} // old i -> the new paragraph containing most of it
	for _, m := range ms {
		if m.eq < minPartWords {
			continue
		}
		if c := bestOld[m.b]; c == nil || m.contB > c.contB {
			bestOld[m.b] = m
		}
		if c := bestNew[m.a]; c == nil || m.contA > c.contA {
			bestNew[m.a] = m
		}
	}
	group := func(whole int, parts []*metric, wholeWords int, part func(*metric) int, cont func(*metric) float64, used, partUsed []bool, k Kind) {
		var ok []*metric
		covered := 0
		for _, m := range parts {
			if !partUsed[part(m)] && cont(m) >= minContainment {
				ok = append(ok, m)
				covered += m.eq
			}
		}
		if len(ok) < 2 || float64(covered) < 0.5*float64(wholeWords) {
			return
		}
		used[whole] = true
		for _, m := range ok {
			partUsed[part(m)] = true
			link(m, k, cont(m))
		}
	}
	splits := map[int][]*metric{}
	for _, m := range bestOld {
		splits[m.a] = append(splits[m.a], m)
	}
	for _, i := range sortedKeys(splits) {
		if !usedA[i] {
			parts := splits[i]
			slices.SortFunc(parts, func(x, y *metric) int { return cmp.Compare(x.b, y.b) })
			group(i, parts, olds[i].words(), func(m *metric) int { return m.b }, func(m *metric) float64 { return m.contB }, usedA, usedB, Split)
		}
	}
	merges := map[int][]*metric{}
	for _, m := range bestNew {
		merges[m.b] = append(merges[m.b], m)
	}
	for _, j := range sortedKeys(merges) {
		if !usedB[j] {
			parts := merges[j]
			slices.SortFunc(parts, func(x, y *metric) int { return cmp.Compare(x.a, y.a) })
			group(j, parts, news[j].words(), func(m *metric) int { return m.a }, func(m *metric) float64 { return m.contA }, usedB, usedA, Merged)
		}
	}
}

func sortedKeys(m map[int][]*metric) []int {
	ks := make([]int, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func ceil(f float64) int {
	i := int(f)
	if float64(i) < f {
		i++
	}
	return i
}

func round3(f float64) float64 {
	return float64(int(f*1000+0.5)) / 1000
}

// Earlier is a paragraph dropped at an earlier edition that may come back.
type Earlier struct {
	Record *corpus.Record
	N      int
}

// RestoredLink links a paragraph back to one dropped at an earlier edition.
type RestoredLink struct {
	Record string `json:"record"` // the record the paragraph was dropped from
	Link
}

// Restore links the added paragraphs of rec (as Align reported them) to
// paragraphs dropped from earlier editions, one to one, when they are at
// least restoreSimilarity alike.
func Restore(earlier []Earlier, rec *corpus.Record, added []int) []RestoredLink {
	return NewLinker().Restore(earlier, rec, added)
}
