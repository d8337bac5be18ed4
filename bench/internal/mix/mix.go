// Package mix holds what every benchmark driver shares: the query mix (in
// the project's syntax and in a structured form each peer translates into
// its own language), the peers' flat corpus files, the per-engine result
// files and the latency statistics.
package mix

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// Facets are the facet dimensions every engine counts; the same names as
// indexer.FacetNames, repeated here so peers need no project import.
var Facets = []string{"series", "meeting", "speaker", "topic", "location", "side", "kind", "year"}

// MultiValued facets may hold several values on one paragraph.
var MultiValued = map[string]bool{"speaker": true, "topic": true, "side": true}

// Clause is one conjunct of a query: it matches when any alternative
// matches (an alternative is a phrase of one or more words); Not excludes
// what it matches instead. Field, when set, makes the clause a facet
// restriction (Field = Value) that takes part in matching.
type Clause struct {
	Any   [][]string `json:"any,omitempty"`
	Not   bool       `json:"not,omitempty"`
	Field string     `json:"field,omitempty"`
	Value string     `json:"value,omitempty"`
}

// Query is one query of the mix.
type Query struct {
	ID      int                 `json:"id"`
	Class   string              `json:"class"`
	Q       string              `json:"q"` // the project's query syntax
	Clauses []Clause            `json:"clauses"`
	Filters map[string][]string `json:"filters,omitempty"` // drill-down: OR within a facet, AND across
}

// ReadQueries reads a JSONL file of queries.
func ReadQueries(path string) ([]Query, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var qs []Query
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var q Query
		if err := json.Unmarshal(sc.Bytes(), &q); err != nil {
			return nil, fmt.Errorf("mix: %s: %w", path, err)
		}
		qs = append(qs, q)
	}
	return qs, sc.Err()
}

// FilterFacets returns the query's filter facet names in Facets order.
func (q Query) FilterFacets() []string {
	var fs []string
	for _, f := range Facets {
		if len(q.Filters[f]) > 0 {
			fs = append(fs, f)
		}
	}
	return fs
}

// Outcome is what an engine answered to one query (from its last
// repetition): used by the correctness gate.
type Outcome struct {
	ID     int                       `json:"id"`
	Total  int64                     `json:"total"`
	Hits   []string                  `json:"hits"`
	Facets map[string]map[string]int `json:"facets"`
	Error  string                    `json:"error,omitempty"`
}

// Run is one engine's figures on one corpus.
type Run struct {
	Engine       string    `json:"engine"`
	Version      string    `json:"version"`
	Paragraphs   int       `json:"paragraphs"`
	BuildSeconds float64   `json:"build_seconds"`
	SizeBytes    int64     `json:"size_bytes"`
	OpenSeconds  float64   `json:"open_seconds"`
	PeakRSSBytes int64     `json:"peak_rss_bytes"`
	Reps         []Latency `json:"reps"` // one per timed repetition
	Notes        []string  `json:"notes,omitempty"`
	Outcomes     []Outcome `json:"outcomes"`
	// Micros are the per-query latencies of each repetition, in µs.
	Micros [][]float64 `json:"micros,omitempty"`
}

// Latency is the distribution of one repetition, in milliseconds.
type Latency struct {
	P50, P90, P99, Mean, Max float64
}

// Summarize computes a repetition's distribution from per-query µs.
func Summarize(micros []float64) Latency {
	if len(micros) == 0 {
		return Latency{}
	}
	s := slices.Clone(micros)
	slices.Sort(s)
	var sum float64
	for _, v := range s {
		sum += v
	}
	pct := func(p float64) float64 {
		i := int(p*float64(len(s))+0.5) - 1
		i = max(0, min(i, len(s)-1))
		return s[i] / 1000
	}
	return Latency{P50: pct(0.50), P90: pct(0.90), P99: pct(0.99), Mean: sum / float64(len(s)) / 1000, Max: s[len(s)-1] / 1000}
}

// Median returns the repetition whose p50 is the median one, as the issue
// asks (median of 3 repetitions); each percentile is the median across reps.
func Median(reps []Latency) Latency {
	if len(reps) == 0 {
		return Latency{}
	}
	med := func(get func(Latency) float64) float64 {
		v := make([]float64, len(reps))
		for i, r := range reps {
			v[i] = get(r)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	return Latency{
		P50:  med(func(l Latency) float64 { return l.P50 }),
		P90:  med(func(l Latency) float64 { return l.P90 }),
		P99:  med(func(l Latency) float64 { return l.P99 }),
		Mean: med(func(l Latency) float64 { return l.Mean }),
		Max:  med(func(l Latency) float64 { return l.Max }),
	}
}

// WriteRun writes r as indented JSON.
func WriteRun(path string, r *Run) error {
	for _, m := range r.Micros {
		r.Reps = append(r.Reps, Summarize(m))
	}
	b, err := json.MarshalIndent(r, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// ReadRun reads a result file.
func ReadRun(path string) (*Run, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Run
	return &r, json.Unmarshal(b, &r)
}

// Timer measures wall time from Start.
type Timer struct{ t time.Time }

// Start starts a timer.
func Start() Timer { return Timer{time.Now()} }

// Seconds since start.
func (t Timer) Seconds() float64 { return time.Since(t.t).Seconds() }

// SQLQuote quotes s as an SQL string literal.
func SQLQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// EncodeClauses is the Lucene driver's line format: clauses joined by ";",
// each "+" (must), "-" (must not) or "F" (field=value), alternatives by "|",
// words of a phrase by spaces.
func EncodeClauses(cs []Clause) string {
	var parts []string
	for _, c := range cs {
		switch {
		case c.Field != "":
			parts = append(parts, "F"+c.Field+"="+c.Value)
		default:
			var alts []string
			for _, a := range c.Any {
				alts = append(alts, strings.Join(a, " "))
			}
			op := "+"
			if c.Not {
				op = "-"
			}
			parts = append(parts, op+strings.Join(alts, "|"))
		}
	}
	return strings.Join(parts, ";")
}

// EncodeFilters is the Lucene driver's filter format: facet=v1|v2 joined by
// ";", or "-" for none.
func EncodeFilters(q Query) string {
	var parts []string
	for _, f := range q.FilterFacets() {
		parts = append(parts, f+"="+strings.Join(q.Filters[f], "|"))
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ";")
}
