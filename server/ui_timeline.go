package server

import (
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"dialoguesearch/indexer"
)

// The SVG timeline above the hits: hits per year or per meeting.

type timelineView struct {
	Unit   string // "year" or "meeting"
	Switch []timelineSwitch
	Height int
	BaseY  int
	Bars   []barView
}

type timelineSwitch struct {
	Label, URL string
	Current    bool
}

// barView is one bar; x positions are percentages of the chart's width so
// that the chart fills any width while its text keeps its size.
type barView struct {
	Label, Short string
	Count        int
	URL          string
	Selected     bool
	X, W, CX     string
	Y, H         int
	SlotH        int
	CountY       int
	LabelY       int
}

const (
	chartHeight = 130
	chartTop    = 18 // room for the count above the tallest bar
	chartBottom = 22 // room for the labels
)

type barData struct {
	label, value string
	count        int
}

// timeline draws matching paragraphs per year (from the year facet, with
// the years in between at zero) or per meeting (meetings in date order).
// A bar links to the search filtered to its year or meeting, or back out of
// it when it is the one selected.
func (s *Server) timeline(params url.Values, req indexer.Request, res *indexer.Result) *timelineView {
	unit := "year"
	if params.Get("timeline") == "meeting" {
		unit = "meeting"
	}
	tv := &timelineView{Unit: unit, Height: chartHeight, BaseY: chartHeight - chartBottom}
	for _, u := range []string{"year", "meeting"} {
		v := cloneParams(params)
		if u == "year" {
			v.Del("timeline")
		} else {
			v.Set("timeline", u)
		}
		tv.Switch = append(tv.Switch, timelineSwitch{Label: "by " + u, URL: searchURL(v), Current: u == unit})
	}
	var data []barData
	if unit == "year" {
		data = yearBars(res.Facets["year"])
	} else {
		data = s.meetingBars(res.Facets["meeting"])
	}
	if len(data) == 0 {
		return tv
	}
	selected := map[string]bool{}
	for _, v := range params[unit] {
		selected[v] = true
	}
	max := 1
	for _, d := range data {
		if d.count > max {
			max = d.count
		}
	}
	n := len(data)
	slot := 100.0 / float64(n)
	width := math.Min(slot*0.7, 12)
	plot := tv.BaseY - chartTop
	// Long meeting names are shortened; with many bars only every k-th
	// label shows (each bar's full label is in its <title>).
	every := 1
	if n > 12 {
		every = (n + 11) / 12
	}
	for i, d := range data {
		h := 0
		if d.count > 0 {
			h = int(math.Round(float64(d.count) / float64(max) * float64(plot)))
			if h < 2 {
				h = 2
			}
		}
		b := barView{
			Label: d.label, Count: d.count, Selected: selected[d.value],
			X:  pct(slot*float64(i) + (slot-width)/2),
			W:  pct(width),
			CX: pct(slot*float64(i) + slot/2),
			Y:  tv.BaseY - h, H: h, SlotH: tv.BaseY,
			CountY: tv.BaseY - h - 5,
			LabelY: tv.BaseY + 15,
		}
		if i%every == 0 {
			b.Short = shorten(d.label, maxLabel(n))
		}
		if d.count > 0 || b.Selected {
			v := cloneParams(params)
			if b.Selected {
				v = withoutValue(v, unit, d.value)
			} else {
				v.Del(unit)
				v.Set(unit, d.value)
			}
			b.URL = searchURL(v)
		}
		tv.Bars = append(tv.Bars, b)
	}
	return tv
}

func pct(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) + "%" }

func maxLabel(n int) int {
	switch {
	case n <= 4:
		return 22
	case n <= 8:
		return 12
	default:
		return 8
	}
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func yearBars(vals []indexer.FacetValue) []barData {
	counts := map[int]int{}
	lo, hi := 0, 0
	for _, v := range vals {
		y, err := strconv.Atoi(v.Value)
		if err != nil || y <= 0 {
			continue
		}
		counts[y] = v.Count
		if lo == 0 || y < lo {
			lo = y
		}
		if y > hi {
			hi = y
		}
	}
	if lo == 0 {
		return nil
	}
	// A gap of decades would make a chart of empty years: cap the span.
	if hi-lo > 40 {
		lo = hi - 40
	}
	var out []barData
	for y := lo; y <= hi; y++ {
		out = append(out, barData{label: strconv.Itoa(y), value: strconv.Itoa(y), count: counts[y]})
	}
	return out
}

// meetingBars is the meeting facet's values in the order the meetings were
// held (sortMeetings).
func (s *Server) meetingBars(vals []indexer.FacetValue) []barData {
	vals = append([]indexer.FacetValue(nil), vals...)
	s.sortMeetings(vals)
	var out []barData
	for _, v := range vals {
		out = append(out, barData{label: v.Value, value: v.Value, count: v.Count})
	}
	return out
}

// sortMeetings orders meeting names by the date of the meeting's earliest
// record, then its ordinal (the 54th before the 55th), undated meetings
// last, by ordinal and name.
func (s *Server) sortMeetings(vals []indexer.FacetValue) {
	type key struct {
		date string
		n    int
	}
	first := map[string]key{}
	if idx, err := s.readyIndex(); err == nil {
		if recs, err := idx.Records(); err == nil {
			for _, r := range recs {
				name, d := r.Meeting.Name, string(r.Date)
				if name == "" {
					continue
				}
				if old, ok := first[name]; !ok || d != "" && (old.date == "" || d < old.date) {
					first[name] = key{d, r.Meeting.Number}
				}
			}
		}
	}
	sort.SliceStable(vals, func(i, j int) bool {
		ki, kj := first[vals[i].Value], first[vals[j].Value]
		if (ki.date == "") != (kj.date == "") {
			return ki.date != ""
		}
		if ki.date != kj.date {
			return ki.date < kj.date
		}
		if ki.n != kj.n {
			return ki.n < kj.n
		}
		return vals[i].Value < vals[j].Value
	})
}
