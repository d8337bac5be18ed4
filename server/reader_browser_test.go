package server

import (
	"context"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// The reader's experience (issue 16) in a real Chromium: keyboard use of
// facets and sort, results grouped by record, exports, the record page's
// match navigation, citations, related records and original file, the
// phone layout, and axe-core on every kind of page.

// press sends one key (keyDown with its text, then keyUp) to the focused
// element, as a keyboard does.
func press(key, code string, vk int64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
			p := input.DispatchKeyEventParams{Type: typ, Key: key, Code: code, WindowsVirtualKeyCode: vk, NativeVirtualKeyCode: vk}
			if typ == input.DispatchKeyEventTypeKeyDown && len([]rune(key)) == 1 {
				p.Text, p.UnmodifiedText = key, key
			}
			if typ == input.DispatchKeyEventTypeKeyDown && key == "Enter" {
				p.Text = "\r"
			}
			if _, err := chromedp.Call(ctx, input.DispatchKeyEvent, p); err != nil {
				return err
			}
		}
		return nil
	})
}

func TestBrowserKeyboardFacetsAndSort(t *testing.T) {
	browser := newBrowser(t)
	s, _ := newTestServer(t, testConfig())
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	ctx := newTab(t, browser)

	run(t, ctx, chromedp.Navigate(ts.URL+"/?q=alliance"))
	waitFor(t, ctx, `document.querySelector(".hit")`)
	// The skip link leads past the search form and filters to the results.
	if got := eval[string](t, ctx, `Array.from(document.querySelectorAll(".skip-link")).map(a => a.textContent + "=" + a.getAttribute("href")).join(" ")`); !strings.Contains(got, "Skip to results=#results") {
		t.Fatalf("skip links: %q", got)
	}
	run(t, ctx, chromedp.Evaluate[chromedp.Void](`document.querySelector('.skip-link[href="#results"]').focus()`))
	run(t, ctx, press("Enter", "Enter", 13))
	waitFor(t, ctx, `document.activeElement && document.activeElement.id === "results"`)

	// Space on a facet box applies it; focus and scroll come back to it.
	run(t, ctx, chromedp.Evaluate[chromedp.Void](`(() => { const b = document.querySelector('input[name="speaker"]'); b.scrollIntoView({block: "center"}); b.focus(); })()`))
	name := eval[string](t, ctx, `document.activeElement.value`)
	yBefore := eval[float64](t, ctx, `scrollY`)
	run(t, ctx, press(" ", "Space", 32))
	waitFor(t, ctx, `new URLSearchParams(location.search).get("speaker") === `+jsString(name))
	waitFor(t, ctx, `document.activeElement && document.activeElement.name === "speaker"`)
	if got := eval[string](t, ctx, `document.activeElement.value`); got != name {
		t.Errorf("after ticking %q by keyboard, focus is on %q", name, got)
	}
	if y := eval[float64](t, ctx, `scrollY`); y < yBefore-80 || y > yBefore+80 {
		t.Errorf("scroll %v after the reload, %v before", y, yBefore)
	}

	// Arrowing through the sort box does not reload: every option can be
	// reached; Enter applies.
	before := eval[string](t, ctx, `location.href`)
	run(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("sort").focus()`))
	run(t, ctx, press("ArrowDown", "ArrowDown", 40))
	run(t, ctx, press("ArrowDown", "ArrowDown", 40))
	if v := eval[string](t, ctx, `document.getElementById("sort").value`); v != "date" {
		t.Fatalf("after two arrows the sort box reads %q, want date (oldest first)", v)
	}
	if after := eval[string](t, ctx, `location.href`); after != before {
		t.Fatalf("arrowing through Sort navigated to %s", after)
	}
	if !eval[bool](t, ctx, `document.querySelector(".sort-apply").offsetParent !== null`) {
		t.Error("no Sort button to apply the keyboard choice")
	}
	run(t, ctx, press("Enter", "Enter", 13))
	waitFor(t, ctx, `new URLSearchParams(location.search).get("sort") === "date"`)
	dates := eval[[]string](t, ctx, `Array.from(document.querySelectorAll(".hit time")).map(e => e.getAttribute("datetime"))`)
	for i := 1; i < len(dates); i++ {
		if dates[i] < dates[i-1] {
			t.Errorf("oldest first: %v", dates)
			break
		}
	}
	checkAxe(t, ctx, "search sorted")
}

func TestBrowserGroupedResultsAndExports(t *testing.T) {
	browser := newBrowser(t)
	s, _ := newTestServer(t, testConfig())
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	ctx := newTab(t, browser)

	run(t, ctx, chromedp.Navigate(ts.URL+"/?q=OPCON"))
	waitFor(t, ctx, `document.querySelector(".hit")`)
	head := eval[string](t, ctx, `document.getElementById("results-heading").textContent`)
	m := regexp.MustCompile(`^1–(\d+) of (\d+) matching paragraphs in (\d+) records`).FindStringSubmatch(strings.TrimSpace(head))
	if m == nil {
		t.Fatalf("results heading %q, want 1–N of M matching paragraphs in R records", head)
	}
	api := eval[map[string]any](t, ctx, `fetch("/api/search?q=OPCON&group=record").then(r => r.json())`)
	if got := m[3]; got != jsonNum(api["records"]) {
		t.Errorf("page says %s records, the API %s", got, jsonNum(api["records"]))
	}
	cards := eval[int](t, ctx, `document.querySelectorAll("ol.hits > li.hit").length`)
	if groups := len(api["groups"].([]any)); cards != groups {
		t.Errorf("%d result cards, the API has %d record groups", cards, groups)
	}
	if hits := len(api["hits"].([]any)); cards >= hits {
		t.Errorf("%d cards for %d paragraph hits: not grouped by record", cards, hits)
	}
	// "N more matches in this record" opens in place.
	summary := eval[string](t, ctx, `document.querySelector(".hit-more summary").textContent`)
	if !regexp.MustCompile(`^\d+ more match(es)? in this record$`).MatchString(strings.TrimSpace(summary)) {
		t.Errorf("group summary %q", summary)
	}
	url := eval[string](t, ctx, `location.href`)
	click(t, ctx, ".hit-more summary")
	waitFor(t, ctx, `document.querySelector(".hit-more").open && document.querySelector(".hit-more-list .hit-para").offsetParent !== null`)
	if eval[string](t, ctx, `location.href`) != url {
		t.Error("expanding a group navigated")
	}
	// The year facet is in the sidebar; no facet value is empty.
	if n := eval[int](t, ctx, `document.querySelectorAll('#facet-year input[name="year"]').length`); n == 0 {
		t.Error("no year facet in the sidebar")
	}
	if n := eval[int](t, ctx, `Array.from(document.querySelectorAll(".facet-label")).filter(e => e.textContent.trim() === "").length`); n != 0 {
		t.Errorf("%d empty facet values", n)
	}
	screenshot(t, ctx, "search-grouped-desktop", 1280, 900)

	// Exports: JSON (the API's answer) and citations next to CSV.
	click(t, ctx, ".exports summary")
	waitFor(t, ctx, `document.getElementById("json-link").offsetParent !== null`)
	screenshot(t, ctx, "search-exports-desktop", 1280, 900)
	js := eval[map[string]any](t, ctx, `fetch(document.getElementById("json-link").href).then(r => r.json())`)
	if jsonNum(js["total"]) != m[2] {
		t.Errorf("JSON export total %v, page says %s", js["total"], m[2])
	}
	bib := eval[string](t, ctx, `fetch(Array.from(document.querySelectorAll(".exports-menu a")).find(a => a.textContent.startsWith("BibTeX")).href).then(r => r.text())`)
	if n := strings.Count(bib, "@misc{"); n != atoi(m[2]) {
		t.Errorf("BibTeX export has %d entries for %s paragraphs", n, m[2])
	}
	if !strings.Contains(bib, "url = {"+ts.URL+"/records/") {
		t.Errorf("BibTeX without absolute URLs:\n%.400s", bib)
	}
	csv := eval[string](t, ctx, `fetch(document.getElementById("csv-link").href).then(r => r.text())`)
	if !strings.Contains(csv, ts.URL+"/records/") || !strings.Contains(csv, "OPCON transition") {
		t.Errorf("CSV without absolute URLs or topic labels:\n%.600s", csv)
	}

	// A value every hit has filters nothing: it is muted.
	run(t, ctx, chromedp.Navigate(ts.URL+"/?q=OPCON&series=SCM"))
	waitFor(t, ctx, `document.querySelector(".hit")`)
	shared := eval[[]string](t, ctx, `(() => {
		const total = document.getElementById("results-heading").textContent.match(/of ([\d,]+) /)[1].replace(/,/g, "");
		return Array.from(document.querySelectorAll(".facet-values li")).filter(li => !li.querySelector("input").checked && li.querySelector(".count").textContent === total)
			.map(li => li.className + ":" + li.querySelector("input").value);
	})()`)
	if len(shared) == 0 {
		t.Fatal("no facet value shared by every hit in this search: the test needs one")
	}
	for _, v := range shared {
		if !strings.HasPrefix(v, "facet-shared:") {
			t.Errorf("value shared by every hit not muted: %s", v)
		}
	}

	// Meetings in the order they were held.
	click(t, ctx, `#facet-meeting .facet-order a`)
	waitFor(t, ctx, `location.search.includes("meeting_order=date")`)
	got := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('#facet-meeting input[name="meeting"]')).map(e => e.value)`)
	want := eval[[]string](t, ctx, `fetch("/api/records").then(r => r.json()).then(j => {
		const first = {};
		for (const r of j.records) { const m = r.meeting.name; if (m && (!first[m] || r.date < first[m])) first[m] = r.date; }
		return Object.keys(first).sort((a, b) => first[a] < first[b] ? -1 : first[a] > first[b] ? 1 : 0);
	})`)
	var wantShown []string
	for _, w := range want {
		for _, g := range got {
			if g == w {
				wantShown = append(wantShown, w)
			}
		}
	}
	if strings.Join(got, "|") != strings.Join(wantShown, "|") {
		t.Errorf("meetings by date: %q, want %q", got, wantShown)
	}
	checkAxe(t, ctx, "search, meetings by date")
}

func TestBrowserRecordReading(t *testing.T) {
	browser := newBrowser(t)
	s, _ := newTestServer(t, testConfig())
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	ctx := newTab(t, browser)
	const id = "scm-55-2023-11-13-communique"

	run(t, ctx, chromedp.Navigate(ts.URL+"/records/"+id+"?q=OPCON"))
	waitFor(t, ctx, `document.getElementById("match-next") && document.getElementById("match-pos").textContent !== ""`)
	matched := eval[[]string](t, ctx, `Array.from(document.querySelectorAll(".para-matched")).map(e => "#" + e.id)`)
	if len(matched) < 2 {
		t.Fatalf("%d highlighted paragraphs; the test needs two", len(matched))
	}
	click(t, ctx, "#match-next")
	waitFor(t, ctx, `location.hash === `+jsString(matched[0]))
	run(t, ctx, chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	run(t, ctx, press("n", "KeyN", 78))
	waitFor(t, ctx, `location.hash === `+jsString(matched[1]))
	if pos := eval[string](t, ctx, `document.getElementById("match-pos").textContent`); pos != "Match 2 of "+itoa(len(matched)) {
		t.Errorf("match position %q", pos)
	}
	if top := eval[float64](t, ctx, `document.querySelector(location.hash).getBoundingClientRect().top`); top < -5 || top > 300 {
		t.Errorf("the next match is at %vpx: not scrolled to", top)
	}
	run(t, ctx, press("p", "KeyP", 80))
	waitFor(t, ctx, `location.hash === `+jsString(matched[0]))
	checkAccessible(t, ctx, "record page with matches")

	// Related records: the next meeting of the series.
	next := eval[string](t, ctx, `document.querySelector(".record-nav-next") ? document.querySelector(".record-nav-next").textContent : ""`)
	if !strings.Contains(next, "56th SCM") {
		t.Errorf("next meeting link %q, want the 56th SCM", next)
	}

	// The printed number is the citation label; "cite this paragraph".
	label := eval[string](t, ctx, `document.getElementById("p6").querySelector(".para-anchor").textContent`)
	if label != "3" {
		t.Errorf("paragraph 6 is cited as %q, want its printed number 3", label)
	}
	if n := eval[int](t, ctx, `document.getElementById("p6").querySelectorAll(".para-number").length`); n != 0 {
		t.Error("paragraph 6 still shows its number twice")
	}
	click(t, ctx, "#p6 .para-anchor")
	waitFor(t, ctx, `!document.getElementById("cite-pop").hidden`)
	if u := eval[string](t, ctx, `document.getElementById("cite-pop-url").value`); u != ts.URL+"/records/"+id+"#p6" {
		t.Errorf("permalink %q", u)
	}
	line := eval[string](t, ctx, `document.getElementById("cite-pop-line").value`)
	for _, want := range []string{"Joint Communique", "55th SCM", "13 November 2023", "para. 3", ts.URL + "/records/" + id + "#p6"} {
		if !strings.Contains(line, want) {
			t.Errorf("citation line %q lacks %q", line, want)
		}
	}
	checkAxe(t, ctx, "cite dialog")
	screenshot(t, ctx, "record-cite-desktop", 1280, 900)
	click(t, ctx, "#cite-pop-select")
	click(t, ctx, "#cite-pop-close")
	click(t, ctx, `#p8 .cite-pick`)
	waitFor(t, ctx, `document.getElementById("cite-count").textContent === "2 selected paragraphs"`)
	for _, f := range []struct{ format, marker string }{{"ris", "TY  - "}, {"bibtex", "@misc{"}, {"csl-json", `"type": "document"`}} {
		body := eval[string](t, ctx, `(() => { const f = document.getElementById("cite-form"); document.getElementById("cite-format").value = `+jsString(f.format)+`;
			return fetch(f.action + "?" + new URLSearchParams(new FormData(f))).then(r => r.text()); })()`)
		if n := strings.Count(body, f.marker); n != 2 {
			t.Errorf("%s export of the 2 selected paragraphs has %d entries:\n%.500s", f.format, n, body)
		}
		if !strings.Contains(body, "#p6") || !strings.Contains(body, "#p8") {
			t.Errorf("%s export lacks the selected paragraphs:\n%.500s", f.format, body)
		}
	}

	// The original file downloads.
	orig := eval[[]string](t, ctx, `fetch(document.getElementById("original-link").href).then(async r => [String(r.status), r.headers.get("content-disposition") || "", await r.text()])`)
	if orig[0] != "200" || !strings.Contains(orig[1], "attachment") || !strings.Contains(orig[2], "OPCON") {
		t.Errorf("original file: %s %s %.80q", orig[0], orig[1], orig[2])
	}

	// On a phone an acronym opens by touch.
	run(t, ctx, chromedp.EmulateViewport(390, 844))
	run(t, ctx, chromedp.Navigate(ts.URL+"/records/"+id))
	waitFor(t, ctx, `document.querySelector(".para-text abbr[title]")`)
	click(t, ctx, ".para-text abbr[title]")
	waitFor(t, ctx, `document.querySelector(".abbr-tip")`)
	tip := eval[string](t, ctx, `document.querySelector(".abbr-tip").textContent`)
	title := eval[string](t, ctx, `document.querySelector(".para-text abbr[title]").title`)
	if !strings.Contains(tip, title) {
		t.Errorf("tapped acronym shows %q, want its expansion %q", tip, title)
	}
	screenshot(t, ctx, "record-acronym-phone", 390, 844)
}

func TestBrowserPhoneFilters(t *testing.T) {
	browser := newBrowser(t)
	s, _ := newTestServer(t, testConfig())
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	ctx := newTab(t, browser)
	run(t, ctx, chromedp.EmulateViewport(390, 844))
	run(t, ctx, chromedp.Navigate(ts.URL+"/?q=OPCON"))
	waitFor(t, ctx, `document.querySelector(".hit")`)
	st := eval[map[string]any](t, ctx, `({open: document.getElementById("facets-panel").open,
		panel: document.getElementById("facets-panel").getBoundingClientRect().top,
		results: document.getElementById("results").getBoundingClientRect().top})`)
	if st["open"] != false || st["panel"].(float64) >= st["results"].(float64) {
		t.Fatalf("phone: filters panel %v; want folded, above the results", st)
	}
	screenshot(t, ctx, "search-phone-filters-closed", 390, 844)
	run(t, ctx, chromedp.EmulateViewport(390, 844))
	click(t, ctx, ".facets-summary")
	waitFor(t, ctx, `document.getElementById("facets-panel").open`)
	click(t, ctx, `input[name="series"][value="KIDD"]`)
	waitFor(t, ctx, `location.search.includes("series=KIDD")`)
	// The panel the reader was using stays open after the filter applies.
	waitFor(t, ctx, `document.getElementById("facets-panel").open`)
	screenshot(t, ctx, "search-phone-filters-open", 390, 844)
}

// TestBrowserAxeEveryPage runs axe-core on each kind of page, failing on
// serious and critical findings.
func TestBrowserAxeEveryPage(t *testing.T) {
	browser := newBrowser(t)
	env := startAlertEnv(t, t.TempDir(), nil, false)
	ctx := newTab(t, browser)
	for _, p := range []struct{ name, path string }{
		{"home", "/"},
		{"search", "/?q=OPCON&timeline=meeting"},
		{"no hits", "/?q=OPCOM"},
		{"bad query", "/?q=%22unclosed"},
		{"not found", "/no/such/page"},
		{"record not found", "/records/nope"},
		{"record", "/records/scm-55-2023-11-13-communique?q=OPCON"},
		{"records", "/records"},
		{"glossary", "/glossary"},
		{"my alerts", "/alerts"},
		{"save as alert", "/alerts/new?q=OPCON&series=SCM&from=2020-01-01"},
	} {
		run(t, ctx, chromedp.Navigate(env.base+p.path))
		waitFor(t, ctx, `document.querySelector("main")`)
		checkAxe(t, ctx, p.name)
		if n := eval[int](t, ctx, `document.querySelectorAll("h1").length`); n != 1 {
			t.Errorf("%s: %d h1", p.name, n)
		}
	}
	screenshot(t, ctx, "alert-new-axe-desktop", 1280, 900)
}

func jsonNum(v any) string {
	if f, ok := v.(float64); ok {
		return itoa(int(f))
	}
	return ""
}

func itoa(n int) string { return strconv.Itoa(n) }

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
