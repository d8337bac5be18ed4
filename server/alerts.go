package server

import (
	"context"
	"sync"
	"time"

	"dialoguesearch/alert"
	"dialoguesearch/indexer"
)

// AlertDeps is what the alert routes need from the caller (cmd_serve.go
// fills it).
type AlertDeps struct {
	// Service is the opened alert service; the server runs its deliverer
	// and closes it on Shutdown. nil turns alerts off (their routes answer
	// 503); ingest still works.
	Service *alert.Service
	// WatchInterval is how often serve --watch looks at the corpus dir;
	// default 3s.
	WatchInterval time.Duration
}

// alertState is the server's alert machinery: the background deliverer and
// the corpus watcher.
type alertState struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	ingest sync.Mutex // one ingest or watch update at a time
}

// startAlerts starts the deliverer and, with --watch, the corpus watcher;
// called by Start.
func (s *Server) startAlerts(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	s.alerts.cancel = cancel
	if svc := s.deps.Alerts.Service; svc != nil {
		s.alerts.wg.Go(func() { svc.Run(ctx) })
	}
	if s.cfg.Watch {
		if s.cfg.CorpusDir == "" {
			s.log.Warn("--watch needs --corpus: the embedded corpus never changes; not watching")
		} else {
			s.alerts.wg.Go(func() { s.watchCorpus(ctx) })
		}
	}
	return nil
}

// stopAlerts stops the background work and closes the alert store; called
// by Shutdown after in-flight requests finished and before the index closes.
func (s *Server) stopAlerts(ctx context.Context) error {
	if s.alerts.cancel != nil {
		s.alerts.cancel()
	}
	done := make(chan struct{})
	go func() { s.alerts.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	if svc := s.deps.Alerts.Service; svc != nil {
		return svc.Close()
	}
	return nil
}

// indexUpdated is called after the index changed (the background build on
// start, or any later sync), with what changed: the alerts check the new
// paragraphs.
func (s *Server) indexUpdated(ctx context.Context, stats indexer.UpdateStats) {
	svc, idx := s.deps.Alerts.Service, s.idx.Load()
	if svc == nil || idx == nil || len(stats.NewParagraphs) == 0 {
		return
	}
	n, err := svc.OnIndexed(ctx, idx, stats.NewParagraphs)
	if err != nil {
		s.log.Error("alerts: check new paragraphs", "err", err)
		return
	}
	s.log.Info("alerts checked", "new_paragraphs", len(stats.NewParagraphs), "matches", n)
}

// alertService returns the service, or a 503 when alerts are off.
func (s *Server) alertService() (*alert.Service, error) {
	if svc := s.deps.Alerts.Service; svc != nil {
		return svc, nil
	}
	return nil, unavailable("alerts are not enabled on this server", nil)
}
