package indexer

import (
	"fmt"
	"sort"
	"strings"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
	"dialoguesearch/lineage"
)

// EditionRecord names a record of a series.
type EditionRecord struct {
	ID      string         `json:"id"`
	Title   string         `json:"title"`
	Kind    string         `json:"kind"`
	Date    corpus.Date    `json:"date"`
	Meeting corpus.Meeting `json:"meeting"`
}

// History is a record's place in its series and, for each paragraph, how
// it came from the previous edition (for the record page's markers).
type History struct {
	Record string `json:"record"`
	Series string `json:"series,omitempty"`
	// Prev and Next are the records compared with (Prev) and comparing
	// with this one (Next); nil when none.
	Prev      *EditionRecord `json:"prev"`
	Next      *EditionRecord `json:"next"`
	CrossKind bool           `json:"cross_kind,omitempty"`
	// Status of paragraph N: new, unchanged, reworded, split, merged or
	// restored since the previous edition; empty without a previous one.
	Status map[int]string `json:"status"`
	// Dropped: paragraphs with no counterpart in the next edition.
	Dropped []int  `json:"dropped"`
	Note    string `json:"note,omitempty"`
}

// Lineage is the history of the clause a paragraph belongs to: every
// edition's wording in order, with the links between them.
type Lineage struct {
	// ID is the clause's stable id: the id of its earliest paragraph.
	ID        string           `json:"id"`
	Paragraph string           `json:"paragraph"`
	Series    string           `json:"series"`
	Summary   string           `json:"summary"`
	Editions  []LineageEdition `json:"editions"`
	Links     []LineageLink    `json:"links"`
}

// LineageEdition is one record of a clause's history.
type LineageEdition struct {
	Record     EditionRecord      `json:"record"`
	Edition    int                `json:"edition"`
	Paragraphs []LineageParagraph `json:"paragraphs"`
}

// LineageParagraph is one paragraph of a clause's history.
type LineageParagraph struct {
	ID   string `json:"id"`
	N    int    `json:"n"`
	Text string `json:"text"`
	// Status since the previous edition (new, unchanged, reworded, split,
	// merged, restored); "" in the first edition of the series.
	Status string `json:"status"`
	// DroppedAfter: the next edition has no counterpart.
	DroppedAfter bool `json:"dropped_after"`
}

// LineageLink links two paragraphs of a clause, with the word diff.
type LineageLink struct {
	From       string          `json:"from"`
	To         string          `json:"to"`
	Kind       lineage.Kind    `json:"kind"`
	Similarity float64         `json:"similarity"`
	Diff       []lineage.Piece `json:"diff"`
}

// maxLineageParagraphs bounds a lineage answer.
const maxLineageParagraphs = 200

func (x *Index) editionRecord(id string) *EditionRecord {
	e, ok := x.manifest[id]
	if !ok {
		return nil
	}
	s := e.Summary
	return &EditionRecord{ID: s.ID, Title: s.Title, Kind: s.Kind, Date: s.Date, Meeting: s.Meeting}
}

// History returns the record's place in its series and its paragraphs'
// statuses, as stored when the record was indexed.
func (x *Index) History(id string) (*History, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if _, err := x.live(); err != nil {
		return nil, err
	}
	if _, ok := x.manifest[id]; !ok {
		return nil, failure.New(failure.NotFound, "no record %q", id)
	}
	h := &History{Record: id, Status: map[int]string{}, Dropped: []int{}}
	l, err := x.store.lineageOf(id)
	if err != nil || l == nil {
		return h, err
	}
	h.Series, h.CrossKind, h.Note = l.Place.Series, l.Place.CrossKind, l.Place.Note
	if l.Place.Prev != "" {
		h.Prev = x.editionRecord(l.Place.Prev)
	}
	if l.Place.Next != "" {
		h.Next = x.editionRecord(l.Place.Next)
		if nl, err := x.store.lineageOf(l.Place.Next); err != nil {
			return nil, err
		} else if nl != nil && nl.Pair != nil && nl.Pair.Old == id {
			h.Dropped = append(h.Dropped, nl.Pair.Dropped...)
		}
	}
	for n, s := range statuses(l) {
		h.Status[n] = s
	}
	return h, nil
}

// statuses returns each paragraph's status against the previous edition.
func statuses(l *storedLineage) map[int]string {
	out := map[int]string{}
	if l == nil || l.Pair == nil {
		return out
	}
	for _, n := range l.Pair.Added {
		out[n] = lineage.New
	}
	for _, k := range l.Pair.Links {
		if s, ok := out[k.To]; !ok || s == string(lineage.Unchanged) {
			out[k.To] = string(k.Kind)
		}
	}
	for _, r := range l.Restored {
		out[r.To] = string(lineage.Restored)
	}
	return out
}

// graph reads stored links for lineage.Walk; callers hold x.mu.RLock.
type graph struct {
	x     *Index
	cache map[string]*storedLineage
}

func (g *graph) get(id string) (*storedLineage, error) {
	if l, ok := g.cache[id]; ok {
		return l, nil
	}
	l, err := g.x.store.lineageOf(id)
	if err != nil {
		return nil, err
	}
	g.cache[id] = l
	return l, nil
}

// edges returns the links stored with record id (into its paragraphs).
func (g *graph) edges(id string) ([]lineage.Edge, error) {
	l, err := g.get(id)
	if err != nil || l == nil {
		return nil, err
	}
	var out []lineage.Edge
	if l.Pair != nil {
		for _, k := range l.Pair.Links {
			out = append(out, lineage.Edge{From: lineage.Ref{Record: l.Pair.Old, N: k.From}, To: lineage.Ref{Record: id, N: k.To}, Kind: k.Kind, Similarity: k.Similarity, Script: k.Script})
		}
	}
	for _, r := range l.Restored {
		out = append(out, lineage.Edge{From: lineage.Ref{Record: r.Record, N: r.From}, To: lineage.Ref{Record: id, N: r.To}, Kind: r.Kind, Similarity: r.Similarity, Script: r.Script})
	}
	return out, nil
}

func (g *graph) Incoming(r lineage.Ref) ([]lineage.Edge, error) {
	all, err := g.edges(r.Record)
	var out []lineage.Edge
	for _, e := range all {
		if e.To == r {
			out = append(out, e)
		}
	}
	return out, err
}

func (g *graph) Outgoing(r lineage.Ref) ([]lineage.Edge, error) {
	keys, err := g.x.store.kvPrefix(lineageFromBucket, r.Record+"\x00")
	if err != nil {
		return nil, err
	}
	var out []lineage.Edge
	for _, k := range keys {
		_, to, _ := strings.Cut(k, "\x00")
		all, err := g.edges(to)
		if err != nil {
			return nil, err
		}
		for _, e := range all {
			if e.From == r {
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// Lineage returns the history of the clause paragraph id belongs to, from
// the stored links (nothing is recomputed).
func (x *Index) Lineage(id string) (*Lineage, error) {
	rec, n, ok := splitParagraphID(id)
	x.mu.RLock()
	defer x.mu.RUnlock()
	if _, err := x.live(); err != nil {
		return nil, err
	}
	if !ok {
		return nil, failure.New(failure.NotFound, "no paragraph %q", id)
	}
	if e, has := x.manifest[rec]; !has || n > e.Texts {
		return nil, failure.New(failure.NotFound, "no paragraph %q", id)
	}
	g := &graph{x: x, cache: map[string]*storedLineage{}}
	nodes, edges, err := lineage.Walk(g, lineage.Ref{Record: rec, N: n}, maxLineageParagraphs)
	if err != nil {
		return nil, fmt.Errorf("indexer: lineage of %s: %w", id, err)
	}
	ids := make([]string, len(nodes))
	for i, r := range nodes {
		ids[i] = corpus.ParagraphID(r.Record, r.N)
	}
	texts, err := x.paragraphTexts(ids)
	if err != nil {
		return nil, err
	}
	if _, ok := texts[id]; !ok {
		return nil, failure.New(failure.NotFound, "no paragraph %q", id)
	}
	out := &Lineage{Paragraph: id, Editions: []LineageEdition{}, Links: []LineageLink{}}
	byRec := map[string]*LineageEdition{}
	var recs []string
	for _, r := range nodes {
		text, ok := texts[corpus.ParagraphID(r.Record, r.N)]
		if !ok {
			continue // a record removed since: the walk stops there
		}
		ed := byRec[r.Record]
		if ed == nil {
			er := x.editionRecord(r.Record)
			if er == nil {
				continue
			}
			ed = &LineageEdition{Record: *er, Edition: -1}
			l, err := g.get(r.Record)
			if err != nil {
				return nil, err
			}
			if l != nil {
				ed.Edition = l.Place.Edition
				out.Series = l.Place.Series
			}
			byRec[r.Record] = ed
			recs = append(recs, r.Record)
		}
		p := LineageParagraph{ID: corpus.ParagraphID(r.Record, r.N), N: r.N, Text: text}
		l, _ := g.get(r.Record)
		p.Status = statuses(l)[r.N]
		if l != nil && l.Place.Next != "" {
			if nl, err := g.get(l.Place.Next); err == nil && nl != nil && nl.Pair != nil && nl.Pair.Old == r.Record {
				for _, d := range nl.Pair.Dropped {
					if d == r.N {
						p.DroppedAfter = true
					}
				}
			}
		}
		ed.Paragraphs = append(ed.Paragraphs, p)
	}
	sort.Slice(recs, func(i, j int) bool {
		a, b := byRec[recs[i]], byRec[recs[j]]
		if a.Edition != b.Edition {
			return a.Edition < b.Edition
		}
		return a.Record.ID < b.Record.ID
	})
	for _, r := range recs {
		ed := byRec[r]
		sort.Slice(ed.Paragraphs, func(i, j int) bool { return ed.Paragraphs[i].N < ed.Paragraphs[j].N })
		out.Editions = append(out.Editions, *ed)
	}
	if len(out.Editions) > 0 && len(out.Editions[0].Paragraphs) > 0 {
		out.ID = out.Editions[0].Paragraphs[0].ID
	}
	for _, e := range edges {
		from, to := corpus.ParagraphID(e.From.Record, e.From.N), corpus.ParagraphID(e.To.Record, e.To.N)
		ft, ok1 := texts[from]
		tt, ok2 := texts[to]
		if !ok1 || !ok2 {
			continue
		}
		out.Links = append(out.Links, LineageLink{From: from, To: to, Kind: e.Kind, Similarity: e.Similarity, Diff: lineage.Render(ft, tt, e.Script)})
	}
	sort.Slice(out.Links, func(i, j int) bool {
		a, b := out.Links[i], out.Links[j]
		if ea, eb := byRec[recOf(a.To)], byRec[recOf(b.To)]; ea != nil && eb != nil && ea.Edition != eb.Edition {
			return ea.Edition < eb.Edition
		}
		if a.To != b.To {
			return a.To < b.To
		}
		return a.From < b.From
	})
	out.Summary = summarizeLineage(out)
	return out, nil
}

func recOf(pid string) string {
	r, _, _ := splitParagraphID(pid)
	return r
}

// summarizeLineage says the clause's history in one line: "first
// appeared in the 55th SCM; reworded in the 56th SCM; dropped after the
// 57th SCM".
func summarizeLineage(l *Lineage) string {
	if len(l.Editions) == 0 {
		return ""
	}
	name := func(e LineageEdition) string {
		n := e.Record.Meeting.Name
		if n == "" {
			n = e.Record.Title
		}
		if e.Record.Kind != "" {
			n += " (" + e.Record.Kind + ")"
		}
		return n
	}
	var parts []string
	first := l.Editions[0]
	if l.Series == "" {
		return "Not part of a meeting series: no earlier or later editions"
	}
	if first.Paragraphs[0].Status == "" {
		parts = append(parts, "in "+name(first)+", the first edition on record")
	} else {
		parts = append(parts, "first appeared in "+name(first))
	}
	for i, e := range l.Editions {
		kinds := map[string]bool{}
		for _, p := range e.Paragraphs {
			if i > 0 && p.Status != "" && p.Status != string(lineage.Unchanged) {
				kinds[p.Status] = true
			}
		}
		for _, k := range []string{string(lineage.Reworded), string(lineage.Split), string(lineage.Merged), string(lineage.Restored)} {
			if kinds[k] {
				parts = append(parts, k+" in "+name(e))
			}
		}
		if i > 0 && len(kinds) == 0 {
			parts = append(parts, "unchanged in "+name(e))
		}
		dropped := len(e.Paragraphs) > 0
		for _, p := range e.Paragraphs {
			dropped = dropped && p.DroppedAfter
		}
		if dropped {
			parts = append(parts, "dropped after "+name(e))
		}
	}
	s := strings.Join(parts, "; ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// paragraphTexts reads the texts of paragraph ids from the record store,
// each record's once; callers hold x.mu.RLock. Missing paragraphs (of a
// record removed since) are left out.
func (x *Index) paragraphTexts(ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	recs := map[string]*corpus.Record{}
	for _, id := range ids {
		rid, n, ok := splitParagraphID(id)
		if !ok {
			continue
		}
		r, seen := recs[rid]
		if !seen {
			if _, has := x.manifest[rid]; has {
				var err error
				if r, err = x.texts(rid); err != nil {
					return nil, err
				}
			}
			recs[rid] = r
		}
		if r == nil {
			continue
		}
		if i := r.ParagraphIndex(n); i >= 0 {
			out[id] = r.Paragraphs[i].Text
		}
	}
	return out, nil
}

// Comparison is two records aligned paragraph by paragraph.
type Comparison struct {
	A EditionRecord `json:"a"` // the older record
	B EditionRecord `json:"b"` // the newer
	// Stored: the links are the ones stored at index time (b is a's next
	// edition); otherwise they were computed for this answer.
	Stored bool `json:"stored"`
	// Swapped: a was the newer record; the answer puts the older first.
	Swapped   bool           `json:"swapped,omitempty"`
	CrossKind bool           `json:"cross_kind,omitempty"`
	Rows      []CompareRow   `json:"rows"`
	Dropped   []CompareSide  `json:"dropped"`
	Added     []CompareSide  `json:"added"`
	Counts    map[string]int `json:"counts"`
}

// CompareSide is one paragraph of a compared record.
type CompareSide struct {
	ID   string `json:"id"`
	N    int    `json:"n"`
	Text string `json:"text"`
}

// CompareRow is one row of a comparison: a link (both sides), a dropped
// paragraph (A only) or a new one (B only), in reading order. Diff is the
// word diff of a changed pair; empty for unchanged, dropped and new rows,
// whose texts say it all.
type CompareRow struct {
	A          *CompareSide    `json:"a"`
	B          *CompareSide    `json:"b"`
	Kind       string          `json:"kind"`
	Similarity float64         `json:"similarity"`
	Diff       []lineage.Piece `json:"diff"`
}

// Compare aligns records a and b. When one is the other's stored
// predecessor the stored links are used; two other records (of any
// series) are aligned for the answer.
func (x *Index) Compare(a, b string) (*Comparison, error) {
	x.mu.RLock()
	var pair *lineage.Pair
	var restored []lineage.RestoredLink
	swapped, stored := false, false
	if _, err := x.live(); err != nil {
		x.mu.RUnlock()
		return nil, err
	}
	for _, id := range []string{a, b} {
		if _, ok := x.manifest[id]; !ok {
			x.mu.RUnlock()
			return nil, failure.New(failure.NotFound, "no record %q", id)
		}
	}
	lb, err := x.store.lineageOf(b)
	if err == nil && lb != nil && lb.Pair != nil && lb.Pair.Old == a {
		pair, restored, stored = lb.Pair, lb.Restored, true
	} else if la, err2 := x.store.lineageOf(a); err2 == nil && la != nil && la.Pair != nil && la.Pair.Old == b {
		pair, restored, stored, swapped = la.Pair, la.Restored, true, true
		a, b = b, a
	}
	ea, eb := x.editionRecord(a), x.editionRecord(b)
	if err != nil {
		x.mu.RUnlock()
		return nil, err
	}
	if pair != nil {
		// the stored links and the records' stored texts are all it needs
		defer x.mu.RUnlock()
		ra, err := x.texts(a)
		if err != nil {
			return nil, err
		}
		rb, err := x.texts(b)
		if err != nil {
			return nil, err
		}
		return compareRows(ra, rb, *ea, *eb, pair, restored, stored, swapped), nil
	}
	x.mu.RUnlock()
	ra, err := x.Record(a)
	if err != nil {
		return nil, err
	}
	rb, err := x.Record(b)
	if err != nil {
		return nil, err
	}
	// not neighbours: the older first when the order is known
	if older(rb, ra) {
		ra, rb, ea, eb, swapped = rb, ra, eb, ea, true
	}
	p := lineage.Align(ra, rb, ra.Kind != rb.Kind)
	return compareRows(ra, rb, *ea, *eb, &p, nil, false, swapped), nil
}

// older reports whether a is an earlier edition than b.
func older(a, b *corpus.Record) bool {
	if a.Meeting.Series == b.Meeting.Series && a.Meeting.Number > 0 && b.Meeting.Number > 0 {
		return a.Meeting.Number < b.Meeting.Number
	}
	return a.Date != "" && b.Date != "" && a.Date < b.Date
}

func compareRows(ra, rb *corpus.Record, ea, eb EditionRecord, pair *lineage.Pair, restored []lineage.RestoredLink, stored, swapped bool) *Comparison {
	c := &Comparison{A: ea, B: eb, Stored: stored, Swapped: swapped, CrossKind: pair.CrossKind, Rows: []CompareRow{}, Dropped: []CompareSide{}, Added: []CompareSide{}, Counts: map[string]int{}}
	side := func(r *corpus.Record, n int) *CompareSide {
		if i := r.ParagraphIndex(n); i >= 0 {
			return &CompareSide{ID: corpus.ParagraphID(r.ID, n), N: n, Text: r.Paragraphs[i].Text}
		}
		return nil
	}
	type keyed struct {
		row  CompareRow
		b, a float64 // reading position
	}
	var rows []keyed
	for _, l := range pair.Links {
		sa, sb := side(ra, l.From), side(rb, l.To)
		if sa == nil || sb == nil {
			continue
		}
		row := CompareRow{A: sa, B: sb, Kind: string(l.Kind), Similarity: l.Similarity, Diff: []lineage.Piece{}}
		if l.Kind != lineage.Unchanged {
			// an unchanged pair's texts say it all (the diff would repeat them)
			row.Diff = lineage.Render(sa.Text, sb.Text, l.Script)
		}
		rows = append(rows, keyed{row, float64(l.To), float64(l.From)})
		c.Counts[string(l.Kind)]++
	}
	for _, n := range pair.Added {
		if sb := side(rb, n); sb != nil {
			rows = append(rows, keyed{CompareRow{B: sb, Kind: lineage.New, Diff: []lineage.Piece{}}, float64(n), -1})
			c.Added = append(c.Added, *sb)
			c.Counts[lineage.New]++
		}
	}
	// back from an edition before a: new here, not a's
	for _, l := range restored {
		if sb := side(rb, l.To); sb != nil {
			rows = append(rows, keyed{CompareRow{B: sb, Kind: string(lineage.Restored), Similarity: l.Similarity, Diff: []lineage.Piece{}}, float64(l.To), -1})
			c.Added = append(c.Added, *sb)
			c.Counts[string(lineage.Restored)]++
		}
	}
	// a dropped paragraph goes after the row of the old paragraph before
	// it: the furthest row of the old paragraphs up to each n
	type reach struct {
		n   int
		pos float64
	}
	var reaches []reach
	for _, r := range rows {
		if r.row.A != nil {
			reaches = append(reaches, reach{r.row.A.N, r.b})
		}
	}
	sort.Slice(reaches, func(i, j int) bool { return reaches[i].n < reaches[j].n })
	for i := 1; i < len(reaches); i++ {
		reaches[i].pos = max(reaches[i].pos, reaches[i-1].pos)
	}
	var droppedRows []reach
	for _, n := range pair.Dropped {
		sa := side(ra, n)
		if sa == nil {
			continue
		}
		pos := 0.0
		if i := sort.Search(len(reaches), func(i int) bool { return reaches[i].n >= n }); i > 0 {
			pos = max(pos, reaches[i-1].pos)
		}
		for _, d := range droppedRows { // and of the dropped ones before it
			if d.n < n {
				pos = max(pos, d.pos)
			}
		}
		droppedRows = append(droppedRows, reach{n, pos + 0.5})
		rows = append(rows, keyed{CompareRow{A: sa, Kind: lineage.Dropped, Diff: []lineage.Piece{}}, pos + 0.5, float64(n)})
		c.Dropped = append(c.Dropped, *sa)
		c.Counts[lineage.Dropped]++
	}
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].b != rows[j].b {
			return rows[i].b < rows[j].b
		}
		return rows[i].a < rows[j].a
	})
	for _, r := range rows {
		c.Rows = append(c.Rows, r.row)
	}
	return c
}
