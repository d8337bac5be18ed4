package lineage

import (
	"slices"

	"dialoguesearch/corpus"
)

// Linker aligns the records of one update (Align, Restore) and keeps what
// it prepared of each record for the next pair that needs it: a record is
// compared with its predecessor, then with its successor, and its dropped
// paragraphs with the next editions' new ones, so each paragraph is split
// into tokens once and its normalised words get ids once. Its answers are
// those of the package's Align and Restore. It is not safe for concurrent
// use.
type Linker struct {
	v    *vocab
	recs map[*corpus.Record]*prepRecord
	tick int
	// scratch
	keys         []Token
	mark         []uint32 // per vocabulary id: gen when seen in the paragraph at hand
	gen          uint32
	sc           scorer
	diff         differ
	counts       counts
	postA, postB postings
}

// maxPrepared bounds the records a Linker keeps prepared: the build links
// series in edition order, and a restore looks at most a few editions back.
const maxPrepared = 64

// NewLinker returns an empty Linker.
func NewLinker() *Linker {
	return &Linker{v: &vocab{ids: map[string]int32{}}, recs: map[*corpus.Record]*prepRecord{}}
}

// prepRecord is what a Linker keeps of a record: its paragraphs' tokens,
// and their comparison form for each set of names they were normalised
// with (the names of the records a pair or a restore compares).
type prepRecord struct {
	rec   *corpus.Record
	paras []prepPara
	// names are the record's own office holders' name words
	names []string
	used  int
}

// prepPara is a paragraph's tokens and its comparison forms. normalise
// looks a name up only for a capitalised word, so what a set of names does
// to a paragraph depends only on which of its capitalised words are names:
// most paragraphs have one form whatever the pair.
type prepPara struct {
	toks []Token
	ids  []int32  // the vocabulary ids of the tokens' keys before normalisation
	caps []string // the distinct keys of its capitalised words
	// forms: the paragraph normalised, by which of caps were names (a bit
	// each; paragraphs with more than 64 are not kept)
	forms []prepForm
}

type prepForm struct {
	mask uint64
	p    *para
}

func (l *Linker) record(r *corpus.Record) *prepRecord {
	l.tick++
	if pr := l.recs[r]; pr != nil {
		pr.used = l.tick
		return pr
	}
	if len(l.recs) >= maxPrepared {
		var oldest *corpus.Record
		for k, pr := range l.recs {
			if oldest == nil || pr.used < l.recs[oldest].used {
				oldest = k
			}
		}
		delete(l.recs, oldest)
	}
	pr := &prepRecord{rec: r, paras: make([]prepPara, len(r.Paragraphs)), used: l.tick}
	for i := range r.Paragraphs {
		ts := Tokens(r.Paragraphs[i].Text)
		pp := &pr.paras[i]
		pp.toks = ts
		pp.ids = make([]int32, len(ts))
		for k, t := range ts {
			if t.key != "" {
				pp.ids[k] = l.v.id(t.key, t.word)
			}
			// (beyond 64 the forms are not kept: no need to know them all)
			if t.word && len(pp.caps) <= 64 && startsUpper(t.Text) && !slices.Contains(pp.caps, t.key) {
				pp.caps = append(pp.caps, t.key)
			}
		}
	}
	nm := namesOf(r)
	pr.names = make([]string, 0, len(nm))
	for w := range nm {
		pr.names = append(pr.names, w)
	}
	slices.Sort(pr.names)
	l.recs[r] = pr
	return pr
}

// unionNames is the union of the records' name words.
func unionNames(prs ...*prepRecord) names {
	out := names{}
	for _, pr := range prs {
		for _, w := range pr.names {
			out[w] = true
		}
	}
	return out
}

// paras returns the record's paragraphs normalised with the name words nm.
func (l *Linker) paras(pr *prepRecord, nm names) []*para {
	out := make([]*para, len(pr.paras))
	for i := range pr.paras {
		out[i] = l.form(pr, i, nm)
	}
	return out
}

func (l *Linker) form(pr *prepRecord, i int, nm names) *para {
	pp := &pr.paras[i]
	n := pr.rec.Paragraphs[i].N
	if len(pp.caps) > 64 {
		return l.prepare(n, pp.toks, pp.ids, nm)
	}
	var mask uint64
	for k, w := range pp.caps {
		if nm[w] {
			mask |= 1 << k
		}
	}
	for _, f := range pp.forms {
		if f.mask == mask {
			return f.p
		}
	}
	p := l.prepare(n, pp.toks, pp.ids, nm)
	if len(pp.forms) == 4 {
		pp.forms = pp.forms[1:]
	}
	pp.forms = append(pp.forms, prepForm{mask: mask, p: p})
	return p
}

// Align links the paragraphs of rec to those of prev, its predecessor in
// the series. Its cost is bounded per paragraph (candidates by rare shared
// terms, at most candidatesPer compared, each diff at most maxEdits).
func (l *Linker) Align(prev, rec *corpus.Record, crossKind bool) Pair {
	pr := Pair{Old: prev.ID, New: rec.ID, CrossKind: crossKind, Links: []Link{}, Added: []int{}, Dropped: []int{}}
	a, b := l.record(prev), l.record(rec)
	nm := unionNames(a, b)
	olds := l.paras(a, nm)
	news := l.paras(b, nm)
	links, lo, ln := l.align(olds, news, false)
	pr.Links = links
	for _, p := range ln {
		pr.Added = append(pr.Added, p.n)
	}
	if !crossKind {
		for _, p := range lo {
			pr.Dropped = append(pr.Dropped, p.n)
		}
	}
	return pr
}

// Restore links the added paragraphs of rec (as Align reported them) to
// paragraphs dropped from earlier editions, one to one, when they are at
// least restoreSimilarity alike.
func (l *Linker) Restore(earlier []Earlier, rec *corpus.Record, added []int) []RestoredLink {
	if len(earlier) == 0 || len(added) == 0 {
		return nil
	}
	self := l.record(rec)
	prs := []*prepRecord{self}
	for _, e := range earlier {
		if !slices.ContainsFunc(prs, func(pr *prepRecord) bool { return pr.rec == e.Record }) {
			prs = append(prs, l.record(e.Record))
		}
	}
	nm := unionNames(prs...)
	// an earlier paragraph's n is its index in earlier: several records
	var olds []*para
	for i, e := range earlier {
		var pr *prepRecord
		for _, x := range prs {
			if x.rec == e.Record {
				pr = x
				break
			}
		}
		if k := e.Record.ParagraphIndex(e.N); k >= 0 {
			c := *l.form(pr, k, nm)
			c.n = i
			olds = append(olds, &c)
		}
	}
	isAdded := make(map[int]bool, len(added))
	for _, n := range added {
		isAdded[n] = true
	}
	var news []*para
	for i, p := range rec.Paragraphs {
		if isAdded[p.N] {
			news = append(news, l.form(self, i, nm))
		}
	}
	links, _, _ := l.align(olds, news, true)
	out := make([]RestoredLink, 0, len(links))
	for _, lk := range links {
		e := earlier[lk.From]
		lk.From, lk.Kind = e.N, Restored
		out = append(out, RestoredLink{Record: e.Record.ID, Link: lk})
	}
	return out
}

// para is a paragraph ready for comparison.
type para struct {
	n      int
	tokens []Token // as Tokens gives them (keys not normalised)
	seq    []int32 // indexes into tokens of the compared tokens
	ids    []int32 // their normalised keys as ids of the Linker's vocabulary
	wids   []int32 // the ids of the compared words, in order
	terms  []int32 // distinct content terms, for candidates
	hash   uint64  // of wids: equal words, equal hash
}

func (p *para) words() int { return len(p.wids) }

// same reports whether a and b have the same compared words (unchanged).
func (a *para) same(b *para) bool { return a.hash == b.hash && slices.Equal(a.wids, b.wids) }

// vocab gives keys ids shared by the paragraphs a Linker prepares.
type vocab struct {
	ids  map[string]int32
	word []bool
	stop []bool // a stop word or too short to suggest a pairing
}

func (v *vocab) id(key string, word bool) int32 {
	if id, ok := v.ids[key]; ok {
		return id
	}
	id := int32(len(v.word))
	v.ids[key] = id
	v.word = append(v.word, word)
	v.stop = append(v.stop, !word || stop[key] || len(key) <= 2 || key[0] == '#')
	return id
}

// maxCompared bounds the tokens of one paragraph that take part in
// candidates and alignment; an enormous paragraph is compared by its start.
const maxCompared = 20000

// prepare normalises the tokens ts of paragraph n with the names nm;
// ids, when given, are the ids of the tokens' keys before normalisation.
func (l *Linker) prepare(n int, ts []Token, ids []int32, nm names) *para {
	keys := append(l.keys[:0], ts...)
	l.keys = keys
	normalise(keys, nm)
	p := &para{n: n, tokens: ts}
	c := min(len(ts), maxCompared)
	buf := make([]int32, 3*c)
	p.seq, p.ids, p.wids = buf[0:0:c], buf[c:c:2*c], buf[2*c:2*c:3*c]
	const offset, prime = 14695981039346656037, 1099511628211
	p.hash = offset
	v := l.v
	l.gen++
	for i, t := range keys {
		if t.key == "" {
			continue
		}
		if len(p.seq) == maxCompared {
			break
		}
		var id int32
		if ids != nil && t.key == ts[i].key {
			id = ids[i]
		} else {
			id = v.id(t.key, t.word)
		}
		p.seq = append(p.seq, int32(i))
		p.ids = append(p.ids, id)
		if t.word {
			p.wids = append(p.wids, id)
			p.hash = (p.hash ^ uint64(id)) * prime
			if int(id) >= len(l.mark) {
				l.mark = append(l.mark, make([]uint32, int(id)+1-len(l.mark))...)
			}
			if !v.stop[id] && l.mark[id] != l.gen {
				l.mark[id] = l.gen
				p.terms = append(p.terms, id)
			}
		}
	}
	return p
}
