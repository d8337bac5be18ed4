package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"dialoguesearch/bench/internal/mix"
)

// PostgreSQL full-text search in a private cluster (initdb as the postgres
// user, 127.0.0.1 and a private port, trust auth), driven through psql:
// generated tsvector + GIN, ts_rank_cd, ts_headline on the top 10 only,
// facet counts grouped over the narrow table pf.
type pgDialect struct{}

const pgBin = "/usr/lib/postgresql/15/bin"

// tsq is the query as a tsquery expression.
func tsq(q mix.Query) string {
	var parts []string
	for _, c := range q.Clauses {
		if c.Field != "" {
			continue
		}
		var alts []string
		for _, a := range c.Any {
			if len(a) == 1 {
				alts = append(alts, "plainto_tsquery('english', "+mix.SQLQuote(a[0])+")")
			} else {
				alts = append(alts, "phraseto_tsquery('english', "+mix.SQLQuote(strings.Join(a, " "))+")")
			}
		}
		e := "(" + strings.Join(alts, " || ") + ")"
		if c.Not {
			e = "!!" + e
		}
		parts = append(parts, e)
	}
	return strings.Join(parts, " && ")
}

func (pgDialect) match(q mix.Query) string {
	return "SELECT id AS doc FROM para WHERE tsv @@ (" + tsq(q) + ")" + fieldClauses(q, "id")
}

func (pgDialect) hits(q mix.Query, _ string) string {
	var filt strings.Builder
	filt.WriteString(fieldClauses(q, "id"))
	for _, f := range q.FilterFacets() {
		fmt.Fprintf(&filt, " AND id IN (%s)", facetFilter(f, q.Filters[f]))
	}
	return "WITH q AS (SELECT " + tsq(q) + " AS q), top AS (SELECT pid, text, ts_rank_cd(tsv, q.q) AS r FROM para, q WHERE tsv @@ q.q" + filt.String() +
		" ORDER BY r DESC LIMIT 10) SELECT 'H', pid, ts_headline('english', text, (SELECT q FROM q), 'StartSel=<mark>, StopSel=</mark>, MaxWords=35, MinWords=15') FROM top ORDER BY r DESC;\n"
}

type pgCluster struct {
	dir  string
	port int
}

func startPG(port int) (*pgCluster, error) {
	dir, err := os.MkdirTemp("", "dsbench-pg-")
	if err != nil {
		return nil, err
	}
	c := &pgCluster{dir: dir, port: port}
	if out, err := exec.Command("chown", "postgres:postgres", dir).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("chown: %v %s", err, out)
	}
	data := filepath.Join(dir, "data")
	if out, err := exec.Command("runuser", "-u", "postgres", "--", pgBin+"/initdb", "-D", data, "--auth=trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v %s", err, out)
	}
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -c port=%d -c unix_socket_directories=%s -c shared_buffers=512MB -c work_mem=64MB -c maintenance_work_mem=512MB -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c jit=off -c max_parallel_workers_per_gather=0", port, dir)
	if out, err := exec.Command("runuser", "-u", "postgres", "--", pgBin+"/pg_ctl", "-D", data, "-l", filepath.Join(dir, "log"), "-o", opts, "-w", "start").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pg_ctl start: %v %s", err, out)
	}
	return c, nil
}

func (c *pgCluster) stop() {
	exec.Command("runuser", "-u", "postgres", "--", pgBin+"/pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "fast", "-w", "stop").Run()
	os.RemoveAll(c.dir)
}

func (c *pgCluster) psql(stdin string, extra ...string) (string, float64, error) {
	args := append([]string{"-X", "-q", "-v", "ON_ERROR_STOP=0", "-h", "127.0.0.1", "-p", strconv.Itoa(c.port), "-U", "postgres", "-A", "-t", "-F", "\t"}, extra...)
	out, _, secs, err := runMeasured(stdin, "psql", args...)
	return out, secs, err
}

// peakRSS is the largest VmHWM among the cluster's processes.
func (c *pgCluster) peakRSS() int64 {
	var peak int64
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if !strings.Contains(string(cmd), "postgres") {
			continue
		}
		if env, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); env != nil {
			for _, l := range strings.Split(string(env), "\n") {
				if strings.HasPrefix(l, "VmHWM:") {
					f := strings.Fields(l)
					kb, _ := strconv.ParseInt(f[1], 10, 64)
					peak = max(peak, kb*1024)
				}
			}
		}
	}
	return peak
}

func runPG(o opts) error {
	c, err := startPG(o.port)
	if err != nil {
		return err
	}
	defer c.stop()
	abs := func(p string) string { a, _ := filepath.Abs(p); return a }
	build := fmt.Sprintf(`\timing off
CREATE TABLE para(id int PRIMARY KEY, pid text, text text, series text, meeting text, speaker text, topic text, location text, side text, kind text, year text);
CREATE TABLE pf(doc int, facet text, value text);
\copy para FROM '%s'
\copy pf FROM '%s'
ALTER TABLE para ADD COLUMN tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED;
CREATE INDEX para_tsv ON para USING gin(tsv);
CREATE INDEX pf_doc ON pf(doc, facet, value);
CREATE INDEX pf_facet ON pf(facet, value, doc);
VACUUM ANALYZE;
`, abs(o.path("paras-%d.tsv", o.n)), abs(o.path("facets-%d.tsv", o.n)))
	if out, buildSecs, err := c.psql(build, "-v", "ON_ERROR_STOP=1"); err != nil {
		return fmt.Errorf("pg build: %v %s", err, out)
	} else {
		size, _, err := c.psql("SELECT pg_total_relation_size('para') + pg_total_relation_size('pf');")
		if err != nil {
			return err
		}
		qs, err := mix.ReadQueries(o.path("queries.jsonl"))
		if err != nil {
			return err
		}
		// Open: a new connection's first query (PostgreSQL keeps the
		// index open in the server, so this is the client's cold start).
		_, openSecs, _ := c.psql("SELECT count(*) FROM para WHERE tsv @@ plainto_tsquery('english', 'alliance');")
		s := "\\timing on\n" + script(pgDialect{}, qs, o.reps, func(m string) string { return "\\echo " + m + "\n" })
		t := time.Now()
		out, _, err := c.psql(s)
		if err != nil {
			return err
		}
		_ = t
		micros, outcomes, err := parseOutput(out, qs, o.reps, func(line string) (float64, bool) {
			// "Time: 1.234 ms"
			if !strings.HasPrefix(line, "Time: ") {
				return 0, false
			}
			f := strings.Fields(line)
			v, err := strconv.ParseFloat(f[1], 64)
			return v, err == nil
		})
		if err != nil {
			return err
		}
		ver, _, _ := c.psql("SHOW server_version;")
		sz, _ := strconv.ParseInt(strings.TrimSpace(size), 10, 64)
		r := &mix.Run{
			Engine: "PostgreSQL", Version: strings.Fields(ver + " ?")[0], Paragraphs: o.n,
			BuildSeconds: buildSecs, SizeBytes: sz, OpenSeconds: openSecs, PeakRSSBytes: c.peakRSS(),
			Micros: micros, Outcomes: outcomes,
			Notes: []string{"psql over loopback TCP; times from \\timing (client-side, include the round trip), summed per query (hits+headlines statement, total+facets statement)",
				"build = \\copy of the TSV + generated tsvector column + GIN + facet indexes + VACUUM ANALYZE; size = pg_total_relation_size(para)+pg_total_relation_size(pf)",
				"server settings: shared_buffers=512MB work_mem=64MB jit=off max_parallel_workers_per_gather=0 (single-thread, like the others) fsync=off",
				"peak RSS = the largest VmHWM among the cluster's processes (shared buffers counted once touched)"},
		}
		return mix.WriteRun(o.path("pg-%d.json", o.n), r)
	}
}
