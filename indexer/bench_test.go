package indexer

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"

	"dialoguesearch/corpus"
	"dialoguesearch/indexer/synth"
)

// Benchmarks over a synthetic corpus (indexer/synth) of
// DIALOGUESEARCH_BENCH_PARAGRAPHS paragraphs, 100,000 by default:
//
//	go test ./indexer -run '^$' -bench . -benchtime 200x
//	DIALOGUESEARCH_BENCH_PARAGRAPHS=20000 go test ./indexer -run '^$' -bench .

func benchParagraphs(b *testing.B) int {
	n := 100000
	if v := os.Getenv("DIALOGUESEARCH_BENCH_PARAGRAPHS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			b.Fatalf("DIALOGUESEARCH_BENCH_PARAGRAPHS=%q: not a positive number", v)
		}
	}
	return n
}

var (
	benchOnce sync.Once
	benchRecs []*corpus.Record
	benchIdx  *Index
	benchDir  string
	benchErr  error
)

func benchIndex(b *testing.B) *Index {
	b.Helper()
	benchOnce.Do(func() {
		benchRecs = synth.Generate(benchParagraphs(b), 1)
		benchDir, benchErr = os.MkdirTemp("", "indexer-bench-")
		if benchErr != nil {
			return
		}
		if benchIdx, benchErr = Open(benchDir); benchErr == nil {
			_, benchErr = benchIdx.Sync(context.Background(), benchRecs, nil)
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchIdx
}

// BenchmarkIndex measures a full build (Open on an empty dir, Sync, Close).
func BenchmarkIndex(b *testing.B) {
	recs := synth.Generate(benchParagraphs(b), 1)
	paras := 0
	for _, r := range recs {
		paras += len(r.Paragraphs)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		x, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := x.Sync(context.Background(), recs, nil); err != nil {
			b.Fatal(err)
		}
		if err := x.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(paras*b.N)/b.Elapsed().Seconds(), "paragraphs/s")
}

// BenchmarkSearch measures query latency as the UI asks: 10 hits with
// snippets, the exact total and every facet.
func BenchmarkSearch(b *testing.B) {
	x := benchIndex(b)
	cases := []struct {
		name string
		req  Request
	}{
		{"common-term", Request{Query: "security"}},
		{"rare-term", Request{Query: "interoperable"}},
		{"phrase", Request{Query: `"extended deterrence"`}},
		{"acronym-expansion", Request{Query: "OPCON"}},
		{"boolean", Request{Query: "(alliance OR deterrence) AND NOT Japan"}},
		{"3-filters-all-facets", Request{Query: "deterrence", Filters: map[string][]string{
			"series": {"KIDD", "SCM"}, "year": {"2020", "2021", "2022"}, "side": {corpus.SideROK}}}},
		{"browse-newest", Request{Filters: map[string][]string{"series": {"NCG"}}}},
	}
	for _, c := range cases {
		c.req.Size = 10
		b.Run(c.name, func(b *testing.B) {
			var total uint64
			for i := 0; i < b.N; i++ {
				res, err := x.Search(context.Background(), c.req)
				if err != nil {
					b.Fatal(err)
				}
				total = res.Total
			}
			b.ReportMetric(float64(total), "hits")
		})
	}
}
