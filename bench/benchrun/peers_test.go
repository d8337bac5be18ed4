package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"dialoguesearch/bench/internal/mix"
)

// tinyCorpus is small enough to check every answer by hand.
// Columns: docno, id, text, series, meeting, speaker, topic, location, side, kind, year.
var tinyCorpus = []string{
	"1\tr1-p1\tExtended deterrence remains strong\tSCM\t55th SCM\tLloyd J. Austin III\textended deterrence|nuclear\tSeoul\tU.S.\tfact sheet\t2023",
	"2\tr2-p1\tThe alliance discussed deterrence and cyber\tKIDD\t24th KIDD\t\tcyber\tSeoul\t\tfact sheet\t2023",
	"3\tr3-p1\tOperational control transition was reviewed\tSCM\t54th SCM\t\tOPCON transition\tWashington, D.C.\t\tjoint communiqué\t2022",
	"4\tr4-p1\tOPCON transition conditions met\tKIDD\t25th KIDD\t\t\tSeoul\t\tfact sheet\t2024",
	"5\tr5-p1\tDeterring aggression requires deterrence\tSCM\t56th SCM\tShin Won-sik\t\tSeoul\tROK\tjoint communiqué\t2024",
	"6\tr6-p1\tCyber cooperation expanded\tMCM\t48th MCM\t\tcyber\tSeoul\t\tfact sheet\t2022",
}

func term(w string) mix.Clause { return mix.Clause{Any: [][]string{{w}}} }

var tinyQueries = []mix.Query{
	{ID: 1, Class: "frequent", Q: "deterrence", Clauses: []mix.Clause{term("deterrence")}},
	{ID: 2, Class: "phrase", Q: `"extended deterrence"`, Clauses: []mix.Clause{{Any: [][]string{{"extended", "deterrence"}}}}},
	{ID: 3, Class: "acronym", Q: "OPCON", Clauses: []mix.Clause{{Any: [][]string{{"opcon"}, {"operational", "control"}}}}},
	{ID: 4, Class: "boolean", Q: "deterrence -cyber", Clauses: []mix.Clause{term("deterrence"), {Any: [][]string{{"cyber"}}, Not: true}}},
	{ID: 5, Class: "drilldown", Q: "deterrence", Clauses: []mix.Clause{term("deterrence")}, Filters: map[string][]string{"series": {"SCM"}}},
	{ID: 6, Class: "field", Q: "deterrence series:KIDD", Clauses: []mix.Clause{term("deterrence"), {Field: "series", Value: "KIDD"}}},
	{ID: 7, Class: "drilldown", Q: "transition", Clauses: []mix.Clause{term("transition")}, Filters: map[string][]string{"series": {"SCM", "MCM"}, "year": {"2024"}}},
}

// want is checked by hand against tinyCorpus. "Deterring" stems to deter,
// not deterr, in both Porter stemmers, so it does not match deterrence.
var want = map[int]struct {
	total  int64
	facets map[string]map[string]int
}{
	1: {3, map[string]map[string]int{"series": {"SCM": 2, "KIDD": 1}, "year": {"2023": 2, "2024": 1}, "topic": {"cyber": 1, "extended deterrence": 1, "nuclear": 1}}},
	2: {1, map[string]map[string]int{"series": {"SCM": 1}}},
	3: {2, map[string]map[string]int{"series": {"SCM": 1, "KIDD": 1}, "location": {"Seoul": 1, "Washington, D.C.": 1}}},
	4: {2, map[string]map[string]int{"series": {"SCM": 2}, "side": {"U.S.": 1, "ROK": 1}}},
	// Disjunctive: the series counts ignore the series selection.
	5: {2, map[string]map[string]int{"series": {"SCM": 2, "KIDD": 1}, "year": {"2023": 1, "2024": 1}}},
	6: {1, map[string]map[string]int{"series": {"KIDD": 1}, "meeting": {"24th KIDD": 1}}},
	// transition: docs 3 (SCM 2022) and 4 (KIDD 2024). series in (SCM, MCM)
	// and year 2024 match nothing; series counts ignore the series filter
	// (year 2024: KIDD 1), year counts ignore the year filter (SCM: 2022 1).
	7: {0, map[string]map[string]int{"series": {"KIDD": 1}, "year": {"2022": 1}}},
}

func writeTiny(t *testing.T) opts {
	t.Helper()
	dir := t.TempDir()
	n := len(tinyCorpus)
	var facets strings.Builder
	for _, line := range tinyCorpus {
		f := strings.Split(line, "\t")
		for i, name := range mix.Facets {
			if f[3+i] == "" {
				continue
			}
			for _, v := range strings.Split(f[3+i], "|") {
				fmt.Fprintf(&facets, "%s\t%s\t%s\n", f[0], name, v)
			}
		}
	}
	var qj, qt strings.Builder
	for _, q := range tinyQueries {
		b, _ := json.Marshal(q)
		qj.Write(b)
		qj.WriteByte('\n')
		fmt.Fprintf(&qt, "%d\t%s\t%s\t%s\n", q.ID, q.Class, mix.EncodeClauses(q.Clauses), mix.EncodeFilters(q))
	}
	files := map[string]string{
		fmt.Sprintf("paras-%d.tsv", n):  strings.Join(tinyCorpus, "\n") + "\n",
		fmt.Sprintf("facets-%d.tsv", n): facets.String(),
		"queries.jsonl":                 qj.String(),
		"queries.tsv":                   qt.String(),
		"stopwords.txt":                 "the\nand\nwas\n",
	}
	for name, s := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return opts{n: n, out: dir, reps: 1, port: 54391}
}

func checkRun(t *testing.T, path string) *mix.Run {
	t.Helper()
	r, err := mix.ReadRun(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Outcomes) != len(tinyQueries) {
		t.Fatalf("%s: %d outcomes, want %d", r.Engine, len(r.Outcomes), len(tinyQueries))
	}
	if len(r.Reps) != 1 || len(r.Micros[0]) != len(tinyQueries) {
		t.Errorf("%s: reps %v, micros %d", r.Engine, r.Reps, len(r.Micros))
	}
	for _, o := range r.Outcomes {
		w := want[o.ID]
		if o.Error != "" {
			t.Errorf("%s query %d: %s", r.Engine, o.ID, o.Error)
			continue
		}
		if o.Total != w.total {
			t.Errorf("%s query %d: total %d, want %d", r.Engine, o.ID, o.Total, w.total)
		}
		if int64(len(o.Hits)) != min(w.total, 10) {
			t.Errorf("%s query %d: %d hits, want %d", r.Engine, o.ID, len(o.Hits), min(w.total, 10))
		}
		for f, vals := range w.facets {
			for v, n := range vals {
				if got := o.Facets[f][v]; got != n {
					t.Errorf("%s query %d: facet %s=%q count %d, want %d (all: %v)", r.Engine, o.ID, f, v, got, n, o.Facets[f])
				}
			}
		}
	}
	return r
}

func TestSQLiteAnswersTinyCorpus(t *testing.T) {
	if _, err := exec.LookPath("sqlite3"); err != nil {
		t.Skip("sqlite3 CLI not installed (go tool task bench:deps)")
	}
	o := writeTiny(t)
	if err := runSQLite(o); err != nil {
		t.Fatal(err)
	}
	checkRun(t, o.path("sqlite-%d.json", o.n))
}

func TestLuceneAnswersTinyCorpus(t *testing.T) {
	for _, name := range []string{"lucene", "lucene8"} {
		t.Run(name, func(t *testing.T) {
			if _, err := exec.LookPath("javac"); err != nil {
				t.Skip("javac not installed")
			}
			p := lucenePeers[name]
			o := writeTiny(t)
			o.root = "../.."
			if p.name == "lucene8" && os.Getenv("LUCENE8_JARS") == "" {
				// the task unpacks the jars under the repository's bench/out
				t.Setenv("LUCENE8_JARS", filepath.Join(o.root, "bench/out/lucene8/usr/share/java"))
			}
			if _, err := p.classpath(o.out); err != nil {
				t.Skip(err)
			}
			if err := runLucene(o, p); err != nil {
				t.Fatal(err)
			}
			checkRun(t, o.path("%s-%d.json", p.name, o.n))
		})
	}
}

func TestPostgreSQLAnswersTinyCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a PostgreSQL cluster")
	}
	if _, err := os.Stat(pgBin + "/initdb"); err != nil || os.Getuid() != 0 {
		t.Skip("needs Debian's postgresql and root (initdb runs as the postgres user)")
	}
	o := writeTiny(t)
	if err := os.Chmod(o.out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := runPG(o); err != nil {
		t.Fatal(err)
	}
	checkRun(t, o.path("pg-%d.json", o.n))
}

func TestGateFindsDisagreement(t *testing.T) {
	ref := &mix.Run{Engine: "a", Outcomes: []mix.Outcome{
		{ID: 1, Total: 3, Facets: map[string]map[string]int{"year": {"2023": 2}}},
		{ID: 2, Total: 1, Facets: map[string]map[string]int{"year": {"2023": 1}}},
		{ID: 3, Total: 5, Facets: map[string]map[string]int{"year": {"2024": 5}}},
	}}
	other := &mix.Run{Engine: "b", Outcomes: []mix.Outcome{
		{ID: 1, Total: 3, Facets: map[string]map[string]int{"year": {"2023": 2, "2022": 1}}},
		{ID: 2, Total: 2, Facets: map[string]map[string]int{"year": {"2023": 1}}},
		{ID: 3, Total: 5, Facets: map[string]map[string]int{"year": {"2024": 4}}},
	}}
	g := compareRuns(ref, other, map[int]string{1: "x", 2: "x", 3: "y"})
	if g.compared != 3 || g.totals != 2 || g.facets != 2 {
		t.Errorf("compared %d totals %d facets %d, want 3 2 2", g.compared, g.totals, g.facets)
	}
	if g.byClass["x"] != [2]int{2, 1} || g.byClass["y"] != [2]int{1, 0} {
		t.Errorf("by class %v", g.byClass)
	}
	if len(g.examples) != 2 {
		t.Errorf("examples %q", g.examples)
	}
}

func TestParseLoadOutputs(t *testing.T) {
	wrk := `Running 10s test @ http://127.0.0.1:8099
  1 threads and 16 connections
  Latency Distribution
     50%    5.12ms
     75%    7.00ms
     90%    9.50ms
     99%    1.20s
  12345 requests in 10.00s, 50.00MB read
  Non-2xx or 3xx responses: 12
Requests/sec:   1234.50
`
	r := parseWrk(wrk)
	if r.ReqPerSec != 1234.5 || r.P50 != 5.12 || r.P90 != 9.5 || r.P99 != 1200 || !strings.Contains(r.Errors, "Non-2xx") {
		t.Errorf("wrk parsed as %+v", r)
	}
	hey := `Summary:
  Requests/sec:	199.8
Latency distribution:
  10% in 0.0010 secs
  50% in 0.0021 secs
  90% in 0.0040 secs
  99% in 0.0150 secs
Status code distribution:
  [200]	1990 responses
  [503]	8 responses
`
	h := parseHey(hey)
	if h.ReqPerSec != 199.8 || h.P50 != 2.1 || h.P99 != 15 || !strings.Contains(h.Errors, "[503] 8") {
		t.Errorf("hey parsed as %+v", h)
	}
}
