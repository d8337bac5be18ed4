package main

import (
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"
)

// heapWatch is what watchHeap saw of a build.
type heapWatch struct {
	PeakLive uint64        // the largest live heap (as of a GC)
	PeakRSS  int64         // the largest resident set
	RSSAt    time.Duration // when the resident set was largest, from the start
}

// watchHeap samples the live heap and the resident set every 100 ms until
// stopped, and writes a heap profile to path (when not "") each time the
// live heap passes its largest value so far by 5%, so that the file ends
// up holding the profile at the peak.
func watchHeap(path string) (stop func() (heapWatch, error)) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	done := make(chan struct{})
	type result struct {
		w   heapWatch
		err error
	}
	out := make(chan result, 1)
	go func() {
		var w heapWatch
		var written uint64
		var werr error
		start := time.Now()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				out <- result{w, werr}
				return
			case <-t.C:
			}
			if rss := rssNow(); rss > w.PeakRSS {
				w.PeakRSS, w.RSSAt = rss, time.Since(start)
			}
			metrics.Read(sample)
			live := sample[0].Value.Uint64()
			w.PeakLive = max(w.PeakLive, live)
			if path == "" || live < written+written/20 {
				continue
			}
			written = live
			f, err := os.Create(path)
			if err != nil {
				werr = err
				continue
			}
			if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
				werr = err
			}
			if err := f.Close(); err != nil {
				werr = err
			}
		}
	}()
	return func() (heapWatch, error) {
		close(done)
		r := <-out
		return r.w, r.err
	}
}

// rssNow is the resident set of the process (/proc/self/statm), 0 when
// unknown.
func rssNow() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}
