package main

import (
	"bufio"
	"cmp"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"dialoguesearch/corpus"
	"dialoguesearch/indexer"
	"dialoguesearch/lineage"
)

// lineagePaths writes lineage-paths.txt: 2,000 request paths for the
// lineage load run (bench/lineage.lua), half the lineage of a random
// paragraph, half the comparison of a record with the previous edition of
// its series and kind (the stored links), drawn with a fixed seed.
func lineagePaths(out string, n int) error {
	recs, err := readRecords(filepath.Join(out, fmt.Sprintf("records-%d.jsonl", n)))
	if err != nil {
		return err
	}
	type key struct{ series, kind string }
	chains := map[key][]*corpus.Record{}
	for _, r := range recs {
		if r.Meeting.Series != "" && r.Meeting.Number > 0 {
			k := key{r.Meeting.Series, r.Kind}
			chains[k] = append(chains[k], r)
		}
	}
	var pairs [][2]string
	for _, c := range chains {
		slices.SortFunc(c, func(a, b *corpus.Record) int { return cmp.Compare(a.Meeting.Number, b.Meeting.Number) })
		for i := 1; i < len(c); i++ {
			if c[i].Meeting.Number != c[i-1].Meeting.Number {
				pairs = append(pairs, [2]string{c[i-1].ID, c[i].ID})
			}
		}
	}
	slices.SortFunc(pairs, func(a, b [2]string) int { return cmp.Compare(a[1], b[1]) })
	if len(pairs) == 0 {
		return fmt.Errorf("no two editions of one series and kind in records-%d.jsonl", n)
	}
	f, err := os.Create(filepath.Join(out, "lineage-paths.txt"))
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	r := rand.New(rand.NewPCG(15, 15))
	for i := 0; i < 1000; i++ {
		rec := recs[r.IntN(len(recs))]
		if len(rec.Paragraphs) == 0 {
			continue
		}
		p := rec.Paragraphs[r.IntN(len(rec.Paragraphs))]
		fmt.Fprintf(w, "/api/paragraphs/%s/lineage\n", url.PathEscape(corpus.ParagraphID(rec.ID, p.N)))
		pr := pairs[r.IntN(len(pairs))]
		fmt.Fprintf(w, "/api/compare?%s\n", url.Values{"a": {pr[0]}, "b": {pr[1]}}.Encode())
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	fmt.Printf("benchours: %d neighbouring editions; 2,000 paths -> %s\n", len(pairs), f.Name())
	return f.Close()
}

// linkOnly times the alignment of every record with its predecessor and
// the search for restored paragraphs (lineage.Plan, Align and Restore, as
// the index build runs them, without the store writes), in wall and CPU
// time: on a shared machine the CPU time is the figure to compare with the
// build's. With dump, it writes every pair and restore as JSON lines (to
// check that a change to the linking keeps its answers).
func linkOnly(out string, n int, profile, dump string) error {
	recs, err := readRecords(filepath.Join(out, fmt.Sprintf("records-%d.jsonl", n)))
	if err != nil {
		return err
	}
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	var dw *bufio.Writer
	if dump != "" {
		f, err := os.Create(dump)
		if err != nil {
			return err
		}
		defer f.Close()
		dw = bufio.NewWriter(f)
		defer dw.Flush()
	}
	byID := map[string]*corpus.Record{}
	entries := make([]lineage.Entry, len(recs))
	for i, r := range recs {
		byID[r.ID] = r
		entries[i] = lineage.EntryOf(r)
	}
	cpu0, t := cpuTime(), time.Now()
	plan := lineage.Plan(entries)
	// earlier editions first, as the index build links them
	ids := make([]string, 0, len(plan))
	for id := range plan {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(x, y string) int {
		a, b := plan[x], plan[y]
		return cmp.Or(cmp.Compare(a.Series, b.Series), cmp.Compare(a.Edition, b.Edition), cmp.Compare(x, y))
	})
	lk := lineage.NewLinker()
	done := map[string]lineage.Pair{}
	pairs, links, restored := 0, 0, 0
	for _, id := range ids {
		p := plan[id]
		if p.Prev == "" {
			continue
		}
		r := byID[id]
		pr := lk.Align(byID[p.Prev], r, p.CrossKind)
		var rl []lineage.RestoredLink
		if !p.CrossKind && len(pr.Added) > 0 {
			// the paragraphs dropped in the editions before the predecessor
			// (indexer.droppedBefore)
			var earlier []lineage.Earlier
			cur := p.Prev
			for depth := 0; depth < 3 && cur != "" && len(earlier) < 200; depth++ {
				cp, ok := done[cur]
				if !ok || plan[cur].CrossKind {
					break
				}
				for _, d := range cp.Dropped {
					if len(earlier) < 200 {
						earlier = append(earlier, lineage.Earlier{Record: byID[cp.Old], N: d})
					}
				}
				cur = cp.Old
			}
			rl = lk.Restore(earlier, r, pr.Added)
		}
		done[id] = pr
		pairs++
		links += len(pr.Links)
		restored += len(rl)
		if dw != nil {
			b, _ := json.Marshal(struct {
				Pair     lineage.Pair           `json:"pair"`
				Restored []lineage.RestoredLink `json:"restored"`
			}{pr, rl})
			dw.Write(append(b, '\n'))
		}
	}
	fmt.Printf("benchours: linked %d records to their predecessors (%d links, %d restored) in %.2f s wall, %.2f s CPU\n", pairs, links, restored, time.Since(t).Seconds(), (cpuTime() - cpu0).Seconds())
	return nil
}

// cpuTime is the process' user+system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// lineageQuery answers the paths of lineage-paths.txt in process
// (indexer.Lineage and Compare, then the JSON encoding the server does),
// once to warm up and once timed: wall percentiles and mean CPU per answer.
// On a shared machine the CPU time is the load-independent figure.
func lineageQuery(out, dir, profile string) error {
	b, err := os.ReadFile(filepath.Join(out, "lineage-paths.txt"))
	if err != nil {
		return err
	}
	paths := strings.Fields(string(b))
	ix, err := indexer.Open(dir)
	if err != nil {
		return err
	}
	defer ix.Close()
	answer := func(p string) error {
		var v any
		var err error
		if rest, ok := strings.CutPrefix(p, "/api/paragraphs/"); ok {
			id, _ := url.PathUnescape(strings.TrimSuffix(rest, "/lineage"))
			v, err = ix.Lineage(id)
		} else {
			u, _ := url.Parse(p)
			v, err = ix.Compare(u.Query().Get("a"), u.Query().Get("b"))
		}
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		_, err = json.Marshal(v)
		return err
	}
	for _, p := range paths {
		if err := answer(p); err != nil {
			return err
		}
	}
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	lat := map[string][]time.Duration{}
	cpu0, t0 := cpuTime(), time.Now()
	for _, p := range paths {
		t := time.Now()
		if err := answer(p); err != nil {
			return err
		}
		kind := "compare"
		if strings.HasPrefix(p, "/api/paragraphs/") {
			kind = "lineage"
		}
		lat[kind] = append(lat[kind], time.Since(t))
	}
	cpu, wall := cpuTime()-cpu0, time.Since(t0)
	for _, k := range []string{"lineage", "compare"} {
		l := lat[k]
		slices.Sort(l)
		fmt.Printf("benchours: %s: %d answers, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms\n", k, len(l),
			ms(l[len(l)/2]), ms(l[len(l)*9/10]), ms(l[len(l)*99/100]))
	}
	fmt.Printf("benchours: %d answers in %.2f s wall, %.2f s CPU: %.2f ms CPU per answer\n", len(paths), wall.Seconds(), cpu.Seconds(), ms(cpu)/float64(len(paths)))
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
