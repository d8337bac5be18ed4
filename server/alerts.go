package server

import (
	"context"

	"dialoguesearch/indexer"
)

// AlertDeps is what the alert routes need from the caller (cmd_serve.go
// fills it). Owned by the alerts feature (issue 6).
type AlertDeps struct{}

// alertState is the server's alert machinery (store, outbox, delivery).
// Owned by the alerts feature (issue 6).
type alertState struct{}

// registerAlertRoutes adds /api/alerts, /alerts/{id}.atom and ingest
// (POST /api/records). Owned by the alerts feature (issue 6); called from the
// route table in server.go.
func (s *Server) registerAlertRoutes() {}

// startAlerts starts background alert work (delivery); called by Start.
func (s *Server) startAlerts(ctx context.Context) error { return nil }

// stopAlerts stops background alert work and closes the alert store; called
// by Shutdown after in-flight requests finished and before the index closes.
func (s *Server) stopAlerts(ctx context.Context) error { return nil }

// indexUpdated is called after the index changed (the background build on
// start, or any later sync), with what changed.
func (s *Server) indexUpdated(ctx context.Context, stats indexer.UpdateStats) {}
