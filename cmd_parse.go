package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"dialoguesearch/corpus"
)

func init() { commands["parse"] = cmdParse }

// cmdParse prints the records parsed from the files given as a JSON array,
// in the order given; a file that cannot be parsed is reported on stderr
// (one line per file) and left out. It fails only when no file parsed.
func cmdParse(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("parse", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: dialoguesearch parse FILE...\n\nParse record files (text or HTML) and print them as a JSON array, in the order given.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	recs := []*corpus.Record{}
	for _, name := range fs.Args() {
		rec, err := parseFile(name)
		if err != nil {
			fmt.Fprintf(stderr, "dialoguesearch parse: %v\n", err)
			continue
		}
		recs = append(recs, rec)
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(recs); err != nil {
		fmt.Fprintf(stderr, "dialoguesearch parse: %v\n", err)
		return 1
	}
	if len(recs) == 0 {
		return 1
	}
	return 0
}

func parseFile(name string) (*corpus.Record, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.IsDir() {
		return nil, fmt.Errorf("%s: is a directory, not a record file", name)
	}
	return corpus.Parse(f, name)
}
