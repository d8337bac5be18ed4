package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"sync"
	"syscall"
	"time"

	"dialoguesearch/app"
	"dialoguesearch/server"
)

// shutdownGrace is how long in-flight requests get to finish on SIGINT/SIGTERM.
const shutdownGrace = 15 * time.Second

func cmdServe(args []string, stdout, stderr io.Writer) int {
	cfg := defaultConfig()
	fset := newFlagSet("serve", "usage: dialoguesearch serve [flags]\n\n"+
		"Serves the web UI and JSON API. On first start the index is built in the\n"+
		"background; /readyz answers 503 until it is ready. Every flag can also be\n"+
		"set as DIALOGUESEARCH_<FLAG> (--data -> DIALOGUESEARCH_DATA).\n\n", stderr)
	cfg.bindData(fset)
	cfg.bindAlerts(fset)
	cfg.bindServe(fset)
	if code, ok := parseArgs(fset, args, "dialoguesearch serve", stderr); !ok {
		return code
	}
	if fset.NArg() > 0 {
		fmt.Fprintf(stderr, "dialoguesearch serve: unexpected argument %q\n", fset.Arg(0))
		return 2
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		fmt.Fprintf(stderr, "dialoguesearch serve: --log-level: %v\n", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if err := serve(cfg, log, stdout); err != nil {
		fmt.Fprintln(stderr, "dialoguesearch serve:", err)
		return 1
	}
	return 0
}

// startProfiles starts the CPU profile of the start (cpu "": none) and
// returns what writes it, and the heap profile (heap "": none): the first
// call, once the start's build is done (or on shutdown, if sooner).
func startProfiles(cpu, heap string) (func() error, error) {
	var f *os.File
	if cpu != "" {
		var err error
		if f, err = os.Create(cpu); err != nil {
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return nil, fmt.Errorf("--cpuprofile: %w", err)
		}
	}
	return sync.OnceValue(func() error {
		var err error
		if f != nil {
			pprof.StopCPUProfile()
			err = f.Close()
		}
		if heap != "" {
			h, herr := os.Create(heap)
			if herr == nil {
				herr = errors.Join(pprof.Lookup("heap").WriteTo(h, 0), h.Close())
			}
			err = errors.Join(err, herr)
		}
		return err
	}), nil
}

// serve runs the server until SIGINT or SIGTERM.
func serve(cfg Config, log *slog.Logger, stdout io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	url := "http://" + ln.Addr().String()
	baseURL := url // the address actually listened on (port 0 picks one)
	if cfg.BaseURL != "" {
		baseURL = cfg.baseURL()
	}
	// Opening is quick (a version change only empties the index); the slow
	// part, indexing the corpus, runs in the background (App.Start). A data
	// dir held by another process fails here, before anything is served.
	a, err := app.Open(cfg.appConfig(log, baseURL), log)
	if err != nil {
		ln.Close()
		return err
	}
	srv := server.New(cfg.Server, server.Deps{Logger: log, App: a})
	fmt.Fprintf(stdout, "dialoguesearch: serving %s (API: %s/api/search, docs: %s/api/openapi.json)\n", url, url, url)

	start := time.Now()
	profiled, err := startProfiles(cfg.CPUProfile, cfg.HeapProfile)
	if err != nil {
		ln.Close()
		a.Close(context.Background())
		return err
	}
	a.Start(ctx, func(up app.Update, err error) {
		if err := profiled(); err != nil {
			log.Error("profile not written", "err", err)
		}
		for _, p := range up.Skipped {
			log.Warn("record skipped", "file", p.File, "err", p.Err)
		}
		if err != nil {
			log.Error("index build failed", "err", err)
			return
		}
		if up.AlertErr != nil {
			log.Error("alerts: check new paragraphs", "err", up.AlertErr)
		}
		idx, _ := a.Index()
		st := idx.Stats()
		log.Info("index ready", "records", st.Records, "paragraphs", st.Paragraphs,
			"added", up.Added, "changed", up.Changed, "removed", up.Removed, "parsed", up.Parsed, "reused", up.Reused,
			"took", time.Since(start).Round(time.Millisecond))
		fmt.Fprintf(stdout, "dialoguesearch: index ready (%d records, %d paragraphs) at %s\n", st.Records, st.Paragraphs, url)
		if st.Merging {
			go func() {
				t := time.Now()
				if err := idx.WaitMerged(ctx); err != nil {
					if ctx.Err() == nil {
						log.Warn("index segments not merged; the index answers, scorch merges them later", "err", err)
					}
					return
				}
				log.Info("index segments merged", "took", time.Since(t).Round(time.Millisecond))
			}()
		}
	})

	served := make(chan error, 1)
	go func() { served <- srv.Start(ln) }()

	var serveErr error
	stopped := false
	select {
	case <-ctx.Done():
		log.Info("shutting down", "grace", shutdownGrace)
	case serveErr = <-served:
		stopped = true
	}
	shCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := profiled(); err != nil {
		log.Error("profile not written", "err", err)
	}
	err = srv.Shutdown(shCtx)              // finishes in-flight requests
	err = errors.Join(err, a.Close(shCtx)) // stops the build, watcher and deliverer, closes the data dir
	if !stopped {
		serveErr = <-served
	}
	if err = errors.Join(serveErr, err); err != nil {
		return err
	}
	log.Info("stopped cleanly")
	return nil
}
