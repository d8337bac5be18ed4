package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"

	"dialoguesearch/bench/internal/mix"
)

// engineFiles are the result files the report reads, ours first.
var engineFiles = []string{"ours", "lucene", "lucene8", "sqlite", "pg"}

// gate compares one engine's answers with the reference's: exact totals,
// and the count of every facet value either engine returned for the
// values the reference returned.
type gateResult struct {
	compared, totals, facets int
	byClass                  map[string][2]int // class -> compared, fully agreeing
	examples                 []string
}

func compareRuns(ref, other *mix.Run, classes map[int]string) gateResult {
	g := gateResult{byClass: map[string][2]int{}}
	oth := map[int]mix.Outcome{}
	for _, o := range other.Outcomes {
		oth[o.ID] = o
	}
	for _, r := range ref.Outcomes {
		o, ok := oth[r.ID]
		if !ok || r.Error != "" || o.Error != "" {
			continue
		}
		g.compared++
		tot := r.Total == o.Total
		fac := true
		var why string
		for f, vals := range r.Facets {
			for v, n := range vals {
				if m := o.Facets[f][v]; m != n {
					fac = false
					if why == "" {
						why = fmt.Sprintf("%s=%q %d vs %d", f, v, n, m)
					}
				}
			}
		}
		if tot {
			g.totals++
		}
		if fac {
			g.facets++
		}
		c := g.byClass[classes[r.ID]]
		c[0]++
		if tot && fac {
			c[1]++
		} else if len(g.examples) < 4 {
			g.examples = append(g.examples, fmt.Sprintf("query %d (%s): total %d vs %d; %s", r.ID, classes[r.ID], r.Total, o.Total, why))
		}
		g.byClass[classes[r.ID]] = c
	}
	return g
}

func report(o opts) error {
	qs, err := mix.ReadQueries(o.path("queries.jsonl"))
	if err != nil {
		return err
	}
	classes := map[int]string{}
	texts := map[int]mix.Query{}
	for _, q := range qs {
		classes[q.ID] = q.Class
		texts[q.ID] = q
	}
	var runs []*mix.Run
	for _, e := range engineFiles {
		r, err := mix.ReadRun(o.path("%s-%d.json", e, o.n))
		if err != nil {
			continue
		}
		runs = append(runs, r)
	}
	if len(runs) == 0 {
		return fmt.Errorf("no result files for n=%d in %s", o.n, o.out)
	}
	var b strings.Builder
	cpu := cpuModel()
	fmt.Fprintf(&b, "# Benchmark results: %d paragraphs\n\n", o.n)
	fmt.Fprintf(&b, "Machine: %d cores (nproc), %s, %s/%s; written %s.\n\n", runtime.NumCPU(), cpu, runtime.GOOS, runtime.GOARCH, time.Now().UTC().Format("2006-01-02 15:04 UTC"))
	fmt.Fprintf(&b, "Mix: %d queries (%s), each asking 10 hits with highlighted snippets, the exact total and all facet counts (disjunctive for drill-downs).\n\n", len(qs), classSummary(qs))

	ref := runs[0]
	b.WriteString("## Correctness gate\n\n")
	gateTable(&b, o, qs, classes, runs[0], runs[1:])
	if len(runs) > 2 && !strings.HasPrefix(runs[0].Engine, "Lucene") && strings.HasPrefix(runs[1].Engine, "Lucene") {
		b.WriteString("\nThe peers among themselves:\n\n")
		gateTable(&b, o, qs, classes, runs[1], runs[2:])
	}
	for _, r := range runs {
		n := 0
		for _, oc := range r.Outcomes {
			if oc.Error != "" {
				if n < 3 {
					fmt.Fprintf(&b, "- %s error on query %d (%q): %s\n", r.Engine, oc.ID, texts[oc.ID].Q, oc.Error)
				}
				n++
			}
		}
		if n > 0 {
			fmt.Fprintf(&b, "- %s: %d queries failed\n", r.Engine, n)
		}
	}

	b.WriteString("\n## Index and single-thread query figures\n\n")
	fmt.Fprintf(&b, "Latency: per query, in process (or through the peer's own client), one warm-up pass then %d timed passes; each percentile is the median over the passes. Ratios are engine / %s.\n\n", max(1, len(ref.Reps)), ref.Engine)
	b.WriteString("| engine | version | build s | paragraphs/s | size MB | open ms | peak RSS MB | p50 ms | p90 ms | p99 ms | mean ms |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	rl := mix.Median(ref.Reps)
	ratio := func(v, r float64) string {
		if r == 0 || v == 0 {
			return ""
		}
		return fmt.Sprintf(" (%.2f×)", v/r)
	}
	for _, r := range runs {
		l := mix.Median(r.Reps)
		pps := 0.0
		if r.BuildSeconds > 0 {
			pps = float64(r.Paragraphs) / r.BuildSeconds
		}
		refpps := 0.0
		if ref.BuildSeconds > 0 {
			refpps = float64(ref.Paragraphs) / ref.BuildSeconds
		}
		fmt.Fprintf(&b, "| %s | %s | %.2f%s | %.0f%s | %.1f%s | %.1f%s | %.0f%s | %.2f%s | %.2f%s | %.2f%s | %.2f%s |\n",
			r.Engine, r.Version,
			r.BuildSeconds, ratio(r.BuildSeconds, ref.BuildSeconds),
			pps, ratio(pps, refpps),
			float64(r.SizeBytes)/1e6, ratio(float64(r.SizeBytes), float64(ref.SizeBytes)),
			r.OpenSeconds*1000, ratio(r.OpenSeconds, ref.OpenSeconds),
			float64(r.PeakRSSBytes)/(1<<20), ratio(float64(r.PeakRSSBytes), float64(ref.PeakRSSBytes)),
			l.P50, ratio(l.P50, rl.P50), l.P90, ratio(l.P90, rl.P90), l.P99, ratio(l.P99, rl.P99), l.Mean, ratio(l.Mean, rl.Mean))
	}
	b.WriteString("\n### p50 / p99 by query class (ms, last timed pass)\n\n| class |")
	for _, r := range runs {
		b.WriteString(" " + r.Engine + " |")
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(runs)) + "\n")
	for _, c := range classOrder(qs) {
		fmt.Fprintf(&b, "| %s |", c)
		for _, r := range runs {
			if len(r.Micros) == 0 {
				b.WriteString(" |")
				continue
			}
			var v []float64
			last := r.Micros[len(r.Micros)-1]
			for i, q := range qs {
				if q.Class == c && i < len(last) {
					v = append(v, last[i])
				}
			}
			l := mix.Summarize(v)
			fmt.Fprintf(&b, " %.2f / %.2f |", l.P50, l.P99)
		}
		b.WriteString("\n")
	}

	var httpRuns []HTTPRun
	for _, e := range []string{"ours", "lucene", "lucene8"} {
		bs, err := os.ReadFile(o.path("http-%s-%d.json", e, o.n))
		if err != nil {
			continue
		}
		var hr []HTTPRun
		if json.Unmarshal(bs, &hr) == nil {
			httpRuns = append(httpRuns, hr...)
		}
	}
	b.WriteString("\n## Over HTTP\n\n")
	if len(httpRuns) == 0 {
		b.WriteString("Not measured in this run.\n")
	} else {
		b.WriteString("Server pinned to core 0, load generator to core 1 (`taskset`); closed loop cycles through the mix.\n\n| engine | tool | connections | req/s | p50 ms | p90 ms | p99 ms | errors |\n|---|---|---|---|---|---|---|---|\n")
		for _, h := range httpRuns {
			conns := fmt.Sprint(h.Conns)
			if h.Rate > 0 {
				conns += fmt.Sprintf(" at %d req/s", h.Rate)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %.0f | %.2f | %.2f | %.2f | %s |\n", h.Engine, h.Tool, conns, h.ReqPerSec, h.P50, h.P90, h.P99, h.Errors)
		}
	}
	b.WriteString("\n## Record files to a ready server\n\n")
	if bs, err := os.ReadFile(o.path("ready.json")); err != nil {
		b.WriteString("Not measured in this run.\n")
	} else {
		var rr ReadyRun
		if err := json.Unmarshal(bs, &rr); err != nil {
			return err
		}
		fmt.Fprintf(&b, "`dialoguesearch serve --corpus DIR` on %d record files in the shipped records' shape (benchgen -files), %d paragraphs, empty data directory: ready (first 200 of /readyz) after %.2f s, its segments merged (in the background) at %.2f s, peak RSS %.0f MB. `dialoguesearch parse` of the same files alone: %.2f s (%.0f paragraphs/s).\n",
			rr.Files, rr.Paragraphs, rr.ReadySeconds, rr.MergedSeconds, float64(rr.PeakRSSBytes)/(1<<20), rr.ParseSeconds, float64(rr.Paragraphs)/rr.ParseSeconds)
	}
	b.WriteString("\n## Notes per engine\n\n")
	for _, r := range runs {
		for _, n := range r.Notes {
			fmt.Fprintf(&b, "- %s: %s\n", r.Engine, n)
		}
	}
	path := o.path("results-%d.md", o.n)
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(o.path("results.md"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	fmt.Print(b.String())
	return nil
}

func classOrder(qs []mix.Query) []string {
	var cs []string
	seen := map[string]bool{}
	for _, q := range qs {
		if !seen[q.Class] {
			seen[q.Class] = true
			cs = append(cs, q.Class)
		}
	}
	return cs
}

func classSummary(qs []mix.Query) string {
	n := map[string]int{}
	for _, q := range qs {
		n[q.Class]++
	}
	var parts []string
	for _, c := range classOrder(qs) {
		parts = append(parts, fmt.Sprintf("%d %s", n[c], c))
	}
	return strings.Join(parts, ", ")
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			if i := strings.IndexByte(l, ':'); i >= 0 {
				return strings.TrimSpace(l[i+1:])
			}
		}
	}
	return "unknown CPU"
}

// gateTable writes how far each of others agrees with ref.
func gateTable(w *strings.Builder, o opts, qs []mix.Query, classes map[int]string, ref *mix.Run, others []*mix.Run) {
	b := w
	fmt.Fprintf(b, "Reference: %s. A query agrees when the total is equal and every facet value the reference counts has the same count.\n\n", ref.Engine)
	b.WriteString("| engine | compared | totals equal | facets equal | agreeing by class |\n|---|---|---|---|---|\n")
	var examples []string
	for _, r := range others {
		g := compareRuns(ref, r, classes)
		var cls []string
		for c, v := range g.byClass {
			cls = append(cls, fmt.Sprintf("%s %d/%d", c, v[1], v[0]))
		}
		sort.Strings(cls)
		fmt.Fprintf(b, "| %s | %d | %d | %d | %s |\n", r.Engine, g.compared, g.totals, g.facets, strings.Join(cls, ", "))
		if strings.Contains(r.Engine, "SQLite") {
			if agree := analysisAgrees(o.path("vocab.txt"), qs); agree != nil {
				sub := &mix.Run{}
				for _, oc := range ref.Outcomes {
					if agree[oc.ID] {
						sub.Outcomes = append(sub.Outcomes, oc)
					}
				}
				gs := compareRuns(sub, r, classes)
				fmt.Fprintf(b, "| %s, only queries whose words Porter and Snowball conflate alike | %d | %d | %d | |\n", r.Engine, gs.compared, gs.totals, gs.facets)
			}
		}
		for _, e := range g.examples {
			examples = append(examples, r.Engine+": "+e)
		}
	}
	if len(examples) > 0 {
		b.WriteString("\nFirst disagreements:\n\n")
		for _, e := range examples {
			b.WriteString("- " + e + "\n")
		}
	}
}
