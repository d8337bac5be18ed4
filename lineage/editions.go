package lineage

import (
	"cmp"
	"slices"
	"strconv"

	"dialoguesearch/corpus"
)

// Entry is what Plan needs to know of a record.
type Entry struct {
	ID         string
	Kind       string
	Series     string
	Number     int         // the meeting's ordinal, 0 when none
	Date       corpus.Date // "" when unknown
	Paragraphs int
}

// EntryOf returns the Entry of r.
func EntryOf(r *corpus.Record) Entry {
	return Entry{ID: r.ID, Kind: r.Kind, Series: r.Meeting.Series, Number: r.Meeting.Number, Date: r.Date, Paragraphs: len(r.Paragraphs)}
}

// Place is where a record stands in its series.
type Place struct {
	ID     string `json:"id"`
	Series string `json:"series"`
	// Edition is the record's edition's position in the series, from 0;
	// -1 when the record could not be placed (no ordinal and no date).
	Edition int `json:"edition"`
	// Prev is the record the record is compared with: the record of the
	// same kind in the nearest earlier edition that has one, else (no
	// earlier record of its kind) the main record of the edition just
	// before, with CrossKind set. "" for the first edition.
	Prev      string `json:"prev,omitempty"`
	CrossKind bool   `json:"cross_kind,omitempty"`
	// Next is the record of the same kind in the nearest later edition.
	Next string `json:"next,omitempty"`
	// Duplicate names the record that holds this record's edition and kind
	// (two records claim the same edition): both are compared with the
	// same predecessor; only the first is compared with by later editions.
	Duplicate string `json:"duplicate,omitempty"`
	// Note says why a record has no place or shares one.
	Note string `json:"note,omitempty"`
}

type edition struct {
	number int
	date   corpus.Date // the earliest date of its records
	recs   []Entry     // main record of each kind first, then by id
}

// Plan places the records of every series into editions, ordered by the
// meeting's ordinal, else by date, and names each record's predecessor.
// Records without a series have no place in the result.
func Plan(entries []Entry) map[string]Place {
	out := map[string]Place{}
	bySeries := map[string][]Entry{}
	for _, e := range entries {
		if e.Series != "" {
			bySeries[e.Series] = append(bySeries[e.Series], e)
		}
	}
	for series, es := range bySeries {
		planSeries(series, es, out)
	}
	return out
}

func planSeries(series string, es []Entry, out map[string]Place) {
	// an unnumbered record dated like a numbered one belongs to its meeting
	numberOn := map[corpus.Date]int{}
	for _, e := range es {
		if e.Number > 0 && e.Date != "" {
			if n, ok := numberOn[e.Date]; !ok || e.Number < n {
				numberOn[e.Date] = e.Number
			}
		}
	}
	eds := map[string]*edition{}
	for _, e := range es {
		n := e.Number
		if n == 0 && e.Date != "" {
			n = numberOn[e.Date]
		}
		var key string
		switch {
		case n > 0:
			key = "n" + strconv.Itoa(n)
		case e.Date != "":
			key = "d" + string(e.Date)
		default:
			out[e.ID] = Place{ID: e.ID, Series: series, Edition: -1, Note: "no ordinal and no date: not placed among the editions"}
			continue
		}
		ed := eds[key]
		if ed == nil {
			ed = &edition{number: n, date: e.Date}
			eds[key] = ed
		}
		if e.Date != "" && (ed.date == "" || e.Date < ed.date) {
			ed.date = e.Date
		}
		ed.recs = append(ed.recs, e)
	}
	order := make([]*edition, 0, len(eds))
	for _, ed := range eds {
		order = append(order, ed)
	}
	slices.SortFunc(order, func(x, y *edition) int {
		if x.number > 0 && y.number > 0 {
			return cmp.Compare(x.number, y.number)
		}
		if x.date != "" && y.date != "" && x.date != y.date {
			return cmp.Compare(x.date, y.date)
		}
		// a numbered edition without a date and an unnumbered one:
		// no evidence either way; numbered first, then by key
		return cmp.Or(cmp.Compare(y.number, x.number), cmp.Compare(x.date, y.date))
	})
	// main record of each kind: most paragraphs, then smallest id
	for _, ed := range order {
		slices.SortFunc(ed.recs, func(x, y Entry) int {
			return cmp.Or(cmp.Compare(x.Kind, y.Kind), cmp.Compare(y.Paragraphs, x.Paragraphs), cmp.Compare(x.ID, y.ID))
		})
	}
	lastOfKind := map[string]string{} // kind -> main record of the latest edition so far
	for i, ed := range order {
		mainOfKind := map[string]string{}
		for _, e := range ed.recs {
			p := Place{ID: e.ID, Series: series, Edition: i}
			if m, ok := mainOfKind[e.Kind]; ok {
				p.Duplicate = m
				p.Note = "another record (" + m + ") holds the same edition and kind; compared with the same predecessor"
			} else {
				mainOfKind[e.Kind] = e.ID
			}
			if prev, ok := lastOfKind[e.Kind]; ok {
				p.Prev = prev
				if p.Duplicate == "" {
					pp := out[prev]
					pp.Next = e.ID
					out[prev] = pp
				}
			} else if i > 0 {
				p.Prev, p.CrossKind = mainRecord(order[i-1]), true
			}
			out[e.ID] = p
		}
		for k, id := range mainOfKind {
			lastOfKind[k] = id
		}
	}
}

// mainRecord is the record of an edition that stands for it across kinds:
// the one with most paragraphs.
func mainRecord(ed *edition) string {
	best := ed.recs[0]
	for _, e := range ed.recs[1:] {
		if e.Paragraphs > best.Paragraphs {
			best = e
		}
	}
	return best.ID
}
