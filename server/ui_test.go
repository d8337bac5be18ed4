package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/html"

	"dialoguesearch/app"
	"dialoguesearch/corpus"
	"dialoguesearch/indexer"
	"dialoguesearch/ui"
)

// Record ids of the default corpus the UI tests link to.
const (
	scm55ID  = "scm-55-2023-11-13-communique"
	kidd14ID = "kidd-14-2018-07-25-news"
	xssID    = "xss-2025-01-15-release"
)

// xssRecord is a record whose every displayed field carries markup that
// must show as text and never run.
func xssRecord() *corpus.Record {
	return &corpus.Record{
		ID:       xssID,
		Source:   "xss-test.txt",
		Title:    `Hostile <script>window.__xss=1</script> record`,
		Kind:     corpus.KindPressRelease,
		Date:     "2025-01-15",
		DateNote: `stated <b>in</b> text`,
		Meeting:  corpus.Meeting{Series: "KIDD", Number: 99, Name: "99th KIDD"},
		Location: `Seoul <img src=x onerror="window.__xss=4">`,
		Glossary: map[string]string{"XSS": `cross-site "scripting" <b>attack</b>`},
		Paragraphs: []corpus.Paragraph{
			{N: 1, Section: `<img src=x onerror="window.__xss=2">`,
				Text:     `The delegates discussed <script>window.__xss=1</script> and <img src=x onerror="window.__xss=3"> as an XSS threat to wartime OPCON transition.`,
				Speakers: []string{`<b>Evil</b> Speaker`}, Sides: []string{corpus.SideUS}, Topics: []string{"opcon"}},
			{N: 2, Text: `A second paragraph about missile defense cooperation.`, Sides: []string{corpus.SideROK}, Topics: []string{"missile-defense"}},
		},
	}
}

var (
	xssOnce sync.Once
	xssIdx  *indexer.Index
	xssErr  error
)

// xssIndex is an in-memory index of the default corpus plus xssRecord.
func xssIndex(t testing.TB) *indexer.Index {
	t.Helper()
	fixtureIndex(t) // loads fixtureRecs
	xssOnce.Do(func() {
		xssIdx, xssErr = indexer.NewMemory()
		if xssErr != nil {
			return
		}
		recs := append(append([]*corpus.Record(nil), fixtureRecs...), xssRecord())
		_, xssErr = xssIdx.Sync(context.Background(), recs, nil)
	})
	if xssErr != nil {
		t.Fatalf("xss index: %v", xssErr)
	}
	return xssIdx
}

func newXSSServer(t testing.TB) *Server {
	t.Helper()
	return New(testConfig(), Deps{App: app.New(app.Config{}, xssIndex(t), nil, nil)})
}

// page GETs target and checks the status and that the answer is an HTML
// page of the UI.
func page(t *testing.T, s *Server, target string, status int) string {
	t.Helper()
	rec := get(t, s, target, "Accept", "text/html")
	if rec.Code != status {
		t.Fatalf("GET %s: status %d, want %d; body:\n%.600s", target, rec.Code, status, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("GET %s: Content-Type %q, want text/html", target, ct)
	}
	body := rec.Body.String()
	if !strings.Contains(body, `<main id="main"`) || !strings.Contains(body, ui.Asset("app.css")) {
		t.Fatalf("GET %s: not a page in the UI's layout:\n%.600s", target, body)
	}
	// The CSP forbids inline script and style: the pages use neither.
	for _, v := range inlineCode(body) {
		t.Errorf("GET %s: %s", target, v)
	}
	return body
}

// inlineCode lists what a Content-Security-Policy without 'unsafe-inline'
// would block: script elements without src, style elements, style and
// event-handler attributes.
func inlineCode(body string) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return out
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			hasSrc := false
			for _, a := range tok.Attr {
				if a.Key == "style" || strings.HasPrefix(a.Key, "on") {
					out = append(out, "attribute "+a.Key+" on <"+tok.Data+">")
				}
				hasSrc = hasSrc || a.Key == "src"
			}
			if tok.Data == "style" || tok.Data == "script" && !hasSrc {
				out = append(out, "inline <"+tok.Data+">")
			}
		}
	}
}

func mustContain(t *testing.T, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

func mustNotContain(t *testing.T, body string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(body, b) {
			t.Errorf("page contains %q", b)
		}
	}
}

// count returns the number of matches of re in s.
func count(s, re string) int { return len(regexp.MustCompile(re).FindAllStringIndex(s, -1)) }

func TestUISearchPage(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	body := page(t, s, "/?q=OPCON", http.StatusOK)
	mustContain(t, body,
		`<input id="q" name="q" type="search" value="OPCON"`,
		`<mark>`,
		`href="/records/`+scm55ID+`?q=OPCON#p`,
		`href="/api/search.csv?q=OPCON"`,
		`<svg class="timeline-chart"`,
		`id="facet-series"`, `id="facet-speaker"`, `id="facet-topic"`,
		`<option value="relevance" selected>`,
		`OPCON transition`, // the topic's label, not its id
	)
	// A card per record (14th KIDD, 55th SCM, 24th KIDD), a link per
	// OPCON paragraph.
	if n := count(body, `<li class="hit">`); n != 3 {
		t.Errorf("%d record cards shown, want 3", n)
	}
	if n := count(body, `class="hit-title"`) + count(body, `class="hit-para" href=`); n < 6 {
		t.Errorf("%d paragraphs shown, want at least 6", n)
	}
	if !regexp.MustCompile(`1–\d+ of \d+ matching paragraphs in 3 records<span class="took"> · [0-9.]+ ms</span>`).MatchString(body) {
		t.Error("no range, total, records and time taken")
	}
	// Facet counts: the series checkboxes with their counts.
	if !regexp.MustCompile(`name="series" value="KIDD" form="searchform">\s*<label[^>]*><span class="facet-label">KIDD</span> <span class="count">[1-9]`).MatchString(body) {
		t.Error("series facet KIDD with a count missing")
	}
}

func TestUIFacetSelectionAndChips(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	all := page(t, s, "/?q=OPCON", http.StatusOK)
	body := page(t, s, "/?q=OPCON&series=KIDD", http.StatusOK)
	if count(body, `<li class="hit">`) >= count(all, `<li class="hit">`) {
		t.Error("filtering by series did not narrow the hits")
	}
	mustNotContain(t, body, `href="/records/`+scm55ID)
	mustContain(t, body,
		`name="series" value="KIDD" form="searchform" checked>`,
		// the chip removes exactly this filter
		`<span class="chip-facet">Series:</span> KIDD <a class="chip-remove" href="/?q=OPCON"`,
		`href="/api/search.csv?q=OPCON&amp;series=KIDD"`,
	)
	// Disjunctive counts: SCM is still offered with its count.
	if !regexp.MustCompile(`name="series" value="SCM" form="searchform">\s*<label[^>]*><span class="facet-label">SCM</span> <span class="count">[1-9]`).MatchString(body) {
		t.Error("SCM no longer offered with a count after selecting KIDD")
	}
	// A selected topic shows its label on the chip.
	body = page(t, s, "/?topic=opcon", http.StatusOK)
	mustContain(t, body, `<span class="chip-facet">Topic:</span> OPCON transition`)
	// Dates become chips too.
	body = page(t, s, "/?q=OPCON&from=2023-01-01", http.StatusOK)
	mustContain(t, body, `<span class="chip-facet">From:</span> 2023-01-01`, `value="2023-01-01"`)
	mustNotContain(t, body, `href="/records/`+kidd14ID)
}

func TestUITimelineBarsLinkToTheirYear(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	body := page(t, s, "/?q=OPCON", http.StatusOK)
	// 2018 to 2024, every year a bar; the years with hits link to a filter.
	for _, y := range []string{"2018", "2019", "2023", "2024"} {
		if !strings.Contains(body, `>`+y+`</text>`) {
			t.Errorf("timeline lacks the year %s", y)
		}
	}
	mustContain(t, body, `href="/?q=OPCON&amp;year=2023"`, `href="/?q=OPCON&amp;year=2018"`)
	mustNotContain(t, body, `year=2019"`) // no paragraphs: no link
	body = page(t, s, "/?q=OPCON&year=2023", http.StatusOK)
	mustContain(t, body, `bar bar-selected`, `href="/?q=OPCON"`)
	mustNotContain(t, body, `href="/records/`+kidd14ID)
	// Per meeting, in date order.
	body = page(t, s, "/?q=OPCON&timeline=meeting", http.StatusOK)
	i14, i55, i24 := strings.Index(body, ">14th KIDD</text>"), strings.Index(body, ">55th SCM</text>"), strings.Index(body, ">24th KIDD</text>")
	if i14 < 0 || i55 < 0 || i24 < 0 || !(i14 < i55 && i55 < i24) {
		t.Errorf("meeting bars missing or out of date order: %d %d %d", i14, i55, i24)
	}
	mustContain(t, body, `href="/?meeting=55th&#43;SCM&amp;q=OPCON&amp;timeline=meeting"`, `<input type="hidden" name="timeline" value="meeting">`)
}

func TestUIPaginationAndSort(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	body := page(t, s, "/?q=alliance&size=5", http.StatusOK)
	mustContain(t, body, `rel="next"`, `href="/?page=2&amp;q=alliance&amp;size=5"`, `<span aria-current="page">1</span>`)
	body = page(t, s, "/?q=alliance&size=5&page=2", http.StatusOK)
	mustContain(t, body, `rel="prev"`, `<span aria-current="page">2</span>`, `>6–10 of `)
	body = page(t, s, "/?q=OPCON&page=50", http.StatusOK)
	mustContain(t, body, `past the last result`, `href="/?q=OPCON">Go to the first page`)
	body = page(t, s, "/?q=alliance&sort=date", http.StatusOK)
	mustContain(t, body, `<option value="date" selected>`)
	first := regexp.MustCompile(`<time datetime="([0-9-]+)">`).FindStringSubmatch(body)
	if first == nil || first[1] != "2018-07-25" {
		t.Errorf("oldest first starts with %v, want 2018-07-25", first)
	}
	// An empty query browses newest first.
	body = page(t, s, "/", http.StatusOK)
	if strings.Contains(body, `value="" form="searchform"`) {
		t.Error("a facet offers an empty value (the fact sheet has no location)")
	}
	first = regexp.MustCompile(`<time datetime="([0-9-]+)">`).FindStringSubmatch(body)
	if first == nil || first[1] != "2024-10-30" {
		t.Errorf("browsing starts with %v, want 2024-10-30", first)
	}
	mustContain(t, body, `<option value="-date" selected>`)
}

func TestUIZeroHitsSuggestion(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	body := page(t, s, "/?q=OPCOM", http.StatusOK)
	mustContain(t, body, `No paragraphs match <strong>OPCOM</strong>`, `Did you mean <a href="/?q=`, `id="suggestion-link"`)
	body = page(t, s, "/?q=OPCON&series=KIDD&from=2030-01-01", http.StatusOK)
	mustContain(t, body, `Loosen the filters`, `Widen the date range`, `href="/?q=OPCON">search without filters</a>`)
}

func TestUIBadQueryIs400InThePage(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	body := page(t, s, "/?q="+url.QueryEscape(`(opcon AND`), http.StatusBadRequest)
	mustContain(t, body, `That search could not be run`, `value="(opcon AND"`, `aria-invalid="true"`)
	body = page(t, s, "/?q=opcon&from=yesterday", http.StatusBadRequest)
	mustContain(t, body, `from must be a date`)
	body = page(t, s, "/?q=opcon&sort=sideways", http.StatusBadRequest)
	mustContain(t, body, `sort must be`)
}

func TestUIRecordPage(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	body := page(t, s, "/records/"+scm55ID+"?q=OPCON", http.StatusOK)
	mustContain(t, body,
		`<h1 id="record-title">`, `joint communiqué`, `55th SCM`, `Seoul`, `Lloyd J. Austin III`, `Shin Won-sik`,
		`<time datetime="2023-11-13">13 November 2023</time>`,
		`id="p1"`, `id="p21"`, `href="#p21"`,
		`Highlighting <strong>OPCON</strong>`,
		`<mark>operational control</mark>`,
		`id="glossary-heading"`,
		`<abbr title="Nuclear Consultative Group">NCG</abbr>`,
	)
	if !regexp.MustCompile(`(?i)<abbr title="operational control"><mark>OPCON</mark></abbr>`).MatchString(body) {
		t.Error("OPCON not marked inside its <abbr>")
	}
	if n := count(body, `<a class="para-anchor"`); n != 31 {
		t.Errorf("%d paragraphs shown, want 31", n)
	}
	// Without q nothing is marked.
	body = page(t, s, "/records/"+scm55ID, http.StatusOK)
	mustNotContain(t, body, "<mark>", "Highlighting")
	// An inferred date is marked as such, with its note.
	body = page(t, s, "/records/"+kidd14ID, http.StatusOK)
	mustContain(t, body, `badge-inferred`, `inferred</span>`, `class="date-note"`)
	// The record defines no acronyms, but the aside lists the known ones
	// it uses.
	if !regexp.MustCompile(`<dt>USFK</dt><dd>[^<]+</dd>`).MatchString(body) {
		t.Error("USFK missing from the record's acronyms")
	}
	// Section headings become headings.
	mustContain(t, body, `<h2 class="section-heading" id="s`, `>Operational Control</h2>`)
}

func TestUIRecordsAndGlossary(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	body := page(t, s, "/records", http.StatusOK)
	dates := regexp.MustCompile(`<time datetime="([0-9-]+)">`).FindAllStringSubmatch(body, -1)
	var got []string
	for _, d := range dates {
		got = append(got, d[1])
	}
	if want := "2024-10-30 2024-06-02 2024-04-11 2023-11-13 2018-07-25"; strings.Join(got, " ") != want {
		t.Errorf("records in order %v, want %s", got, want)
	}
	body = page(t, s, "/records?series=KIDD", http.StatusOK)
	mustContain(t, body, `<option value="KIDD" selected>KIDD (2)</option>`, `2 records of 5`)
	mustNotContain(t, body, scm55ID)
	body = page(t, s, "/records?year=2024", http.StatusOK)
	mustContain(t, body, `3 records of 5`)
	page(t, s, "/records?year=soon", http.StatusBadRequest)

	// Records with missing or uncertain fields are marked and can be listed
	// alone: the 14th KIDD's year is inferred, the 56th SCM fact sheet names
	// no place.
	body = page(t, s, "/records", http.StatusOK)
	mustContain(t, body, `Needs review only (2)`, `title="date inferred">needs review</span>`, `title="location missing">needs review</span>`)
	body = page(t, s, "/records?review=1", http.StatusOK)
	mustContain(t, body, `2 records of 5`, kidd14ID, `scm-56-2024-10-30-fact-sheet`, `id="review" name="review" value="1" checked`)
	mustNotContain(t, body, scm55ID)

	body = page(t, s, "/glossary", http.StatusOK)
	mustContain(t, body, `<a href="/?q=NCG"`, `Nuclear Consultative Group`, `<a href="/?q=OPCON"`)
}

func TestUIErrorPages(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	body := page(t, s, "/records/no-such-record", http.StatusNotFound)
	mustContain(t, body, "Record not found", `&#34;no-such-record&#34;`)
	body = page(t, s, "/no/such/page", http.StatusNotFound)
	mustContain(t, body, "Page not found", `<p class="error-status">404</p>`)
	page(t, s, "/static/nope.css", http.StatusNotFound)
	// Machines still get JSON.
	rec := get(t, s, "/no/such/page")
	if ct := rec.Header().Get("Content-Type"); rec.Code != 404 || !strings.HasPrefix(ct, "application/json") {
		t.Errorf("non-browser 404: %d %s", rec.Code, ct)
	}
	rec = get(t, s, "/api/records/nope", "Accept", "text/html")
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("/api error to a browser: %s, want JSON", ct)
	}
	// Not ready: a 503 page.
	ns := New(testConfig(), Deps{})
	rec = get(t, ns, "/?q=opcon", "Accept", "text/html")
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "Not ready yet") {
		t.Errorf("search before ready: %d\n%.300s", rec.Code, rec.Body.String())
	}
}

func TestUIStaticAssets(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	for _, tc := range []struct{ name, ctype string }{
		{"app.css", "text/css"}, {"app.js", "text/javascript"}, {"favicon.svg", "image/svg+xml"},
	} {
		u := ui.Asset(tc.name)
		rec := get(t, s, u)
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), tc.ctype) {
			t.Errorf("GET %s: %d %s", u, rec.Code, rec.Header().Get("Content-Type"))
		}
		if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("GET %s: Cache-Control %q, want immutable", u, cc)
		}
		// Without (or with a stale) version: revalidate.
		rec = get(t, s, "/static/"+tc.name+"?v=old")
		if cc := rec.Header().Get("Cache-Control"); rec.Code != 200 || cc != "no-cache" {
			t.Errorf("stale %s: %d %q", tc.name, rec.Code, cc)
		}
		// Conditional requests get 304.
		etag := rec.Header().Get("ETag")
		rec = get(t, s, u, "If-None-Match", etag)
		if rec.Code != http.StatusNotModified {
			t.Errorf("If-None-Match %s: %d, want 304", tc.name, rec.Code)
		}
	}
	for _, p := range []string{"/static/", "/static/../embed.go", "/static/%2e%2e/templates/layout.html"} {
		if rec := get(t, s, p); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", p, rec.Code)
		}
	}
}

func TestUIEscapesRecordText(t *testing.T) {
	s := newXSSServer(t)
	for _, target := range []string{"/?q=delegates", "/records/" + xssID + "?q=script", "/records", "/?q=XSS&timeline=meeting"} {
		body := page(t, s, target, http.StatusOK)
		mustNotContain(t, body, "<script>window", "<img src=x", "<b>Evil", "<b>attack", "<b>in")
		if strings.Contains(target, "records/") {
			mustContain(t, body, `&lt;<mark>script</mark>&gt;window.__xss=1&lt;/<mark>script</mark>&gt;`, `&lt;img src=x onerror=&#34;window.__xss=3&#34;&gt;`,
				`<abbr title="cross-site &#34;scripting&#34; &lt;b&gt;attack&lt;/b&gt;">XSS</abbr>`)
		}
		if strings.HasPrefix(target, "/?q=delegates") {
			mustContain(t, body, `&lt;script&gt;window.__xss=1&lt;/script&gt;`, `Hostile &lt;script&gt;`)
		}
	}
	// The query itself is data too.
	body := page(t, s, "/?q="+url.QueryEscape(`"<script>alert(1)</script>"`), http.StatusOK)
	mustNotContain(t, body, "<script>alert")
}

// TestUIServedThroughRealListener checks the pages over a real loopback
// connection with the server's middleware: security headers included.
func TestUIServedThroughRealListener(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/?q=OPCON")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q", csp)
	}
}
