package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"dialoguesearch/corpus"
)

// cmdParse prints the records parsed from the files given as a JSON array,
// in the order given; a file that cannot be parsed is reported on stderr
// (one line per file) and left out. It fails only when no file parsed.
func cmdParse(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("parse", "usage: dialoguesearch parse [--rules DIR] FILE...\n       dialoguesearch parse [--rules DIR] --check DIR\n\nParse record files (text or HTML) and print them as a JSON array, in the order given.\nA sidecar file NAME.meta.yaml next to a record overrides its fields.\n", stderr)
	rulesDir := fs.String("rules", "", "directory of your own data files ("+strings.Join(corpus.DataFiles, ", ")+") replacing the embedded ones")
	check := fs.String("check", "", "print a table of the records in `DIR` with missing or uncertain fields (and the files that did not parse) instead of JSON")
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
	if *check != "" {
		return checkRecords(rules, *check, stdout, stderr)
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	recs := []*corpus.Record{}
	for _, l := range corpus.ParseAll(fs.Args(), func(name string) (*corpus.Record, error) { return parseFile(rules, name) }) {
		if l.Err != nil {
			fmt.Fprintf(stderr, "dialoguesearch parse: %v\n", l.Err)
			continue
		}
		recs = append(recs, l.Record)
	}
	out, err := recordsJSON(recs)
	if err == nil {
		_, err = stdout.Write(out)
	}
	if err != nil {
		fmt.Fprintf(stderr, "dialoguesearch parse: %v\n", err)
		return 1
	}
	if len(recs) == 0 {
		return 1
	}
	return 0
}

// recordsJSON is what a json.Encoder with SetIndent("", "  ") and
// SetEscapeHTML(false) writes for recs, made a record at a time: each
// encoded compact and indented by indentJSON, which needs no scanner (the
// encoder's indentation pass was most of the command's JSON time).
func recordsJSON(recs []*corpus.Record) ([]byte, error) {
	if len(recs) == 0 {
		return []byte("[]\n"), nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	out := []byte{'['}
	for i, r := range recs {
		buf.Reset()
		if err := enc.Encode(r); err != nil {
			return nil, err
		}
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, "\n  "...)
		out = indentJSON(out, bytes.TrimSuffix(buf.Bytes(), []byte("\n")), 1)
	}
	return append(out, "\n]\n"...), nil
}

// indentJSON appends src, compact JSON as encoding/json writes it (no
// space outside strings), indented by two spaces a level from depth, as
// json.Indent does it: an empty object or array stays {} or [].
func indentJSON(dst, src []byte, depth int) []byte {
	newline := func(depth int) {
		dst = append(dst, '\n')
		for range depth {
			dst = append(dst, "  "...)
		}
	}
	open := false // after { or [: the newline waits, so {} and [] stay so
	for i := 0; i < len(src); i++ {
		c := src[i]
		if open && c != '}' && c != ']' {
			open = false
			depth++
			newline(depth)
		}
		switch c {
		case '"': // the string as it is, to its closing quote
			j := i + 1
			for j < len(src) && src[j] != '"' {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			dst = append(dst, src[i:min(j+1, len(src))]...)
			i = j
		case '{', '[':
			open = true
			dst = append(dst, c)
		case ',':
			dst = append(dst, c)
			newline(depth)
		case ':':
			dst = append(dst, c, ' ')
		case '}', ']':
			if open {
				open = false
			} else {
				depth--
				newline(depth)
			}
			dst = append(dst, c)
		default:
			dst = append(dst, c)
		}
	}
	return dst
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
	var sidecar []byte
	for _, s := range corpus.SidecarNames(name) {
		if b, err := os.ReadFile(s); err == nil {
			sidecar = b
			break
		}
	}
	return rules.ParseWithSidecar(f, name, sidecar)
}

// checkRecords prints one line per record of dir that needs review (a
// missing or uncertain field, or a file that does not look like a dialogue
// record) and per file that did not parse. It returns 0 when every record
// is complete, 1 when some need review.
func checkRecords(rules *corpus.Rules, dir string, stdout, stderr io.Writer) int {
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		fmt.Fprintf(stderr, "dialoguesearch parse: --check %s: not a directory\n", dir)
		return 2
	}
	recs, problems := rules.Load(os.DirFS(dir))
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FILE\tDATE\tSERIES\tNO.\tLOCATION\tPRINCIPALS\tREVIEW")
	n := 0
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	for _, r := range recs {
		if !r.NeedsReview() {
			continue
		}
		n++
		num := "-"
		if r.Meeting.Number > 0 {
			num = strconv.Itoa(r.Meeting.Number)
		}
		date := dash(string(r.Date))
		if r.DateInferred {
			date += "?"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", r.Source, date, dash(r.Meeting.Series), num, dash(r.Location), len(r.Principals), strings.Join(r.Review, "; "))
	}
	for _, p := range problems {
		n++
		fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\tdid not parse: %v\n", p.File, p.Err)
	}
	tw.Flush()
	fmt.Fprintf(stdout, "%d of %d files need review (fix a record with a sidecar file NAME.meta.yaml; see docs/corpus.md)\n", n, len(recs)+len(problems))
	if n > 0 {
		return 1
	}
	return 0
}
