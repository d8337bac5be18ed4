package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"dialoguesearch/corpus"
)

// writeRecordFiles writes each record as a record file in the shipped
// records' shape (corpus/records): a name of date, series, number and kind
// (2024-04-11-kidd-24-joint-press-statement.txt), a title line, the date
// line, then numbered paragraphs separated by blank lines, the principals
// named in the first, so that `dialoguesearch serve --corpus DIR` parses
// them as it parses real records.
func writeRecordFiles(dir string, recs []*corpus.Record) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, r := range recs {
		if err := writeRecordFile(dir, r); err != nil {
			return err
		}
	}
	return nil
}

func slug(s string) string {
	s = strings.NewReplacer("é", "e", ".", "", ",", "").Replace(strings.ToLower(s))
	return strings.Join(strings.Fields(s), "-")
}

// recordFileName is date-series-number-kind.txt.
func recordFileName(r *corpus.Record) string {
	// the ID is synth-<series>-<number>-<date>: the number keeps two
	// meetings of a series (and the unnumbered ministerials) apart
	base := strings.TrimSuffix(r.ID, "-"+string(r.Date))
	no := strings.TrimLeft(base[strings.LastIndexByte(base, '-')+1:], "0")
	return fmt.Sprintf("%s-%s-%s-%s.txt", r.Date, slug(r.Meeting.Series), no, slug(r.Kind))
}

func writeRecordFile(dir string, r *corpus.Record) error {
	f, err := os.Create(filepath.Join(dir, recordFileName(r)))
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "%s\n\n", r.Title)
	if d, err := time.Parse("2006-01-02", string(r.Date)); err == nil {
		fmt.Fprintf(w, "%s\n\n", d.Format("January 2, 2006"))
	}
	var us, rok string
	for _, p := range r.Principals {
		if p.Side == corpus.SideUS {
			us = p.Name
		} else {
			rok = p.Name
		}
	}
	fmt.Fprintf(w, "U.S. Secretary of Defense %s and ROK Minister of National Defense %s met in %s on %s.\n\n", us, rok, r.Location, r.Date)
	for _, p := range r.Paragraphs {
		if p.Number != "" {
			fmt.Fprintf(w, "%s. ", p.Number)
		}
		fmt.Fprintf(w, "%s\n\n", p.Text)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
