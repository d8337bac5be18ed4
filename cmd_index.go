package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"time"

	"github.com/schollz/progressbar/v3"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
	"dialoguesearch/indexer"
	"dialoguesearch/server"
)

func init() { commands["index"] = cmdIndex }

// progressAfter is how much work makes the index command show a progress bar.
const progressAfter = 200 // records

// cmdIndex builds or updates the index of the data dir from the corpus:
// new and changed records are (re)indexed, removed ones deleted, unchanged
// ones skipped. Run twice, the second run does nothing.
func cmdIndex(args []string, stdout, stderr io.Writer) int {
	cfg := defaultConfig()
	fset := flag.NewFlagSet("index", flag.ContinueOnError)
	fset.SetOutput(stderr)
	cfg.bindCommon(fset)
	cfg.bindAlerts(fset) // cmd_alerts.go: links and delivery of the alerts the new paragraphs fire
	quiet := fset.Bool("quiet", false, "no progress bar")
	fset.Usage = func() {
		fmt.Fprintln(stderr, "usage: dialoguesearch index [--corpus DIR] [--data DIR]\n\nBuild or update the search index: new and changed records are indexed, removed ones deleted.")
		fset.PrintDefaults()
	}
	if err := parseFlags(fset, args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		fmt.Fprintf(stderr, "dialoguesearch index: %v\n", err)
		return 2
	}
	if fset.NArg() > 0 {
		fset.Usage()
		return 2
	}
	fsys, err := corpusFS(cfg.CorpusDir)
	if err != nil {
		fmt.Fprintf(stderr, "dialoguesearch index: %v\n", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	start := time.Now()
	recs, problems := corpus.Load(fsys)
	// Records ingested through a server's API are part of the corpus too.
	recs, more := server.WithIngested(recs, cfg.DataDir)
	problems = append(problems, more...)
	for _, p := range problems {
		fmt.Fprintf(stderr, "dialoguesearch index: skipped %v\n", p)
	}
	idx, err := indexer.Open(cfg.DataDir)
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
	st, err := idx.Sync(ctx, recs, progress)
	if bar != nil {
		bar.Finish()
	}
	var aerr error
	if err == nil {
		// Saved alerts check the new paragraphs and deliver (cmd_alerts.go).
		aerr = alertsAfterIndex(ctx, cfg, idx, st, stdout)
	}
	cerr := idx.Close()
	if err != nil {
		fmt.Fprintf(stderr, "dialoguesearch index: %s\n", errorText(err))
		return 1
	}
	if cerr != nil {
		fmt.Fprintf(stderr, "dialoguesearch index: %v\n", cerr)
		return 1
	}
	fmt.Fprintf(stdout, "added %d, changed %d, removed %d, unchanged %d (%d paragraphs indexed, %d files skipped) in %s\n",
		st.Added, st.Changed, st.Removed, st.Unchanged, st.Paragraphs, len(problems), time.Since(start).Round(time.Millisecond))
	if aerr != nil {
		fmt.Fprintf(stderr, "dialoguesearch index: the index is updated, but the alerts failed: %s\n", errorText(aerr))
		return 1
	}
	return 0
}

// corpusFS is the corpus directory, or the embedded corpus when dir is "".
func corpusFS(dir string) (fs.FS, error) {
	if dir == "" {
		return corpus.Default(), nil
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("corpus directory %q: not a readable directory", dir)
	}
	return os.DirFS(dir), nil
}

// errorText is the message of err for a person: the failure message when
// it has one, else the error itself (the CLI is the operator's own tool).
func errorText(err error) string {
	if m := failure.Message(err); m != "" {
		return m
	}
	return err.Error()
}
