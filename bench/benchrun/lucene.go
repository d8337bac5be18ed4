package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"dialoguesearch/bench/internal/mix"
)

// luceneClasspath is Debian's liblucene4.10-java jars plus the compiled driver.
func luceneClasspath(out string) (string, error) {
	var jars []string
	for _, m := range []string{"core", "analyzers-common", "highlighter", "queryparser", "facet", "queries"} {
		j := "/usr/share/java/lucene-" + m + "-4.10.4.jar"
		if _, err := os.Stat(j); err != nil {
			return "", fmt.Errorf("lucene: %w (apt-get install liblucene4.10-java)", err)
		}
		jars = append(jars, j)
	}
	return strings.Join(append(jars, filepath.Join(out, "lucene-classes")), ":"), nil
}

func runLucene(o opts) error {
	cp, err := luceneClasspath(o.out)
	if err != nil {
		return err
	}
	dir := o.path("lucene-%d", o.n)
	os.RemoveAll(dir)
	res, buildRSS, _, err := runMeasured("", "java", "-Xmx2g", "-cp", cp, "Bench", "index", o.path("paras-%d.tsv", o.n), dir, o.path("stopwords.txt"))
	if err != nil {
		return err
	}
	var b struct {
		Paragraphs   int     `json:"paragraphs"`
		BuildSeconds float64 `json:"build_seconds"`
	}
	if err := json.Unmarshal([]byte(lastLine(res)), &b); err != nil {
		return fmt.Errorf("lucene index output %q: %w", res, err)
	}
	tmp := o.path("lucene-raw-%d.json", o.n)
	_, queryRSS, _, err := runMeasured("", "java", "-Xmx2g", "-cp", cp, "Bench", "query", dir, o.path("queries.tsv"), o.path("stopwords.txt"), tmp, fmt.Sprint(o.reps))
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(tmp)
	if err != nil {
		return err
	}
	var r mix.Run
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("lucene query output: %w", err)
	}
	r.Paragraphs = b.Paragraphs
	r.BuildSeconds = b.BuildSeconds
	r.SizeBytes = dirSize(dir)
	r.PeakRSSBytes = max(buildRSS, queryRSS)
	r.Notes = append(r.Notes, "JVM -Xmx2g; build = add all + forceMerge(1), timed inside the JVM; open = DirectoryReader + SortedSetDocValuesReaderState",
		"analysis: StandardTokenizer, lower case, Snowball stop list, Snowball English (Porter2) stemmer; no acronym expansion beyond the mix's OR clauses")
	return mix.WriteRun(o.path("lucene-%d.json", o.n), &r)
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
