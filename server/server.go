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
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"dialoguesearch/alert"
	"dialoguesearch/app"
	"dialoguesearch/indexer"
)

// Config is the server's part of the program's configuration: what the
// HTTP layer itself reads.
type Config struct {
	CORSOrigins    []string      // allowed origins; empty means CORS off
	RateLimit      float64       // requests per second per client; 0 means no limit
	RateBurst      int           // burst per client
	RequestTimeout time.Duration // per request; 0 means none
	MaxBodyBytes   int64         // request body limit; 0 means the default (11 MiB)
	// TrustProxy takes the client address from X-Forwarded-For (behind a
	// reverse proxy); otherwise the connection's address is the client.
	TrustProxy bool
	AdminToken string // enables ingest and the alert list
}

// DefaultMaxBodyBytes is the request body limit when Config leaves it 0.
const DefaultMaxBodyBytes = 11 << 20

// Deps are the server's collaborators, made by the caller.
type Deps struct {
	Logger *slog.Logger // nil: discard
	// App is the application the handlers call. nil: one with no index
	// (every route that needs it answers 503) and no alerts.
	App *app.App
}

// Server serves the API and UI of an App.
type Server struct {
	cfg     Config
	log     *slog.Logger
	e       *echo.Echo
	metrics *metrics
	app     *app.App

	alertCreates *middleware.RateLimiterMemoryStore // anonymous alert creation, per client

	mu   sync.Mutex
	http *http.Server
}

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
	s := &Server{cfg: cfg, log: log, app: deps.App, alertCreates: newAlertCreateLimiter()}
	if s.app == nil {
		s.app = app.New(app.Config{}, nil, nil, log)
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
	e.GET("/api/search/citations", s.handleSearchCitations) // citations.go
	e.GET("/api/records", s.handleRecords)
	e.GET("/api/records/:id", s.handleRecord)
	e.GET("/api/records/:id/citations", s.handleRecordCitations)
	e.GET("/api/glossary", s.handleGlossary)
	e.GET("/api/paragraphs/:id/lineage", s.handleLineage) // api_lineage.go
	e.GET("/api/compare", s.handleCompare)
	e.GET("/api/compare.csv", s.handleCompareCSV)

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
	e.GET("/records/:id/original", s.handleUIRecordOriginal)
	e.GET("/glossary", s.handleUIGlossary)
	e.GET("/paragraphs/:id/lineage", s.handleUILineage) // ui_lineage.go
	e.GET("/compare", s.handleUICompare)
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
	e.POST("/alerts/:id/resume", s.handleUIAlertResume)
	e.POST("/alerts/:id/resend", s.handleUIAlertResend)
	e.GET("/alerts/:id/confirm", s.handleUIAlertConfirm)
	e.POST("/alerts/:id/confirm", s.handleUIAlertConfirm)
	e.GET("/alerts/:id/unsubscribe", s.handleUIAlertUnsubscribe)
	e.POST("/alerts/:id/unsubscribe", s.handleUIAlertUnsubscribe)
}

// Handler returns the server's HTTP handler (the router with middleware).
func (s *Server) Handler() http.Handler { return s.e }

// Logger returns the server's logger.
func (s *Server) Logger() *slog.Logger { return s.log }

// readyIndex returns the index, or an Unavailable error while it builds.
// Every handler that reads the index goes through it.
func (s *Server) readyIndex() (*indexer.Index, error) { return s.app.Index() }

// alertService returns the alert service, or a 503 when alerts are off.
func (s *Server) alertService() (*alert.Service, error) { return s.app.Alerts() }

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
	err := hs.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("server: %w", err)
}

// Shutdown stops accepting requests and lets in-flight ones finish (until
// ctx ends). The App is the caller's to close.
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
	return errors.Join(errs...)
}
