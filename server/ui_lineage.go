package server

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"dialoguesearch/corpus"
	"dialoguesearch/indexer"
	"dialoguesearch/lineage"
)

// The lineage pages: a clause's history (/paragraphs/{id}/lineage), two
// records compared (/compare?a=&b=), and the record page's history markers.

// diffPiece is a piece of a word diff ready for the template: the text
// without its trailing white space (Space), so that the markers hug the
// words.
type diffPiece struct {
	Op, Text, Old, Space string
}

func diffView(ps []lineage.Piece) []diffPiece {
	out := make([]diffPiece, 0, len(ps))
	for _, p := range ps {
		t := strings.TrimRight(p.Text, " \t\r\n\u00a0")
		out = append(out, diffPiece{Op: p.Op, Text: t, Old: strings.TrimSpace(p.Old), Space: p.Text[len(t):]})
	}
	return out
}

// oldSide and newSide keep the pieces one side of a side-by-side view
// shows: the old text with its deletions, the new with its insertions.
func oldSide(ps []lineage.Piece) []diffPiece {
	var keep []lineage.Piece
	for _, p := range ps {
		switch p.Op {
		case "=", "-":
			keep = append(keep, p)
		case "~":
			if p.Old != "" {
				keep = append(keep, lineage.Piece{Op: "~", Text: p.Old, Old: strings.TrimSpace(p.Text)})
			}
		}
	}
	return diffView(keep)
}

func newSide(ps []lineage.Piece) []diffPiece {
	var keep []lineage.Piece
	for _, p := range ps {
		if p.Op != "-" && (p.Op != "~" || p.Text != "") {
			keep = append(keep, p)
		}
	}
	return diffView(keep)
}

// historyMarker is a record page paragraph's marker.
type historyMarker struct {
	Status string // new, unchanged, reworded, split, merged, restored
	Label  string
	URL    string // the paragraph's lineage
}

// recordHistory is the record page's place-in-series box.
type recordHistory struct {
	Prev, Next       *indexer.EditionRecord
	PrevURL, NextURL string
	CompareURL       string // with the previous edition
	CompareNextURL   string
	// CrossKind: the previous edition is of another kind (no earlier
	// record of this kind); Kind and PrevKind name both kinds.
	CrossKind          bool
	Kind, PrevKind     string
	Counts             []statusCount
	Dropped            int
	Markers            map[int]historyMarker
	PrevName, NextName string
}

type statusCount struct {
	Status string
	N      int
}

var statusLabels = map[string]string{
	"new":       "new",
	"unchanged": "unchanged",
	"reworded":  "reworded",
	"split":     "split",
	"merged":    "merged",
	"restored":  "restored",
}

// crossKindLabels start a marker's label against a record of another
// kind, which the label ends with: "reworded from joint communiqué".
var crossKindLabels = map[string]string{
	"unchanged": "as in the",
	"reworded":  "reworded from the",
	"split":     "split from the",
	"merged":    "merged from the",
	"restored":  "restored from the",
}

func lineageURL(paragraphID string) string {
	return "/paragraphs/" + url.PathEscape(paragraphID) + "/lineage"
}

func compareURL(a, b string) string {
	return "/compare?" + url.Values{"a": {a}, "b": {b}}.Encode()
}

func editionName(e *indexer.EditionRecord) string {
	if e == nil {
		return ""
	}
	n := e.Meeting.Name
	if n == "" {
		n = e.Title
	}
	if e.Kind != "" {
		n += " " + e.Kind
	}
	return n
}

// historyOf builds the record page's history box and markers, or nil when
// the record has no edition before or after it.
func historyOf(idx *indexer.Index, rec *corpus.Record) *recordHistory {
	h, err := idx.History(rec.ID)
	if err != nil || (h.Prev == nil && h.Next == nil) {
		return nil
	}
	v := &recordHistory{Prev: h.Prev, Next: h.Next, CrossKind: h.CrossKind, Kind: rec.Kind, Dropped: len(h.Dropped), Markers: map[int]historyMarker{}}
	if h.Prev != nil {
		v.PrevKind = h.Prev.Kind
		v.PrevURL = recordURL(h.Prev.ID, "")
		v.CompareURL = compareURL(h.Prev.ID, rec.ID)
		v.PrevName = editionName(h.Prev)
	}
	if h.Next != nil {
		v.NextURL = recordURL(h.Next.ID, "")
		v.CompareNextURL = compareURL(rec.ID, h.Next.ID)
		v.NextName = editionName(h.Next)
	}
	counts := map[string]int{}
	for _, p := range rec.Paragraphs {
		st := h.Status[p.N]
		if st == "" {
			continue
		}
		label := statusLabels[st]
		if v.CrossKind {
			// Compared with a record of another kind (a fact sheet with the
			// communiqué before it): that most of it is not there is no
			// news, so only what comes from it is marked, and says from what.
			if st == "new" {
				continue
			}
			label = crossKindLabels[st] + " " + v.PrevKind
		}
		counts[st]++
		v.Markers[p.N] = historyMarker{Status: st, Label: label, URL: lineageURL(corpus.ParagraphID(rec.ID, p.N))}
	}
	for _, st := range []string{"unchanged", "reworded", "split", "merged", "restored", "new"} {
		if counts[st] > 0 {
			v.Counts = append(v.Counts, statusCount{st, counts[st]})
		}
	}
	return v
}

type lineagePage struct {
	chrome
	L        *indexer.Lineage
	Editions []lineageEditionView
}

type lineageEditionView struct {
	indexer.LineageEdition
	Name       string
	DateText   string
	RecordURL  string
	Paragraphs []lineageParaView
}

type lineageParaView struct {
	indexer.LineageParagraph
	URL   string
	Asked bool
	From  []lineageLinkView // links into this paragraph
}

type lineageLinkView struct {
	From, FromURL string
	FromLabel     string
	Kind          string
	Similarity    string
	Diff          []diffPiece
}

func (s *Server) handleUILineage(c echo.Context) error {
	idx, err := s.readyIndex()
	if err != nil {
		return err
	}
	l, err := idx.Lineage(c.Param("id"))
	if err != nil {
		return err
	}
	page := lineagePage{chrome: chrome{Nav: "records"}, L: l}
	labels := map[string]string{}
	for _, e := range l.Editions {
		for _, p := range e.Paragraphs {
			labels[p.ID] = e.Record.Meeting.Name + " ¶" + strconv.Itoa(p.N)
		}
	}
	into := map[string][]lineageLinkView{}
	for _, k := range l.Links {
		into[k.To] = append(into[k.To], lineageLinkView{
			From: k.From, FromURL: paraURL(k.From), FromLabel: labels[k.From], Kind: string(k.Kind),
			Similarity: strconv.Itoa(int(k.Similarity*100+0.5)) + "%", Diff: diffView(k.Diff),
		})
	}
	for _, e := range l.Editions {
		er := e.Record
		ev := lineageEditionView{LineageEdition: e, Name: editionName(&er), DateText: dateText(e.Record.Date), RecordURL: recordURL(e.Record.ID, "")}
		for _, p := range e.Paragraphs {
			ev.Paragraphs = append(ev.Paragraphs, lineageParaView{LineageParagraph: p, URL: paraURL(p.ID), Asked: p.ID == l.Paragraph, From: into[p.ID]})
		}
		page.Editions = append(page.Editions, ev)
	}
	return s.render(c, http.StatusOK, "lineage", page)
}

// paraURL links to a paragraph in its record.
func paraURL(pid string) string {
	i := strings.LastIndex(pid, "-p")
	if i < 0 {
		return recordURL(pid, "")
	}
	return recordURL(pid[:i], "") + "#p" + pid[i+2:]
}

type comparePage struct {
	chrome
	C       *indexer.Comparison
	AName   string
	BName   string
	AURL    string
	BURL    string
	CSVURL  string
	JSONURL string
	Rows    []compareRowView
	Dropped []compareSideView
	Added   []compareSideView
	Counts  []statusCount
}

type compareSideView struct {
	indexer.CompareSide
	URL, LineageURL string
	Pieces          []diffPiece
}

type compareRowView struct {
	Kind       string
	Similarity string
	A, B       *compareSideView
}

func (s *Server) handleUICompare(c echo.Context) error {
	cmp, err := s.compare(c)
	if err != nil {
		return err
	}
	page := comparePage{chrome: chrome{Nav: "records"}, C: cmp,
		AName: editionName(&cmp.A), BName: editionName(&cmp.B),
		AURL: recordURL(cmp.A.ID, ""), BURL: recordURL(cmp.B.ID, ""),
		CSVURL:  "/api/compare.csv?" + url.Values{"a": {cmp.A.ID}, "b": {cmp.B.ID}}.Encode(),
		JSONURL: "/api/compare?" + url.Values{"a": {cmp.A.ID}, "b": {cmp.B.ID}}.Encode(),
	}
	side := func(cs *indexer.CompareSide, pieces []diffPiece) *compareSideView {
		if cs == nil {
			return nil
		}
		return &compareSideView{CompareSide: *cs, URL: paraURL(cs.ID), LineageURL: lineageURL(cs.ID), Pieces: pieces}
	}
	for _, r := range cmp.Rows {
		rv := compareRowView{Kind: r.Kind}
		if r.A != nil && r.B != nil {
			rv.Similarity = strconv.Itoa(int(r.Similarity*100+0.5)) + "%"
		}
		rv.A = side(r.A, oldSide(r.Diff))
		rv.B = side(r.B, newSide(r.Diff))
		page.Rows = append(page.Rows, rv)
	}
	for _, d := range cmp.Dropped {
		page.Dropped = append(page.Dropped, *side(&d, nil))
	}
	for _, a := range cmp.Added {
		page.Added = append(page.Added, *side(&a, nil))
	}
	for _, st := range []string{"unchanged", "reworded", "split", "merged", "restored", "new", "dropped"} {
		if n := cmp.Counts[st]; n > 0 {
			page.Counts = append(page.Counts, statusCount{st, n})
		}
	}
	return s.render(c, http.StatusOK, "compare", page)
}

func (h *recordHistory) marker(n int) (historyMarker, bool) {
	if h == nil {
		return historyMarker{}, false
	}
	m, ok := h.Markers[n]
	return m, ok
}
