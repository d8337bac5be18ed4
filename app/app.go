package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"dialoguesearch/alert"
	"dialoguesearch/corpus"
	"dialoguesearch/failure"
	"dialoguesearch/indexer"
)

// Config is the application's part of the program's configuration.
type Config struct {
	DataDir   string // index, alert store, ingested originals
	CorpusDir string // record files; "" means the embedded default corpus
	// Watch polls CorpusDir every WatchInterval (default 3s) and indexes
	// new, changed and deleted record files.
	Watch         bool
	WatchInterval time.Duration
	Alerts        alert.Config // the alert service; its Logger defaults to the App's
}

// App is the application over one data dir. Its index is ready once built
// (Build, or an index handed to New); until then Index answers
// failure.Unavailable.
type App struct {
	cfg    Config
	log    *slog.Logger
	opened *indexer.Index // the index of the data dir, closed by Close
	alerts *alert.Service // nil: alerts off

	idx      atomic.Pointer[indexer.Index] // nil until ready
	progress atomic.Pointer[[2]int]        // records done, total of the build
	buildErr atomic.Pointer[error]

	write sync.Mutex // one ingest or watcher update at a time

	alertsMu     sync.Mutex  // one alert run at a time (afterIndex)
	alertsBehind atomic.Bool // the last alert run failed: catchUpAlerts retries
	cancel       context.CancelFunc
	wg           sync.WaitGroup
}

// Open opens the data dir of cfg: the index (quick; the build is Build's
// job) and the alert service. A data dir held by another process fails
// here with a message that says so.
func Open(cfg Config, log *slog.Logger) (*App, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.CorpusDir != "" {
		if st, err := os.Stat(cfg.CorpusDir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("corpus directory %q: not a readable directory", cfg.CorpusDir)
		}
	}
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	idx, err := indexer.Open(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	for _, m := range idx.MovedAside() {
		log.Warn("the index could not be opened: moved aside for a post-mortem, rebuilding it from the corpus",
			"cause", m.Cause.Error(), "moved_to", m.To)
	}
	if cfg.Alerts.Logger == nil {
		cfg.Alerts.Logger = log
	}
	var a *App
	if cfg.Alerts.CheckQuery == nil {
		// an alert's query gets a search's budget, on the ready index
		cfg.Alerts.CheckQuery = func(q string) error {
			if ready, err := a.Index(); err == nil {
				return ready.CheckQuery(context.Background(), q)
			}
			return indexer.ValidateQuery(q)
		}
	}
	svc, err := OpenAlerts(cfg.DataDir, cfg.Alerts)
	if err != nil {
		idx.Close()
		return nil, err
	}
	a = New(cfg, nil, svc, log)
	a.opened = idx
	return a, nil
}

// OpenAlerts opens the alert service of dataDir alone (the alerts command
// needs no index). A store held by a running server fails with a message
// that says so.
func OpenAlerts(dataDir string, cfg alert.Config) (*alert.Service, error) {
	svc, err := alert.Open(dataDir, cfg)
	if failure.KindOf(err) == failure.Unavailable {
		return nil, fmt.Errorf("%s: a running server holds the data dir %s; it checks and delivers alerts itself (ingest new records with POST /api/records)", failure.Message(err), dataDir)
	}
	return svc, err
}

// New returns an App over parts the caller opened (tests, benchmarks): idx,
// when not nil, is ready at once; svc nil turns alerts off. Close closes
// svc but not idx.
func New(cfg Config, idx *indexer.Index, svc *alert.Service, log *slog.Logger) *App {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &App{cfg: cfg, log: log, alerts: svc}
	if idx != nil {
		a.idx.Store(idx)
	}
	return a
}

// Index returns the ready index, or a failure.Unavailable error that says
// how far the build is (or that it failed; the cause is in the log).
func (a *App) Index() (*indexer.Index, error) {
	if idx := a.idx.Load(); idx != nil {
		return idx, nil
	}
	if p := a.buildErr.Load(); p != nil {
		return nil, failure.Wrap(failure.Unavailable, *p, "the index could not be built; see the server log")
	}
	msg := "index is building"
	if p := a.progress.Load(); p != nil && p[1] > 0 {
		msg = fmt.Sprintf("index is building (%d of %d records)", p[0], p[1])
	}
	return nil, failure.New(failure.Unavailable, "%s", msg)
}

// Alerts returns the alert service, or failure.Unavailable when alerts are
// off.
func (a *App) Alerts() (*alert.Service, error) {
	if a.alerts != nil {
		return a.alerts, nil
	}
	return nil, failure.New(failure.Unavailable, "alerts are not enabled on this server")
}

// Start runs the background work until Close: the index build (when the
// index is not ready yet; built is called with its outcome), the alert
// deliverer and, with Config.Watch, the corpus watcher.
func (a *App) Start(ctx context.Context, built func(Update, error)) {
	ctx, cancel := context.WithCancel(ctx)
	a.cancel = cancel
	if a.idx.Load() == nil && a.opened != nil {
		a.wg.Go(func() {
			up, err := a.Build(ctx, nil)
			if ctx.Err() == nil && built != nil {
				built(up, err)
			}
		})
	}
	if a.alerts != nil {
		a.wg.Go(func() { a.alerts.Run(ctx) })
		a.wg.Go(func() { a.catchUpAlerts(ctx) })
	}
	if a.cfg.Watch {
		if a.cfg.CorpusDir == "" {
			a.log.Warn("--watch needs --corpus: the embedded corpus never changes; not watching")
		} else {
			a.wg.Go(func() { a.watchCorpus(ctx) })
		}
	}
}

// Close stops the background work (waiting until ctx ends), then closes
// the alert service and the index.
func (a *App) Close(ctx context.Context) error {
	if a.cancel != nil {
		a.cancel()
	}
	done := make(chan struct{})
	go func() { a.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	var errs []error
	if a.alerts != nil {
		if err := a.alerts.Close(); err != nil {
			errs = append(errs, fmt.Errorf("app: close alerts: %w", err))
		}
	}
	if a.opened != nil {
		if err := a.opened.Close(); err != nil {
			errs = append(errs, fmt.Errorf("app: close index: %w", err))
		}
	}
	return errors.Join(errs...)
}

// corpusFS is the corpus: CorpusDir, or the embedded default corpus.
func (a *App) corpusFS() fs.FS {
	if a.cfg.CorpusDir == "" {
		return corpus.Default()
	}
	return os.DirFS(a.cfg.CorpusDir)
}
