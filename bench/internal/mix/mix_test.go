package mix

import "testing"

func TestSummarizeAndMedian(t *testing.T) {
	var us []float64
	for i := 1; i <= 100; i++ {
		us = append(us, float64(i)*1000) // 1..100 ms, shuffled order must not matter
	}
	us[0], us[99] = us[99], us[0]
	l := Summarize(us)
	if l.P50 != 50 || l.P90 != 90 || l.P99 != 99 || l.Max != 100 || l.Mean != 50.5 {
		t.Errorf("Summarize = %+v", l)
	}
	m := Median([]Latency{{P50: 3, P99: 30}, {P50: 1, P99: 10}, {P50: 2, P99: 50}})
	if m.P50 != 2 || m.P99 != 30 {
		t.Errorf("Median = %+v, want p50 2, p99 30", m)
	}
}

func TestEncodeForLucene(t *testing.T) {
	q := Query{Clauses: []Clause{
		{Any: [][]string{{"opcon"}, {"operational", "control"}}},
		{Any: [][]string{{"cyber"}}, Not: true},
		{Field: "series", Value: "SCM"},
	}, Filters: map[string][]string{"year": {"2023", "2024"}, "topic": {"space"}}}
	if got, want := EncodeClauses(q.Clauses), "+opcon|operational control;-cyber;Fseries=SCM"; got != want {
		t.Errorf("EncodeClauses = %q, want %q", got, want)
	}
	if got, want := EncodeFilters(q), "topic=space;year=2023|2024"; got != want {
		t.Errorf("EncodeFilters = %q, want %q", got, want)
	}
	if got := EncodeFilters(Query{}); got != "-" {
		t.Errorf("no filters encoded as %q", got)
	}
}
