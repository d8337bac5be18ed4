// Command benchours measures our engine in process, on the same corpus and
// query mix as the peers: index build (indexer.Open + Sync from scratch),
// open time, size, peak RSS, and the latency of each query of the mix asked
// the way the UI asks it (10 hits with snippets, exact total, all facets).
//
//	benchours build -n 100000 [-out bench/out] [-buildprofile f] [-heapprofile f]
//	benchours query -n 100000 [-reps 3] [-cpuprofile f]
//	benchours serve -n 100000 -addr 127.0.0.1:8099
//
// serve answers over HTTP through the real server (the router and
// middleware of `dialoguesearch serve`, per-client rate limit off) on the
// synthetic index, for the load runs.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"iter"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"syscall"
	"time"

	"dialoguesearch/app"
	"dialoguesearch/bench/internal/mix"
	"dialoguesearch/corpus"
	"dialoguesearch/indexer"
	"dialoguesearch/server"
)

func serve(dir, addr, profile string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ix, err := indexer.Open(dir)
	if err != nil {
		return err
	}
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			ix.Close()
			return err
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	srv := server.New(server.Config{RequestTimeout: 10 * time.Second}, server.Deps{App: app.New(app.Config{}, ix, nil, nil)})
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		ix.Close()
		return err
	}
	fmt.Printf("benchours: serving %s on http://%s\n", dir, ln.Addr())
	served := make(chan error, 1)
	go func() { served <- srv.Start(ln) }()
	select {
	case <-ctx.Done():
	case err = <-served:
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if serr := srv.Shutdown(sctx); err == nil {
		err = serr
	}
	ix.Close()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("benchours: ")
	if len(os.Args) < 2 {
		log.Fatal("usage: benchours build|query|serve|link|lineagepaths|lineagequery [flags]")
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	n := fs.Int("n", 100000, "corpus size (paragraphs)")
	out := fs.String("out", "bench/out", "directory with the generated inputs and the results")
	reps := fs.Int("reps", 3, "timed repetitions of the mix (after one warm-up)")
	cpuprofile := fs.String("cpuprofile", "", "query: write a CPU profile of the timed passes; serve: of everything served until the signal that stops it")
	buildprofile := fs.String("buildprofile", "", "build: write a CPU profile of the build")
	heapprofile := fs.String("heapprofile", "", "build: write a heap profile at the largest live heap of the build (go tool pprof -sample_index=inuse_space)")
	addr := fs.String("addr", "127.0.0.1:8099", "serve: listen address")
	only := fs.String("class", "", "query: run only the queries of this class of the mix (frequent, phrase, acronym, ...), for profiling one kind of query")
	dump := fs.String("dump", "", "link: write every pair and restore as JSON lines to this file")
	fs.Parse(os.Args[2:])
	dir := filepath.Join(*out, fmt.Sprintf("ours-%d", *n))
	var err error
	switch os.Args[1] {
	case "build":
		err = build(*out, dir, *n, *buildprofile, *heapprofile)
	case "query":
		err = query(*out, dir, *n, *reps, *cpuprofile, *only)
	case "serve":
		err = serve(dir, *addr, *cpuprofile)
	case "link":
		err = linkOnly(*out, *n, *buildprofile, *dump)
	case "lineagequery":
		err = lineageQuery(*out, dir, *cpuprofile)
	case "lineagepaths":
		err = lineagePaths(*out, *n)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		log.Fatal(err)
	}
}

func peakRSS() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Maxrss * 1024
}

func readRecords(path string) ([]*corpus.Record, error) {
	var recs []*corpus.Record
	seq, errp := eachRecord(path, nil)
	for r := range seq {
		recs = append(recs, r)
	}
	return recs, *errp
}

// eachRecord hands over the records of the JSON lines file path one at a
// time, decoded as they are asked for (none held); *err says, once they
// are all handed over, what went wrong. spent, when not nil, adds up the
// time spent reading and decoding.
func eachRecord(path string, spent *time.Duration) (iter.Seq[*corpus.Record], *error) {
	var err error
	return func(yield func(*corpus.Record) bool) {
		f, ferr := os.Open(path)
		if ferr != nil {
			err = ferr
			return
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 16<<20), 16<<20)
		for {
			t := time.Now()
			if !sc.Scan() {
				break
			}
			r := new(corpus.Record)
			if err = json.Unmarshal(sc.Bytes(), r); err != nil {
				return
			}
			if spent != nil {
				*spent += time.Since(t)
			}
			if !yield(r) {
				return
			}
		}
		err = sc.Err()
	}, &err
}

type buildInfo struct {
	Paragraphs   int     `json:"paragraphs"`
	BuildSeconds float64 `json:"build_seconds"`
	PeakRSSBytes int64   `json:"peak_rss_bytes"`
}

func build(out, dir string, n int, profile, heapprofile string) error {
	// The records are read as the build asks for them, and not held: the
	// time spent reading them is given apart.
	var reading time.Duration
	recs, readErr := eachRecord(filepath.Join(out, fmt.Sprintf("records-%d.jsonl", n)), &reading)
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	runtime.GC()
	if profile != "" {
		f, err := os.Create(profile)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	heap := watchHeap(heapprofile)
	t := mix.Start()
	ix, err := indexer.Open(dir)
	if err != nil {
		heap()
		return err
	}
	st, err := ix.SyncFrom(context.Background(), 0, recs, nil, nil)
	if err == nil {
		err = *readErr
	}
	if err == nil {
		// searchable already; the build counts until merged
		err = ix.WaitMerged(context.Background())
	}
	if err != nil {
		ix.Close()
		heap()
		return err
	}
	if err := ix.Close(); err != nil {
		return err
	}
	secs := t.Seconds()
	w, err := heap()
	if err != nil {
		return err
	}
	b := buildInfo{Paragraphs: st.Paragraphs, BuildSeconds: secs, PeakRSSBytes: peakRSS()}
	fmt.Printf("benchours: built %d paragraphs in %.2f s (%.0f/s, %.2f s CPU), peak RSS %d MB (at %.0f s), live heap at most %d MB; reading the records %.2f s of it, linking editions %.2f s (before the swap; the segments merge after it)\n", b.Paragraphs, secs, float64(b.Paragraphs)/secs, cpuTime().Seconds(), b.PeakRSSBytes>>20, w.RSSAt.Seconds(), w.PeakLive>>20, reading.Seconds(), st.LinkTime.Seconds())
	bs, _ := json.Marshal(b)
	return os.WriteFile(filepath.Join(out, fmt.Sprintf("ours-build-%d.json", n)), bs, 0o644)
}

func query(out, dir string, n, reps int, profile, class string) error {
	var b buildInfo
	if bs, err := os.ReadFile(filepath.Join(out, fmt.Sprintf("ours-build-%d.json", n))); err == nil {
		json.Unmarshal(bs, &b)
	}
	qs, err := mix.ReadQueries(filepath.Join(out, "queries.jsonl"))
	if err != nil {
		return err
	}
	if class != "" {
		qs = slices.DeleteFunc(qs, func(q mix.Query) bool { return q.Class != class })
		if len(qs) == 0 {
			return fmt.Errorf("no query of class %q in the mix", class)
		}
	}
	t := mix.Start()
	ix, err := indexer.Open(dir)
	if err != nil {
		return err
	}
	defer ix.Close()
	open := t.Seconds()
	stats := ix.Stats()
	ctx := context.Background()
	r := &mix.Run{Engine: "dialoguesearch (bleve 2.6.1)", Version: fmt.Sprintf("index v%d", indexer.Version), Paragraphs: b.Paragraphs,
		BuildSeconds: b.BuildSeconds, SizeBytes: stats.SizeBytes, OpenSeconds: open}
	if r.Paragraphs == 0 {
		r.Paragraphs = int(stats.Paragraphs)
	}
	if r.SizeBytes == 0 {
		r.SizeBytes = dirSize(dir)
	}
	outcomes := make([]mix.Outcome, len(qs))
	for rep := 0; rep <= reps; rep++ {
		if rep == 1 && profile != "" {
			f, err := os.Create(profile)
			if err != nil {
				return err
			}
			pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
		micros := make([]float64, len(qs))
		for i, q := range qs {
			req := indexer.Request{Query: q.Q, Filters: q.Filters, Size: 10}
			start := time.Now()
			res, err := ix.Search(ctx, req)
			micros[i] = float64(time.Since(start).Nanoseconds()) / 1e3
			o := mix.Outcome{ID: q.ID}
			if err != nil {
				o.Error = err.Error()
			} else {
				o.Total = int64(res.Total)
				for _, h := range res.Hits {
					o.Hits = append(o.Hits, h.ID)
				}
				o.Facets = map[string]map[string]int{}
				for f, vals := range res.Facets {
					m := map[string]int{}
					for _, v := range vals {
						m[v.Value] = v.Count
					}
					o.Facets[f] = m
				}
			}
			outcomes[i] = o
		}
		if rep > 0 {
			r.Micros = append(r.Micros, micros)
		}
	}
	r.Outcomes = outcomes
	r.PeakRSSBytes = max(peakRSS(), b.PeakRSSBytes)
	r.Notes = []string{"in process: indexer.Search with Size 10 (snippets and all facets as the UI asks); build = indexer.Open on an empty dir + Sync of all records + WaitMerged (the background merge into one segment) + Close",
		"size = Stats().SizeBytes after Close/reopen; open = indexer.Open of the built index; peak RSS = max of the build and query processes (getrusage)"}
	return mix.WriteRun(filepath.Join(out, fmt.Sprintf("ours-%d.json", n)), r)
}

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}
