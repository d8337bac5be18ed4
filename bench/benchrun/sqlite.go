package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"dialoguesearch/bench/internal/mix"
)

// SQLite FTS5 through Debian's sqlite3 CLI (no SQLite dependency in the
// project's go.mod): external-content fts5 table over para, porter
// stemmer, bm25 ranking (ORDER BY rank), snippet(), and facet counts by
// GROUP BY over the narrow table pf.
type sqliteDialect struct{}

func ftsString(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// ftsExpr is the query as an FTS5 MATCH expression: each word or phrase
// quoted, alternatives ORed, clauses ANDed, exclusions by NOT.
func ftsExpr(q mix.Query) string {
	var pos, neg []string
	for _, c := range q.Clauses {
		if c.Field != "" {
			continue
		}
		var alts []string
		for _, a := range c.Any {
			alts = append(alts, ftsString(strings.Join(a, " ")))
		}
		e := strings.Join(alts, " OR ")
		if len(alts) > 1 {
			e = "(" + e + ")"
		}
		if c.Not {
			neg = append(neg, e)
		} else {
			pos = append(pos, e)
		}
	}
	e := strings.Join(pos, " AND ")
	if len(neg) > 0 {
		e = "(" + e + ") NOT (" + strings.Join(neg, " OR ") + ")"
	}
	return e
}

func (sqliteDialect) match(q mix.Query) string {
	return "SELECT rowid AS doc FROM fts WHERE fts MATCH " + mix.SQLQuote(ftsExpr(q)) + fieldClauses(q, "+rowid")
}

func (sqliteDialect) hits(q mix.Query, _ string) string {
	var filt strings.Builder
	filt.WriteString(fieldClauses(q, "+fts.rowid"))
	for _, f := range q.FilterFacets() {
		fmt.Fprintf(&filt, " AND +fts.rowid IN (%s)", facetFilter(f, q.Filters[f]))
	}
	return "SELECT 'H', p.pid, snippet(fts, 0, '<mark>', '</mark>', '…', 24) FROM fts JOIN para p ON p.id = fts.rowid WHERE fts MATCH " +
		mix.SQLQuote(ftsExpr(q)) + filt.String() + " ORDER BY rank LIMIT 10;\n"
}

func runSQLite(o opts) error {
	db := o.path("sqlite-%d.db", o.n)
	os.Remove(db)
	build := fmt.Sprintf(`PRAGMA journal_mode=OFF;
PRAGMA synchronous=OFF;
CREATE TABLE para(id INTEGER PRIMARY KEY, pid TEXT, text TEXT, series TEXT, meeting TEXT, speaker TEXT, topic TEXT, location TEXT, side TEXT, kind TEXT, year TEXT);
CREATE TABLE pf(doc INTEGER, facet TEXT, value TEXT);
.mode tabs
.import %s para
.import %s pf
CREATE VIRTUAL TABLE fts USING fts5(text, content='para', content_rowid='id', tokenize='porter unicode61');
INSERT INTO fts(fts) VALUES('rebuild');
INSERT INTO fts(fts) VALUES('optimize');
CREATE INDEX pf_doc ON pf(doc, facet, value);
CREATE INDEX pf_facet ON pf(facet, value, doc);
VACUUM;
`, o.path("paras-%d.tsv", o.n), o.path("facets-%d.tsv", o.n))
	_, buildRSS, buildSecs, err := runMeasured(build, "sqlite3", db)
	if err != nil {
		return err
	}
	fi, err := os.Stat(db)
	if err != nil {
		return err
	}
	qs, err := mix.ReadQueries(o.path("queries.jsonl"))
	if err != nil {
		return err
	}
	s := ".mode tabs\n.headers off\n.timer on\n" + script(sqliteDialect{}, qs, o.reps, func(m string) string { return ".print " + m + "\n" })
	_, _, openSecs, err := runMeasured("SELECT count(*) FROM fts WHERE fts MATCH 'alliance';\n", "sqlite3", db)
	if err != nil {
		return err
	}
	out, queryRSS, _, err := runMeasured(s, "sqlite3", db)
	if err != nil {
		return err
	}
	micros, outcomes, err := parseOutput(out, qs, o.reps, func(line string) (float64, bool) {
		// "Run Time: real 0.012 user 0.011 sys 0.000" (seconds, 1 ms resolution)
		if !strings.HasPrefix(line, "Run Time: real ") {
			return 0, false
		}
		f := strings.Fields(line)
		v, err := strconv.ParseFloat(f[3], 64)
		return v * 1000, err == nil
	})
	if err != nil {
		return err
	}
	ver, _, _, _ := runMeasured("", "sqlite3", "-version")
	r := &mix.Run{
		Engine: "SQLite FTS5", Version: strings.Fields(ver + " ?")[0], Paragraphs: o.n,
		BuildSeconds: buildSecs, SizeBytes: fi.Size(), OpenSeconds: openSecs, PeakRSSBytes: max(buildRSS, queryRSS),
		Micros: micros, Outcomes: outcomes,
		Notes: []string{"sqlite3 CLI, statement times from .timer (1 ms resolution), summed per query (hits+snippets statement, total+facets statement)",
			"build = .import of the TSV + fts rebuild + optimize + facet indexes + VACUUM; open = a CLI start with one query",
			"tokenize='porter unicode61': Porter (1) stemmer and no stop words, unlike the others (Snowball English)"},
	}
	return mix.WriteRun(o.path("sqlite-%d.json", o.n), r)
}
