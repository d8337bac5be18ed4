package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"dialoguesearch/corpus"
)

// cmdParse prints the records parsed from the files given as a JSON array,
// in the order given; a file that cannot be parsed is reported on stderr
// (one line per file) and left out. It fails only when no file parsed.
func cmdParse(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("parse", "usage: dialoguesearch parse [--rules DIR] FILE...\n\nParse record files (text or HTML) and print them as a JSON array, in the order given.\n", stderr)
	rulesDir := fs.String("rules", "", "directory of your own data files ("+strings.Join(corpus.DataFiles, ", ")+") replacing the embedded ones")
	if code, ok := parseArgs(fs, args, "dialoguesearch parse", stderr); !ok {
		return code
	}
	rules := corpus.DefaultRules()
	if *rulesDir != "" {
		r, err := corpus.LoadRules(os.DirFS(*rulesDir))
		if err != nil {
			fmt.Fprintf(stderr, "dialoguesearch parse: %v\n", err)
			return 2
		}
		rules = r
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	recs := []*corpus.Record{}
	for _, name := range fs.Args() {
		rec, err := parseFile(rules, name)
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

func parseFile(rules *corpus.Rules, name string) (*corpus.Record, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.IsDir() {
		return nil, fmt.Errorf("%s: is a directory, not a record file", name)
	}
	return rules.Parse(f, name)
}
