package app

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	"dialoguesearch/alert"
	"dialoguesearch/indexer"
)

// kidd27 is another record not in the default corpus about operational
// control.
var kidd27 = strings.ReplaceAll(strings.ReplaceAll(kidd25, "25th", "27th"), "2025", "2027")

// No alert match is lost when alerts.db fails after the index write
// succeeded: the next ingest (a retry or another record) and the next start
// catch up by themselves, exactly once.
func TestAlertWatermarkCatchesUp(t *testing.T) {
	data := t.TempDir()
	ctx := context.Background()
	a := openApp(t, Config{DataDir: data})
	if _, err := a.Build(ctx, nil); err != nil {
		t.Fatal(err)
	}
	svc, _ := a.Alerts()
	al, err := svc.Create(alert.Input{Settings: alert.Settings{Name: "OPCON", Search: alert.Search{Query: "operational control"}}})
	if err != nil {
		t.Fatal(err)
	}
	matches := func(svc *alert.Service) int {
		t.Helper()
		mp, err := svc.Matches(al.ID, al.ManageToken, 1, 100)
		if err != nil {
			t.Fatal(err)
		}
		return mp.Total
	}
	var failing atomic.Bool
	failing.Store(true)
	svc.SetWriteFault(failing.Load)

	// 1. The index write works, alerts.db does not: an error, the record
	// is searchable, no match yet.
	if _, err := a.Ingest(ctx, "kidd-25.txt", []byte(kidd25)); !errors.Is(err, alert.ErrInjectedFault) {
		t.Fatalf("ingest with alerts.db failing: %v", err)
	}
	idx, _ := a.Index()
	if res, err := idx.Search(ctx, indexer.Request{Query: `"25th Korea-U.S. Integrated Defense Dialogue"`}); err != nil || res.Total == 0 {
		t.Fatalf("the record is not searchable: %v", err)
	}
	if n := matches(svc); n != 0 {
		t.Fatalf("%d matches while alerts.db fails", n)
	}
	// 2. A retried ingest, the store working again: the match is found.
	failing.Store(false)
	in, err := a.Ingest(ctx, "kidd-25.txt", []byte(kidd25))
	if err != nil {
		t.Fatal(err)
	}
	if in.AlertMatches != 1 || matches(svc) != 1 {
		t.Errorf("retried ingest: %d new matches, %d in all; want 1", in.AlertMatches, matches(svc))
	}
	// 3. The same again, caught up at the next start instead.
	failing.Store(true)
	if _, err := a.Ingest(ctx, "kidd-27.txt", []byte(kidd27)); err == nil {
		t.Fatal("ingest with alerts.db failing did not fail")
	}
	if err := a.Close(ctx); err != nil {
		t.Fatal(err)
	}
	b := openApp(t, Config{DataDir: data})
	up, err := b.Build(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc, _ = b.Alerts()
	if up.AlertMatches != 1 || matches(svc) != 2 {
		t.Errorf("start after the failure: %d new matches, %d in all; want 1 and 2", up.AlertMatches, matches(svc))
	}
	// Exactly once: nothing is found again.
	if _, err := b.Ingest(ctx, "kidd-27.txt", []byte(kidd27)); err != nil {
		t.Fatal(err)
	}
	idx, _ = b.Index()
	if n, err := b.afterIndex(ctx, idx, indexer.UpdateStats{}); err != nil || n != 0 || matches(svc) != 2 {
		t.Errorf("another run: %d new, %d in all, %v; want 0 and 2", n, matches(svc), err)
	}
}
