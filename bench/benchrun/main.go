// Command benchrun drives the peers of the benchmark (Lucene 4.10.4, SQLite
// FTS5, PostgreSQL), the HTTP load runs, and writes the report:
//
//	benchrun lucene|lucene8|sqlite|pg -n 100000 [-out bench/out] [-reps 3]
//	benchrun http -n 100000 -url http://127.0.0.1:8099 (our server, already started)
//	benchrun http -n 100000 -engine lucene|lucene8 (starts the Lucene driver)
//	benchrun ready -n 49000 -files DIR (record files to a ready server)
//	benchrun report -n 100000
//
// Each engine writes <engine>-N.json (mix.Run) into the out directory; the
// report checks the answers agree across engines (the correctness gate)
// before it lists any timing.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"dialoguesearch/bench/internal/mix"
)

type opts struct {
	n    int
	out  string
	reps int
	url  string
	port int
	dur  string
	rate int
	// engine: http: which Lucene to load when -url is empty.
	engine string
	// files: ready: the directory of record files.
	files string
	// root is the repository root (the Java drivers are compiled from it).
	root string
}

func main() {
	log.SetFlags(0)
	log.SetPrefix("benchrun: ")
	if len(os.Args) < 2 {
		log.Fatal("usage: benchrun lucene|lucene8|sqlite|pg|http|ready|report [flags]")
	}
	cmd := os.Args[1]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	var o opts
	fs.IntVar(&o.n, "n", 100000, "corpus size (paragraphs)")
	fs.StringVar(&o.out, "out", "bench/out", "directory with the generated inputs and the results")
	fs.IntVar(&o.reps, "reps", 3, "timed repetitions of the mix (after one warm-up)")
	fs.StringVar(&o.url, "url", "", "http: base URL of the server under load")
	fs.IntVar(&o.port, "port", 54329, "pg: private port; lucene http: port")
	fs.StringVar(&o.dur, "duration", "10s", "http: duration of each closed-loop run")
	fs.IntVar(&o.rate, "rate", 200, "http: open-loop total rate (requests/s)")
	fs.StringVar(&o.engine, "engine", "lucene", "http without -url: the Lucene peer to start (lucene or lucene8)")
	fs.StringVar(&o.files, "files", "", "ready: directory of record files (benchgen -files)")
	fs.StringVar(&o.root, "root", ".", "repository root (the Java drivers are compiled from it)")
	fs.Parse(os.Args[2:])
	var err error
	switch cmd {
	case "lucene", "lucene8":
		err = runLucene(o, lucenePeers[cmd])
	case "sqlite":
		err = runSQLite(o)
	case "pg":
		err = runPG(o)
	case "http":
		err = runHTTP(o)
	case "ready":
		err = runReady(o)
	case "report":
		err = report(o)
	default:
		err = fmt.Errorf("unknown command %q", cmd)
	}
	if err != nil {
		log.Fatal(err)
	}
}

func (o opts) path(format string, a ...any) string {
	return filepath.Join(o.out, fmt.Sprintf(format, a...))
}

// runMeasured runs a command and returns its combined output and the peak
// RSS of the process (getrusage of the child, in bytes).
func runMeasured(stdin string, name string, args ...string) (string, int64, float64, error) {
	c := exec.Command(name, args...)
	if stdin != "" {
		c.Stdin = strings.NewReader(stdin)
	}
	var out strings.Builder
	c.Stdout = &out
	c.Stderr = &out
	t := mix.Start()
	err := c.Run()
	secs := t.Seconds()
	var rss int64
	if c.ProcessState != nil {
		if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
			rss = ru.Maxrss * 1024
		}
	}
	if err != nil {
		s := out.String()
		if len(s) > 2000 {
			s = s[len(s)-2000:]
		}
		return out.String(), rss, secs, fmt.Errorf("%s: %w\n%s", name, err, s)
	}
	return out.String(), rss, secs, nil
}

// dirSize is the size in bytes of the files under dir.
func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}
