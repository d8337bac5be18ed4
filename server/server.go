// Package server is the HTTP face of dialoguesearch: the JSON API, the
// browser UI's routes, health and metrics, with the middleware that keeps
// them hard to break (limits, security headers, request ids, access logs).
// It is the only package that imports echo.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"dialoguesearch/indexer"
)

// Config is the server's part of the program's configuration, filled by the
// serve command from flags and DIALOGUESEARCH_* environment variables.
type Config struct {
	Addr      string // listen address, host:port
	BaseURL   string // public URL, for links in alerts; "" derives it from Addr
	DataDir   string // index, alert store, ingested originals
	CorpusDir string // record files; "" means the embedded default corpus

	CORSOrigins    []string      // allowed origins; empty means CORS off
	RateLimit      float64       // requests per second per client; 0 means no limit
	RateBurst      int           // burst per client
	RequestTimeout time.Duration // per request; 0 means none
	MaxBodyBytes   int64         // request body limit; 0 means the default (11 MiB)
	// TrustProxy takes the client address from X-Forwarded-For (behind a
	// reverse proxy); otherwise the connection's address is the client.
	TrustProxy bool

	AdminToken          string // enables ingest and the alert list
	WebhookAllowPrivate bool   // allow webhook targets on private and loopback addresses
	Watch               bool   // watch the corpus dir for new files

	SMTPAddr     string
	SMTPUser     string
	SMTPPassword string
	SMTPFrom     string
	SMTPInsecure bool
}

// DefaultMaxBodyBytes is the request body limit when Config leaves it 0.
const DefaultMaxBodyBytes = 11 << 20

// Deps are the server's collaborators, made by the caller.
type Deps struct {
	Logger *slog.Logger // nil: discard
	// Index, when set, makes the server ready at once; otherwise it answers
	// 503 until SetIndex.
	Index  *indexer.Index
	Alerts AlertDeps
}

// Server serves the API and UI over one index.
type Server struct {
	cfg     Config
	log     *slog.Logger
	e       *echo.Echo
	metrics *metrics
	deps    Deps

	idx      atomic.Pointer[indexer.Index] // nil until ready
	progress atomic.Pointer[buildProgress]
	buildErr atomic.Pointer[error]

	alerts alertState // owned by alerts.go

	mu   sync.Mutex
	http *http.Server
}

type buildProgress struct{ done, total int }

// New returns a server with every route registered; it does not listen
// until Start.
func New(cfg Config, deps Deps) *Server {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, log: log, deps: deps}
	if deps.Index != nil {
		s.idx.Store(deps.Index)
	}
	s.metrics = newMetrics(s)

	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.handleError
	if cfg.TrustProxy {
		e.IPExtractor = echo.ExtractIPFromXFFHeader()
	} else {
		e.IPExtractor = echo.ExtractIPDirect()
	}
	s.e = e
	s.useMiddleware()
	s.routes()
	return s
}

// routes is the route table: every URL the server answers.
func (s *Server) routes() {
	e := s.e
	// Machines: health (health.go) and metrics (metrics.go).
	e.GET("/healthz", s.handleHealthz)
	e.GET("/readyz", s.handleReadyz)
	e.GET("/metrics", s.handleMetrics)

	// The JSON API (api_*.go); its contract is openapi.json.
	e.GET("/api/openapi.json", s.handleOpenAPI)
	e.GET("/api/search", s.handleSearch)
	e.GET("/api/search.csv", s.handleSearchCSV)
	e.GET("/api/records", s.handleRecords)
	e.GET("/api/records/:id", s.handleRecord)
	e.GET("/api/glossary", s.handleGlossary)

	e.POST("/api/records", s.handleIngest) // ingest.go
	e.POST("/api/alerts", s.handleAlertCreate)
	e.GET("/api/alerts", s.handleAlertList)
	e.GET("/api/alerts/preview", s.handleAlertPreview)
	e.POST("/api/alerts/preview", s.handleAlertPreview)
	e.GET("/api/alerts/:id", s.handleAlertGet)
	e.PATCH("/api/alerts/:id", s.handleAlertUpdate)
	e.DELETE("/api/alerts/:id", s.handleAlertDelete)
	e.GET("/api/alerts/:id/matches", s.handleAlertMatches)

	// The browser UI (ui_*.go).
	e.GET("/", s.handleUISearch)
	e.GET("/records", s.handleUIRecords)
	e.GET("/records/:id", s.handleUIRecord)
	e.GET("/glossary", s.handleUIGlossary)
	e.GET("/static/*", s.handleStatic)
	e.GET("/alerts", s.handleUIMyAlerts)
	e.GET("/alerts/new", s.handleUIAlertNew)
	e.POST("/alerts/new", s.handleUIAlertCreate)
	// /alerts/{id}.atom is the alert's feed, /alerts/{id} its page.
	e.GET("/alerts/:id", s.handleAlertPageOrFeed)
	e.POST("/alerts/:id/edit", s.handleUIAlertEdit)
	e.POST("/alerts/:id/delete", s.handleUIAlertDelete)
	e.GET("/alerts/:id/stop", s.handleUIAlertStopPage)
	e.POST("/alerts/:id/stop", s.handleUIAlertStop)
}

// Handler returns the server's HTTP handler (the router with middleware).
func (s *Server) Handler() http.Handler { return s.e }

// Logger returns the server's logger.
func (s *Server) Logger() *slog.Logger { return s.log }

// SetProgress records how far the index build is, for /readyz.
func (s *Server) SetProgress(done, total int) {
	s.progress.Store(&buildProgress{done, total})
}

// SetIndex makes the server ready to search idx, and tells the alerts what
// the build changed. The server closes idx on Shutdown.
func (s *Server) SetIndex(idx *indexer.Index, stats indexer.UpdateStats) {
	s.idx.Store(idx)
	s.buildErr.Store(nil)
	s.indexUpdated(context.Background(), stats)
}

// SetBuildError records that the index could not be built; /readyz and
// searches say so (503) until a later SetIndex.
func (s *Server) SetBuildError(err error) {
	s.buildErr.Store(&err)
}

// readyIndex returns the index, or an Unavailable error while it builds.
// Every handler that reads the index goes through it.
func (s *Server) readyIndex() (*indexer.Index, error) {
	if idx := s.idx.Load(); idx != nil {
		return idx, nil
	}
	if p := s.buildErr.Load(); p != nil {
		return nil, unavailable("the index could not be built; see the server log", *p)
	}
	msg := "index is building"
	if p := s.progress.Load(); p != nil && p.total > 0 {
		msg = fmt.Sprintf("index is building (%d of %d records)", p.done, p.total)
	}
	return nil, unavailable(msg, nil)
}

// Start serves on ln until Shutdown; it returns nil after a clean shutdown.
func (s *Server) Start(ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.e,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	if s.cfg.RequestTimeout > 0 {
		// Room for the handler's own time-out answer to be written.
		hs.WriteTimeout = s.cfg.RequestTimeout + 5*time.Second
	}
	s.mu.Lock()
	s.http = hs
	s.mu.Unlock()
	if err := s.startAlerts(context.Background()); err != nil {
		return fmt.Errorf("server: start alerts: %w", err)
	}
	err := hs.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("server: %w", err)
}

// Shutdown stops accepting requests, lets in-flight ones finish (until ctx
// ends), stops the alerts and closes the index.
func (s *Server) Shutdown(ctx context.Context) error {
	var errs []error
	s.mu.Lock()
	hs := s.http
	s.mu.Unlock()
	if hs != nil {
		if err := hs.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("server: shutdown: %w", err))
		}
	}
	if err := s.stopAlerts(ctx); err != nil {
		errs = append(errs, fmt.Errorf("server: stop alerts: %w", err))
	}
	if idx := s.idx.Swap(nil); idx != nil {
		if err := idx.Close(); err != nil {
			errs = append(errs, fmt.Errorf("server: close index: %w", err))
		}
	}
	return errors.Join(errs...)
}
