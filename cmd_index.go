package main

import (
	"context"
	"dialoguesearch/alert"
	"dialoguesearch/app"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"github.com/schollz/progressbar/v3"

	"dialoguesearch/failure"
)

// progressAfter is how much work makes the index command show a progress bar.
const progressAfter = 200 // records

// cmdIndex builds or updates the index of the data dir from the corpus:
// new and changed records are (re)indexed, removed ones deleted, unchanged
// ones skipped. Run twice, the second run does nothing.
func cmdIndex(args []string, stdout, stderr io.Writer) int {
	cfg := defaultConfig()
	fset := newFlagSet("index", "usage: dialoguesearch index [--corpus DIR] [--data DIR]\n\nBuild or update the search index: new and changed records are indexed, removed ones deleted.\n", stderr)
	cfg.bindData(fset)
	cfg.bindAlerts(fset) // links and delivery of the alerts the new paragraphs fire
	quiet := fset.Bool("quiet", false, "no progress bar")
	if code, ok := parseArgs(fset, args, "dialoguesearch index", stderr); !ok {
		return code
	}
	if fset.NArg() > 0 {
		fset.Usage()
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	start := time.Now()
	// Warnings only: the command prints its own summary.
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	a, err := app.Open(cfg.appConfig(log, cfg.baseURL()), log)
	if err != nil {
		fmt.Fprintf(stderr, "dialoguesearch index: %s\n", errorText(err))
		return 1
	}
	var bar *progressbar.ProgressBar
	progress := func(done, total int) {
		if *quiet || total < progressAfter {
			return
		}
		if bar == nil {
			bar = progressbar.NewOptions(total,
				progressbar.OptionSetWriter(stderr),
				progressbar.OptionSetDescription("indexing records"),
				progressbar.OptionShowCount(),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionClearOnFinish(),
			)
		}
		bar.Set(done)
	}
	// Build runs the saved alerts on the new paragraphs; they deliver below,
	// so that the index command notifies like the server does.
	up, err := a.Build(ctx, progress)
	if bar != nil {
		bar.Finish()
	}
	for _, p := range up.Skipped {
		fmt.Fprintf(stderr, "dialoguesearch index: skipped %v\n", p)
	}
	aerr := up.AlertErr
	var rep alert.DeliveryReport
	if err == nil && aerr == nil {
		svc, _ := a.Alerts()
		rep, aerr = svc.DeliverDue(ctx)
	}
	if aerr == nil && (up.AlertMatches > 0 || rep.Sent > 0 || rep.Failed > 0) {
		fmt.Fprintf(stdout, "alerts: %d new matches; %d notifications sent, %d failed (retried later)\n", up.AlertMatches, rep.Sent, rep.Failed)
	}
	// A fresh build answers before its segments are merged into one, in
	// the background: the command leaves the index merged.
	var merr error
	if err == nil {
		if idx, ierr := a.Index(); ierr == nil {
			merr = idx.WaitMerged(ctx)
		}
	}
	cerr := a.Close(context.Background())
	if err != nil {
		fmt.Fprintf(stderr, "dialoguesearch index: %s\n", errorText(err))
		return 1
	}
	if cerr != nil {
		fmt.Fprintf(stderr, "dialoguesearch index: %v\n", cerr)
		return 1
	}
	if merr != nil {
		fmt.Fprintf(stderr, "dialoguesearch index: the index is built, but its segments were not merged (they merge later): %s\n", errorText(merr))
		return 1
	}
	fmt.Fprintf(stdout, "added %d, changed %d, removed %d, unchanged %d (%d paragraphs indexed, %d files skipped; %d files parsed, %d unchanged files not parsed) in %s\n",
		up.Added, up.Changed, up.Removed, up.Unchanged, up.Paragraphs, len(up.Skipped), up.Parsed, up.Reused, time.Since(start).Round(time.Millisecond))
	if aerr != nil {
		fmt.Fprintf(stderr, "dialoguesearch index: the index is updated, but the alerts failed: %s\n", errorText(aerr))
		return 1
	}
	return 0
}

// errorText is the message of err for a person: the failure message when
// it has one, else the error itself (the CLI is the operator's own tool).
func errorText(err error) string {
	if m := failure.Message(err); m != "" {
		return m
	}
	return err.Error()
}
