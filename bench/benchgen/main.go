// Command benchgen writes the benchmark inputs: the deterministic synthetic
// corpus of N paragraphs of indexer/synth (the one generator of the
// project, also used by the indexer's tests and Go benchmarks), built from
// the vocabulary of the real records
// (records-N.jsonl for our engine, paras-N.tsv and facets-N.tsv for the
// peers) and the fixed mix of 1,000 queries (queries.jsonl, queries.tsv,
// queries.txt), which depends on the vocabulary only, not on N.
//
//	go run ./bench/benchgen -n 100000 -out bench/out
//	go run ./bench/benchgen -n 49000 -out bench/out -files bench/out/files-49000
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"dialoguesearch/bench/internal/mix"
	"dialoguesearch/corpus"
	"dialoguesearch/indexer/synth"
)

func main() {
	n := flag.Int("n", 100000, "paragraphs to generate")
	out := flag.String("out", "bench/out", "output directory")
	seed := flag.Uint64("seed", 7, "random seed")
	files := flag.String("files", "", "also write the corpus as record files in the shipped records' shape into this directory (for the record-files-to-ready benchmark)")
	editions := flag.Bool("editions", false, "each meeting of a series reuses the previous one's paragraphs (carried over, reworded, dropped, added), as the real series do; off for the benchmark mix so figures stay comparable across rounds")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	v := synth.Default()
	recs := v.GenerateWith(*n, *seed, synth.Options{Editions: *editions})
	if err := writeRecords(filepath.Join(*out, fmt.Sprintf("records-%d.jsonl", *n)), recs); err != nil {
		log.Fatal(err)
	}
	if err := writePeerFiles(*out, *n, recs); err != nil {
		log.Fatal(err)
	}
	if *files != "" {
		if err := writeRecordFiles(*files, recs); err != nil {
			log.Fatal(err)
		}
	}
	qs := Queries(v, *seed)
	if err := writeQueries(*out, qs, v.Freq); err != nil {
		log.Fatal(err)
	}
	words := 0
	for _, r := range recs {
		for _, p := range r.Paragraphs {
			words += len(strings.Fields(p.Text))
		}
	}
	fmt.Printf("benchgen: %d records, %d paragraphs, %d words, vocabulary %d, %d queries -> %s\n",
		len(recs), *n, words, len(v.Words), len(qs), *out)
}

func writeRecords(path string, recs []*corpus.Record) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writePeerFiles writes paras-N.tsv (docno, id, text, then the facets,
// multi-values joined with |) and facets-N.tsv (docno, facet, value).
func writePeerFiles(dir string, n int, recs []*corpus.Record) error {
	pf, err := os.Create(filepath.Join(dir, fmt.Sprintf("paras-%d.tsv", n)))
	if err != nil {
		return err
	}
	defer pf.Close()
	ff, err := os.Create(filepath.Join(dir, fmt.Sprintf("facets-%d.tsv", n)))
	if err != nil {
		return err
	}
	defer ff.Close()
	pw, fw := bufio.NewWriterSize(pf, 1<<20), bufio.NewWriterSize(ff, 1<<20)
	doc := 0
	for _, r := range recs {
		for _, p := range r.Paragraphs {
			doc++
			vals := FacetValues(r, p)
			fmt.Fprintf(pw, "%d\t%s\t%s", doc, corpus.ParagraphID(r.ID, p.N), p.Text)
			for _, f := range mix.Facets {
				fmt.Fprintf(pw, "\t%s", strings.Join(vals[f], "|"))
				for _, v := range vals[f] {
					fmt.Fprintf(fw, "%d\t%s\t%s\n", doc, f, v)
				}
			}
			pw.WriteByte('\n')
		}
	}
	if err := pw.Flush(); err != nil {
		return err
	}
	if err := fw.Flush(); err != nil {
		return err
	}
	if err := pf.Close(); err != nil {
		return err
	}
	return ff.Close()
}

// FacetValues are a paragraph's facet values as the peers index them:
// record metadata copied onto the paragraph, as the indexer does.
func FacetValues(r *corpus.Record, p corpus.Paragraph) map[string][]string {
	m := map[string][]string{
		"series":   {r.Meeting.Series},
		"meeting":  {r.Meeting.Name},
		"speaker":  p.Speakers,
		"topic":    p.Topics,
		"location": {r.Location},
		"side":     p.Sides,
		"kind":     {r.Kind},
	}
	if y := r.Date.Year(); y != 0 {
		m["year"] = []string{strconv.Itoa(y)}
	}
	for k, vs := range m {
		var keep []string
		for _, v := range vs {
			if v != "" {
				keep = append(keep, v)
			}
		}
		m[k] = keep
	}
	return m
}
