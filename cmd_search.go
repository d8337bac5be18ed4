package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"

	"dialoguesearch/failure"
	"dialoguesearch/indexer"
)

// multiFlag collects a repeated flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// cmdSearch searches the index of the data dir and prints the hits as text
// or JSON (the API's Result).
func cmdSearch(args []string, stdout, stderr io.Writer) int {
	cfg := defaultConfig()
	fset := newFlagSet("search", "usage: dialoguesearch search [flags] QUERY\n\nSearch the index. QUERY: words, \"phrases\", +must -not, field:value, prefix*, fuzzy~, AND OR NOT ( ).\n", stderr)
	cfg.bindData(fset)
	var filters multiFlag
	fset.Var(&filters, "filter", "facet filter NAME=VALUE (repeatable; "+strings.Join(indexer.FacetNames, ", ")+")")
	from := fset.String("from", "", "from date YYYY-MM-DD (inclusive)")
	to := fset.String("to", "", "to date YYYY-MM-DD (inclusive)")
	sortBy := fset.String("sort", indexer.SortRelevance, "relevance, date (oldest first) or -date (newest first)")
	page := fset.Int("page", 1, "page, from 1")
	size := fset.Int("size", 10, fmt.Sprintf("hits per page (at most %d)", indexer.MaxPageSize))
	asJSON := fset.Bool("json", false, "print the result as JSON")
	facets := fset.Bool("facets", false, "print facet counts too (text output)")
	if code, ok := parseArgs(fset, flagsFirst(fset, args), "dialoguesearch search", stderr); !ok {
		return code
	}
	req := indexer.Request{Query: strings.Join(fset.Args(), " "), From: *from, To: *to, Sort: *sortBy, Page: *page, Size: *size}
	if len(filters) > 0 {
		req.Filters = map[string][]string{}
		for _, f := range filters {
			name, value, ok := strings.Cut(f, "=")
			if !ok {
				fmt.Fprintf(stderr, "dialoguesearch search: --filter %q is not NAME=VALUE\n", f)
				return 2
			}
			req.Filters[name] = append(req.Filters[name], value)
		}
	}
	if err := indexer.ValidateQuery(req.Query); err != nil {
		fmt.Fprintf(stderr, "dialoguesearch search: %s\n", errorText(err))
		return 2
	}
	idx, err := indexer.Open(cfg.App.DataDir)
	if err != nil {
		if failure.KindOf(err) == failure.Unavailable {
			fmt.Fprintf(stderr, "dialoguesearch search: data dir %s is in use by a running dialoguesearch server; search through it (GET /api/search?q=...)\n", cfg.App.DataDir)
			return 1
		}
		fmt.Fprintf(stderr, "dialoguesearch search: %s\n", errorText(err))
		return 1
	}
	defer idx.Close()
	if idx.Stats().Records == 0 {
		fmt.Fprintf(stderr, "dialoguesearch search: the index in %s is empty; run 'dialoguesearch index' first\n", cfg.App.DataDir)
		return 1
	}
	res, err := idx.Search(context.Background(), req)
	if err != nil {
		fmt.Fprintf(stderr, "dialoguesearch search: %s\n", errorText(err))
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			fmt.Fprintf(stderr, "dialoguesearch search: %v\n", err)
			return 1
		}
		return 0
	}
	printResult(stdout, req, res, *facets)
	return 0
}

// flagsFirst moves the flags after the query words ("search OPCON --json")
// before them, so that the flag package sees them; after "--" everything is
// query ("search -- -Japan").
func flagsFirst(fset *flag.FlagSet, args []string) []string {
	probe := flag.NewFlagSet("", flag.ContinueOnError)
	probe.SetOutput(io.Discard)
	fset.VisitAll(func(f *flag.Flag) { probe.Var(f.Value, f.Name, f.Usage) })
	var flags, words []string
	rest := args
	for len(rest) > 0 {
		if err := probe.Parse(rest); err != nil {
			return args // let the real parse report it
		}
		consumed := len(rest) - probe.NArg()
		flags = append(flags, rest[:consumed]...)
		if consumed > 0 && rest[consumed-1] == "--" {
			flags = flags[:len(flags)-1]
			words = append(words, probe.Args()...)
			break
		}
		if probe.NArg() == 0 {
			break
		}
		words = append(words, probe.Arg(0))
		rest = probe.Args()[1:]
	}
	return append(append(flags, "--"), words...)
}

var markTag = regexp.MustCompile(`</?mark>`)

// printResult writes res for a terminal: matches in *asterisks*.
func printResult(w io.Writer, req indexer.Request, res *indexer.Result, facets bool) {
	first := (max(req.Page, 1)-1)*max(min(req.Size, indexer.MaxPageSize), 1) + 1
	if res.Total == 0 {
		fmt.Fprintln(w, "no hits")
		if res.Suggestion != nil {
			fmt.Fprintf(w, "did you mean: %s\n", *res.Suggestion)
		}
		return
	}
	fmt.Fprintf(w, "%d hits, showing %d-%d\n\n", res.Total, first, first+len(res.Hits)-1)
	for i, h := range res.Hits {
		date := string(h.Date)
		if date == "" {
			date = "undated"
		}
		fmt.Fprintf(w, "%d. %s  %s  %s (%.2f)\n", first+i, h.ID, date, h.Meeting.Name, h.Score)
		fmt.Fprintf(w, "   %s\n", h.Title)
		if len(h.Speakers) > 0 {
			fmt.Fprintf(w, "   speakers: %s\n", strings.Join(h.Speakers, "; "))
		}
		snippet := markTag.ReplaceAllStringFunc(h.SnippetHTML, func(string) string { return "*" })
		fmt.Fprintf(w, "   %s\n", htmlUnescape(snippet))
		if len(h.Expansions) > 0 {
			fmt.Fprintf(w, "   matched: %s\n", strings.Join(h.Expansions, "; "))
		}
		fmt.Fprintln(w)
	}
	if facets {
		for _, name := range indexer.FacetNames {
			var parts []string
			for _, v := range res.Facets[name] {
				mark := ""
				if v.Selected {
					mark = "*"
				}
				parts = append(parts, fmt.Sprintf("%s%s (%d)", mark, v.Value, v.Count))
			}
			if len(parts) > 0 {
				fmt.Fprintf(w, "%s: %s\n", name, strings.Join(parts, ", "))
			}
		}
	}
}

var htmlEntities = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&quot;", `"`, "&amp;", "&")

func htmlUnescape(s string) string { return htmlEntities.Replace(s) }
