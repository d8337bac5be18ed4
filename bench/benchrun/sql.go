package main

import (
	"bufio"
	"fmt"
	"strconv"
	"strings"

	"dialoguesearch/bench/internal/mix"
)

// dialect is what differs between the SQL peers: how the text query
// matches and how hits are ranked and highlighted. Facet counts come from
// the same narrow table pf(doc, facet, value) in both.
type dialect interface {
	// match returns a SELECT of the matching doc ids (column doc).
	match(q mix.Query) string
	// hits returns a statement printing 'H', pid, snippet for the top 10
	// of the docs in the CTE "allm" (declared by the caller's prefix).
	hits(q mix.Query, with string) string
}

// facetFilter is the SQL set of docs having one of vals for facet.
func facetFilter(facet string, vals []string) string {
	qv := make([]string, len(vals))
	for i, v := range vals {
		qv[i] = mix.SQLQuote(v)
	}
	return fmt.Sprintf("SELECT doc FROM pf WHERE facet = %s AND value IN (%s)", mix.SQLQuote(facet), strings.Join(qv, ","))
}

// fieldClauses restricts a match to the query's field:value clauses.
func fieldClauses(q mix.Query, col string) string {
	var b strings.Builder
	for _, c := range q.Clauses {
		if c.Field != "" {
			fmt.Fprintf(&b, " AND %s IN (%s)", col, facetFilter(c.Field, []string{c.Value}))
		}
	}
	return b.String()
}

// withClause declares base (the text match), one CTE per filtered facet and
// allm (base restricted by every filter).
func withClause(d dialect, q mix.Query) string {
	var b strings.Builder
	fmt.Fprintf(&b, "WITH base AS MATERIALIZED (%s)", d.match(q))
	ff := q.FilterFacets()
	for _, f := range ff {
		fmt.Fprintf(&b, ", f_%s AS MATERIALIZED (%s)", f, facetFilter(f, q.Filters[f]))
	}
	b.WriteString(", allm AS MATERIALIZED (SELECT doc FROM base")
	for i, f := range ff {
		if i == 0 {
			b.WriteString(" WHERE ")
		} else {
			b.WriteString(" AND ")
		}
		fmt.Fprintf(&b, "doc IN (SELECT doc FROM f_%s)", f)
	}
	b.WriteString(")")
	return b.String()
}

// countsSQL prints 'T', ”, ”, total and 'F', facet, value, count rows: the
// exact total and every facet's counts, disjunctive for filtered facets
// (a filtered facet is counted over the match with the other filters only).
func countsSQL(d dialect, q mix.Query) string {
	var b strings.Builder
	b.WriteString(withClause(d, q))
	b.WriteString(" SELECT 'T', '', '', count(*) FROM allm")
	ff := q.FilterFacets()
	quoted := make([]string, len(ff))
	for i, f := range ff {
		quoted[i] = mix.SQLQuote(f)
	}
	b.WriteString(" UNION ALL SELECT 'F', facet, value, count(*) FROM pf WHERE doc IN (SELECT doc FROM allm)")
	if len(ff) > 0 {
		fmt.Fprintf(&b, " AND facet NOT IN (%s)", strings.Join(quoted, ","))
	}
	b.WriteString(" GROUP BY facet, value")
	for _, f := range ff {
		fmt.Fprintf(&b, " UNION ALL SELECT 'F', facet, value, count(*) FROM pf WHERE facet = %s AND doc IN (SELECT doc FROM base", mix.SQLQuote(f))
		n := 0
		for _, g := range ff {
			if g == f {
				continue
			}
			if n == 0 {
				b.WriteString(" WHERE ")
			} else {
				b.WriteString(" AND ")
			}
			n++
			fmt.Fprintf(&b, "doc IN (SELECT doc FROM f_%s)", g)
		}
		b.WriteString(") GROUP BY facet, value")
	}
	b.WriteString(";\n")
	return b.String()
}

// script is the whole mix, warm-up plus reps, with markers the parser
// below reads back. mark prints a marker line in the engine's CLI.
func script(d dialect, qs []mix.Query, reps int, mark func(string) string) string {
	var b strings.Builder
	for rep := 0; rep <= reps; rep++ {
		for _, q := range qs {
			b.WriteString(mark(fmt.Sprintf("@Q %d %d", rep, q.ID)))
			b.WriteString(d.hits(q, withClause(d, q)))
			b.WriteString(countsSQL(d, q))
		}
	}
	b.WriteString(mark("@END 0 0"))
	return b.String()
}

// parseOutput reads the CLI output back: per query, the summed statement
// times (timeRE extracts ms from a timing line) and, from the last rep, the
// answers.
func parseOutput(out string, qs []mix.Query, reps int, timing func(line string) (float64, bool)) (micros [][]float64, outcomes []mix.Outcome, err error) {
	micros = make([][]float64, reps)
	for i := range micros {
		micros[i] = make([]float64, len(qs))
	}
	idx := map[int]int{}
	for i, q := range qs {
		idx[q.ID] = i
	}
	outcomes = make([]mix.Outcome, len(qs))
	for i, q := range qs {
		outcomes[i] = mix.Outcome{ID: q.ID, Facets: map[string]map[string]int{}}
	}
	rep, cur := -1, -1
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "@Q ") || strings.HasPrefix(line, "@END") {
			f := strings.Fields(line)
			rep, _ = strconv.Atoi(f[1])
			id, _ := strconv.Atoi(f[2])
			cur = idx[id]
			continue
		}
		if ms, ok := timing(line); ok {
			if rep >= 1 && cur >= 0 {
				micros[rep-1][cur] += ms * 1000
			}
			continue
		}
		if rep != reps || cur < 0 {
			continue
		}
		f := strings.Split(line, "\t")
		o := &outcomes[cur]
		switch {
		case f[0] == "H" && len(f) >= 2:
			o.Hits = append(o.Hits, f[1])
		case f[0] == "T" && len(f) >= 4:
			o.Total, _ = strconv.ParseInt(f[3], 10, 64)
		case f[0] == "F" && len(f) >= 4:
			if o.Facets[f[1]] == nil {
				o.Facets[f[1]] = map[string]int{}
			}
			o.Facets[f[1]][f[2]], _ = strconv.Atoi(f[3])
		case strings.Contains(line, "rror"):
			o.Error = line
		}
	}
	return micros, outcomes, sc.Err()
}
