package server

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"dialoguesearch/app"
	"dialoguesearch/indexer"
)

func searchOK(t *testing.T, s *Server, query string) searchResponse {
	t.Helper()
	rec := get(t, s, "/api/search?"+query)
	wantStatus(t, rec, http.StatusOK)
	var res searchResponse
	decode(t, rec, &res)
	return res
}

func hitIDs(hits []searchHit) []string {
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.ID)
	}
	return ids
}

func facetCount(vals []indexer.FacetValue, value string) (int, bool) {
	for _, v := range vals {
		if v.Value == value {
			return v.Count, v.Selected
		}
	}
	return 0, false
}

func TestSearch(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	res := searchOK(t, s, "q=deterrence")
	if res.Total == 0 || len(res.Hits) == 0 {
		t.Fatalf("q=deterrence: total %d, %d hits; want some", res.Total, len(res.Hits))
	}
	if res.Page != 1 || res.Size != DefaultPageSize || len(res.Hits) > DefaultPageSize {
		t.Errorf("page %d size %d with %d hits; want page 1, size %d", res.Page, res.Size, len(res.Hits), DefaultPageSize)
	}
	if res.TookMS < 0 {
		t.Errorf("took_ms = %v", res.TookMS)
	}
	if res.Suggestion != nil {
		t.Errorf("suggestion = %q with hits; want null", *res.Suggestion)
	}
	for _, h := range res.Hits {
		if h.ID == "" || h.RecordID == "" || h.Title == "" || h.N < 1 || !strings.HasPrefix(h.ID, h.RecordID) {
			t.Errorf("hit missing identity: %+v", h)
		}
		if !strings.Contains(h.SnippetHTML, "<mark>") {
			t.Errorf("hit %s snippet has no <mark>: %q", h.ID, h.SnippetHTML)
		}
		if !strings.Contains(strings.ToLower(h.Text), "deter") {
			t.Errorf("hit %s text does not mention deterrence: %q", h.ID, truncate(h.Text, 200))
		}
		if h.URL != "/records/"+h.RecordID+"#p"+strconv.Itoa(h.N) {
			t.Errorf("hit url = %q", h.URL)
		}
	}
	for _, name := range indexer.FacetNames {
		if _, ok := res.Facets[name]; !ok {
			t.Errorf("facets lack %q", name)
		}
	}
	if len(res.Facets["series"]) == 0 || len(res.Facets["year"]) == 0 {
		t.Errorf("series or year facet empty: %+v", res.Facets)
	}
	// Hits are paragraphs: the series counts add up to the total.
	sum := 0
	for _, v := range res.Facets["series"] {
		sum += v.Count
		if v.Selected {
			t.Errorf("series %q selected without a filter", v.Value)
		}
	}
	if uint64(sum) != res.Total {
		t.Errorf("series counts add up to %d, total is %d", sum, res.Total)
	}
}

func TestSearchPaging(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	all := searchOK(t, s, "q=deterrence&size=100")
	if all.Total < 4 {
		t.Fatalf("need 4 hits for two pages of 2, have %d", all.Total)
	}
	p1 := searchOK(t, s, "q=deterrence&size=2&page=1")
	p2 := searchOK(t, s, "q=deterrence&size=2&page=2")
	if len(p1.Hits) != 2 || len(p2.Hits) != 2 {
		t.Fatalf("pages have %d and %d hits, want 2 and 2", len(p1.Hits), len(p2.Hits))
	}
	if p1.Total != all.Total || p2.Page != 2 || p2.Size != 2 {
		t.Errorf("page 2: total %d page %d size %d", p2.Total, p2.Page, p2.Size)
	}
	if got, want := append(hitIDs(p1.Hits), hitIDs(p2.Hits)...), hitIDs(all.Hits)[:4]; !reflect.DeepEqual(got, want) {
		t.Errorf("pages 1+2 = %v, want the first four hits %v", got, want)
	}
}

// TestSearchAfter reads every hit page by page with after= (the way past the
// first 10,000 hits) and gets the same hits, in the same order, as one big page.
func TestSearchAfter(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	for _, sort := range []string{"relevance", "-date", "date"} {
		all := searchOK(t, s, "q=alliance+OR+DPRK&size=100&sort="+sort)
		if len(all.Hits) < 10 {
			t.Fatalf("need 10 hits, have %d", len(all.Hits))
		}
		var got []string
		after := ""
		for len(got) < len(all.Hits) {
			q := "q=alliance+OR+DPRK&size=3&sort=" + sort
			if after != "" {
				q += "&after=" + url.QueryEscape(after)
			}
			page := searchOK(t, s, q)
			if len(page.Hits) == 0 {
				break
			}
			got = append(got, hitIDs(page.Hits)...)
			after = strings.Join(page.Hits[len(page.Hits)-1].SortKeys, ",")
		}
		if want := hitIDs(all.Hits); !reflect.DeepEqual(got, want) {
			t.Errorf("sort %s: after-paging gave %v, want %v", sort, got, want)
		}
	}
	rec := get(t, s, "/api/search?q=OPCON&after=zz")
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "after") {
		t.Errorf("bad after: %d %s", rec.Code, rec.Body)
	}
}

func TestSearchSortAndDates(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	dates := func(res searchResponse) []string {
		var d []string
		for _, h := range res.Hits {
			if h.Date != "" {
				d = append(d, string(h.Date))
			}
		}
		return d
	}
	asc := dates(searchOK(t, s, "q=alliance&sort=date&size=100"))
	if len(asc) < 2 || !slices.IsSorted(asc) || asc[0] == asc[len(asc)-1] {
		t.Errorf("sort=date: dates %v, want ascending over several dates", asc)
	}
	desc := dates(searchOK(t, s, "q=alliance&sort=-date&size=100"))
	if !slices.IsSortedFunc(desc, func(a, b string) int { return strings.Compare(b, a) }) || len(desc) != len(asc) {
		t.Errorf("sort=-date: dates %v, want descending", desc)
	}
	// No query and no sort browses newest first.
	browse := searchOK(t, s, "size=100")
	bd := dates(browse)
	if browse.Total == 0 || !slices.IsSortedFunc(bd, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Errorf("browse: total %d dates %v, want all paragraphs newest first", browse.Total, bd)
	}

	in := searchOK(t, s, "q=alliance&from=2024-01-01&to=2024-12-31&size=100")
	all := searchOK(t, s, "q=alliance&size=100")
	if in.Total == 0 || in.Total >= all.Total {
		t.Errorf("2024 only: %d hits of %d; want some but fewer", in.Total, all.Total)
	}
	for _, d := range dates(in) {
		if d < "2024-01-01" || d > "2024-12-31" {
			t.Errorf("date %s outside from/to", d)
		}
	}
}

func TestSearchFacetFilters(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	all := searchOK(t, s, "q=alliance")
	series := all.Facets["series"]
	if len(series) < 2 {
		t.Fatalf("need two series in the facet, have %+v", series)
	}
	a, b := series[0], series[1]

	one := searchOK(t, s, "q=alliance&size=100&series="+url.QueryEscape(a.Value))
	if one.Total != uint64(a.Count) {
		t.Errorf("series=%s: total %d, facet said %d", a.Value, one.Total, a.Count)
	}
	for _, h := range one.Hits {
		if h.Meeting.Series != a.Value {
			t.Errorf("series=%s returned a %s hit", a.Value, h.Meeting.Series)
		}
	}
	if _, sel := facetCount(one.Facets["series"], a.Value); !sel {
		t.Errorf("series %q not marked selected: %+v", a.Value, one.Facets["series"])
	}
	// Counts of the other values stay visible (disjunctive facet).
	if n, _ := facetCount(one.Facets["series"], b.Value); n != b.Count {
		t.Errorf("with series=%s, series %s counts %d, want %d", a.Value, b.Value, n, b.Count)
	}

	// Several values of one facet widen.
	two := searchOK(t, s, "q=alliance&series="+url.QueryEscape(a.Value)+"&series="+url.QueryEscape(b.Value))
	if two.Total != uint64(a.Count+b.Count) {
		t.Errorf("series=%s&series=%s: total %d, want %d", a.Value, b.Value, two.Total, a.Count+b.Count)
	}

	// Different facets narrow.
	years := one.Facets["year"]
	if len(years) == 0 {
		t.Fatal("no year facet")
	}
	var y indexer.FacetValue
	for _, v := range years {
		if v.Count > 0 {
			y = v
			break
		}
	}
	both := searchOK(t, s, "q=alliance&series="+url.QueryEscape(a.Value)+"&year="+y.Value)
	if both.Total == 0 || both.Total > one.Total {
		t.Errorf("series and year: total %d, series alone %d", both.Total, one.Total)
	}

	// An empty query with a filter browses that filter.
	browse := searchOK(t, s, "series="+url.QueryEscape(a.Value))
	if browse.Total == 0 {
		t.Errorf("browse series=%s: no hits", a.Value)
	}
	for _, h := range browse.Hits {
		if h.Meeting.Series != a.Value {
			t.Errorf("browse series=%s returned a %s hit", a.Value, h.Meeting.Series)
		}
	}

	// Every facet filter parameter reaches the index: filtering on a value
	// no paragraph has matches nothing.
	for _, name := range indexer.FacetNames {
		res := searchOK(t, s, "q=alliance&"+name+"=no-such-value-xyz")
		if res.Total != 0 {
			t.Errorf("%s=no-such-value-xyz: total %d, want 0", name, res.Total)
		}
	}
}

func TestSearchSuggestion(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	res := searchOK(t, s, "q=alliannce")
	if res.Total != 0 {
		t.Fatalf("misspelling matched %d hits", res.Total)
	}
	if res.Suggestion == nil || *res.Suggestion != "alliance" {
		t.Errorf("suggestion = %v, want \"alliance\"", res.Suggestion)
	}
	if res.Hits == nil {
		t.Error("hits is null, want []")
	}
}

// An acronym finds its expansion, and the hit says which expansion matched.
func TestSearchExpansions(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	res := searchOK(t, s, "q=OPCON&size=100")
	expanded := 0
	for _, h := range res.Hits {
		if slices.Contains(h.Expansions, "OPCON → operational control") {
			expanded++
		}
		if !strings.Contains(h.Text, "OPCON") && !strings.Contains(strings.ToLower(h.Text), "operational control") {
			t.Errorf("hit %s mentions neither OPCON nor operational control", h.ID)
		}
	}
	if expanded == 0 {
		t.Errorf("no hit for OPCON reports the expansion: %+v", res.Hits)
	}
}

func TestSearchCSV(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	res := searchOK(t, s, "q=deterrence&size=100")
	rec := get(t, s, "/api/search.csv?q=deterrence&size=1&page=2")
	wantStatus(t, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("Content-Type = %q", ct)
	}
	if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, ".csv") {
		t.Errorf("Content-Disposition = %q", cd)
	}
	// Excel reads UTF-8 when the file starts with a byte-order mark.
	body, bom := strings.CutPrefix(rec.Body.String(), "\ufeff")
	if !bom {
		t.Error("the CSV does not start with a UTF-8 byte-order mark")
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("parse CSV: %v", err)
	}
	if len(rows) == 0 || rows[0][0] != "id" || rows[0][12] != "text" {
		t.Fatalf("header = %v", rows[0])
	}
	// page and size do not cut the export: every match is a row.
	if got, want := len(rows)-1, int(res.Total); got != want {
		t.Errorf("CSV has %d rows, the search %d hits", got, want)
	}
	if rec.Header().Get("X-Total-Count") != strconv.FormatUint(res.Total, 10) {
		t.Errorf("X-Total-Count = %q, want %d", rec.Header().Get("X-Total-Count"), res.Total)
	}
	for _, r := range rows[1:] {
		if !strings.Contains(strings.ToLower(r[12]), "deter") {
			t.Errorf("row %s text does not match: %q", r[0], truncate(r[12], 100))
		}
	}

	// Filters apply to the export.
	series := res.Facets["series"][0]
	rec = get(t, s, "/api/search.csv?q=deterrence&series="+url.QueryEscape(series.Value))
	wantStatus(t, rec, http.StatusOK)
	rows, _ = csv.NewReader(rec.Body).ReadAll()
	if len(rows)-1 != series.Count {
		t.Errorf("series=%s export: %d rows, want %d", series.Value, len(rows)-1, series.Count)
	}
	for _, r := range rows[1:] {
		if r[4] != series.Value {
			t.Errorf("series=%s export has a %s row", series.Value, r[4])
		}
	}

	wantError(t, get(t, s, "/api/search.csv?sort=sideways"), http.StatusBadRequest, "bad_request", "sort")
}

func TestCSVCellNeutralizesFormulas(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")",
		"+1":                "'+1",
		"-2":                "'-2",
		"@SUM(A1)":          "'@SUM(A1)",
		"plain text":        "plain text",
		"":                  "",
	} {
		if got := csvCell(in); got != want {
			t.Errorf("csvCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRecords(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	rec := get(t, s, "/api/records")
	wantStatus(t, rec, http.StatusOK)
	var list recordsResponse
	decode(t, rec, &list)
	if list.Total != len(fixtureRecs) || len(list.Records) != len(fixtureRecs) {
		t.Fatalf("records: total %d, %d listed; want %d", list.Total, len(list.Records), len(fixtureRecs))
	}
	var dates []string
	for _, r := range list.Records {
		dates = append(dates, string(r.Date))
		if r.Paragraphs == 0 || r.Title == "" {
			t.Errorf("record %s: %d paragraphs, title %q", r.ID, r.Paragraphs, r.Title)
		}
	}
	if !slices.IsSortedFunc(dates, func(a, b string) int { return strings.Compare(b, a) }) {
		t.Errorf("records not newest first: %v", dates)
	}

	// Pagination.
	var p3 recordsResponse
	rec = get(t, s, "/api/records?size=2&page=3")
	wantStatus(t, rec, http.StatusOK)
	decode(t, rec, &p3)
	if p3.Total != len(fixtureRecs) || len(p3.Records) != 1 || p3.Records[0].ID != list.Records[4].ID {
		t.Errorf("page 3 of size 2: total %d, %d records; want the 5th record", p3.Total, len(p3.Records))
	}
	var past recordsResponse
	decode(t, get(t, s, "/api/records?size=2&page=9"), &past)
	if len(past.Records) != 0 || past.Records == nil {
		t.Errorf("past the end: %v, want []", past.Records)
	}

	// Filters by series and year.
	series := list.Records[0].Meeting.Series
	var bySeries recordsResponse
	decode(t, get(t, s, "/api/records?series="+url.QueryEscape(series)), &bySeries)
	if bySeries.Total == 0 || bySeries.Total == len(fixtureRecs) {
		t.Errorf("series=%s: %d records", series, bySeries.Total)
	}
	for _, r := range bySeries.Records {
		if r.Meeting.Series != series {
			t.Errorf("series=%s listed a %s record", series, r.Meeting.Series)
		}
	}
	var byYear recordsResponse
	decode(t, get(t, s, "/api/records?year=2018&year=2023"), &byYear)
	for _, r := range byYear.Records {
		if y := r.Date.Year(); y != 2018 && y != 2023 {
			t.Errorf("year=2018&year=2023 listed %s", r.Date)
		}
	}
	if byYear.Total != 2 {
		t.Errorf("year=2018&year=2023: %d records, want 2", byYear.Total)
	}
	wantError(t, get(t, s, "/api/records?year=last"), http.StatusBadRequest, "bad_request", "year")
	wantError(t, get(t, s, "/api/records?size=500"), http.StatusBadRequest, "bad_request", "size")
}

func TestRecord(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	want := fixtureRecs[0]
	rec := get(t, s, "/api/records/"+url.PathEscape(want.ID))
	wantStatus(t, rec, http.StatusOK)
	var got struct {
		ID         string            `json:"id"`
		Title      string            `json:"title"`
		Glossary   map[string]string `json:"glossary"`
		Paragraphs []struct {
			N    int    `json:"n"`
			Text string `json:"text"`
		} `json:"paragraphs"`
	}
	decode(t, rec, &got)
	if got.ID != want.ID || got.Title != want.Title || len(got.Paragraphs) != len(want.Paragraphs) {
		t.Errorf("record %s: id %q title %q, %d paragraphs; want %q, %d paragraphs",
			want.ID, got.ID, got.Title, len(got.Paragraphs), want.Title, len(want.Paragraphs))
	}
	for i, p := range got.Paragraphs {
		if p.N != want.Paragraphs[i].N || p.Text != want.Paragraphs[i].Text {
			t.Errorf("paragraph %d differs", i+1)
		}
	}
	if got.Glossary == nil || len(got.Glossary) != len(want.Glossary) {
		t.Errorf("glossary %v, want %v", got.Glossary, want.Glossary)
	}

	wantError(t, get(t, s, "/api/records/no-such-record"), http.StatusNotFound, "not_found")
}

func TestGlossary(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	rec := get(t, s, "/api/glossary")
	wantStatus(t, rec, http.StatusOK)
	var g glossaryResponse
	decode(t, rec, &g)
	if g.Total == 0 || g.Total != len(g.Entries) {
		t.Fatalf("glossary: total %d, %d entries", g.Total, len(g.Entries))
	}
	found := false
	for _, e := range g.Entries {
		if e.Acronym == "" || e.Expansion == "" || e.Count < 1 {
			t.Errorf("bad entry %+v", e)
		}
		if e.Acronym == "SCM" {
			found = true
		}
	}
	if !found {
		t.Errorf("glossary lacks SCM: %+v", g.Entries)
	}
}

func TestHealthAndReady(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	rec := get(t, s, "/healthz")
	wantStatus(t, rec, http.StatusOK)
	var h map[string]string
	decode(t, rec, &h)
	if h["status"] != "ok" {
		t.Errorf("healthz = %v", h)
	}
	rec = get(t, s, "/readyz")
	wantStatus(t, rec, http.StatusOK)
	var r readyResponse
	decode(t, rec, &r)
	if r.Status != "ready" || r.Records != uint64(len(fixtureRecs)) || r.Paragraphs == 0 {
		t.Errorf("readyz = %+v", r)
	}
}

// A server without an index (it is building) is alive but not ready, and
// says so on every route that needs the index.
func TestNotReady(t *testing.T) {
	a := app.New(app.Config{}, nil, nil, nil)
	s := New(testConfig(), Deps{App: a})
	wantStatus(t, get(t, s, "/healthz"), http.StatusOK)
	wantError(t, get(t, s, "/readyz"), http.StatusServiceUnavailable, "unavailable", "index is building")
	for _, path := range []string{"/api/search?q=alliance", "/api/search", "/api/search.csv?q=x", "/api/records", "/api/records/x", "/api/glossary"} {
		rec := get(t, s, path)
		wantError(t, rec, http.StatusServiceUnavailable, "unavailable", "index is building")
		if rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s: 503 without Retry-After", path)
		}
	}
	a.SetProgress(2, 5)
	wantError(t, get(t, s, "/readyz"), http.StatusServiceUnavailable, "unavailable", "2 of 5")

	a.SetBuildError(errSecret)
	body := wantError(t, get(t, s, "/api/search?q=x"), http.StatusServiceUnavailable, "unavailable", "could not be built")
	if strings.Contains(body.Error.Message, "secret") {
		t.Errorf("build error detail leaked: %q", body.Error.Message)
	}

	a.SetIndex(context.Background(), fixtureIndex(t), indexer.UpdateStats{})
	wantStatus(t, get(t, s, "/readyz"), http.StatusOK)
	wantStatus(t, get(t, s, "/api/search?q=alliance"), http.StatusOK)
}

func TestMetrics(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	searchOK(t, s, "q=deterrence")
	searchOK(t, s, "q=alliance")
	get(t, s, "/api/records/no-such-record")
	rec := get(t, s, "/metrics")
	wantStatus(t, rec, http.StatusOK)
	body := rec.Body.String()
	st := fixtureIndex(t).Stats()
	for _, want := range []string{
		`dialoguesearch_http_requests_total{code="200",method="GET",route="/api/search"} 2`,
		`dialoguesearch_http_requests_total{code="404",method="GET",route="/api/records/:id"} 1`,
		`dialoguesearch_http_request_duration_seconds_count{method="GET",route="/api/search"} 2`,
		`dialoguesearch_search_duration_seconds_count 2`,
		"dialoguesearch_index_documents " + strconv.FormatUint(st.Paragraphs, 10),
		"dialoguesearch_index_records " + strconv.FormatUint(st.Records, 10),
		"dialoguesearch_index_size_bytes ",
		"dialoguesearch_index_ready 1",
		"go_goroutines ",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestParseSearchParams(t *testing.T) {
	for _, tc := range []struct {
		query string
		want  indexer.Request
	}{
		{"", indexer.Request{Sort: "-date", Page: 1, Size: 10}},
		{"q=+opcon+", indexer.Request{Query: "opcon", Sort: "relevance", Page: 1, Size: 10}},
		{"q=x&sort=date&page=3&size=100", indexer.Request{Query: "x", Sort: "date", Page: 3, Size: 100}},
		{"speaker=Austin&speaker=Shin&topic=&series=SCM&from=2020-01-01&to=2024-12-31&other=1",
			indexer.Request{Filters: map[string][]string{"speaker": {"Austin", "Shin"}, "series": {"SCM"}},
				From: "2020-01-01", To: "2024-12-31", Sort: "-date", Page: 1, Size: 10}},
	} {
		v, _ := url.ParseQuery(tc.query)
		got, err := parseSearchParams(v)
		if err != nil {
			t.Errorf("%q: %v", tc.query, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q:\n got %+v\nwant %+v", tc.query, got, tc.want)
		}
	}
}
