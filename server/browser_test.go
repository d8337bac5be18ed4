package server

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// End-to-end tests of the browser UI in a real headless Chromium (Debian's
// chromium package) driven by chromedp, against the real server on a
// loopback port over a real index. Screenshots go to test-artifacts/ at the
// repository root.

// chromiumPath finds the browser; its absence fails the test: the test task
// installs it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	t.Fatal("chromium not found: install it (apt-get install -y chromium) or set CHROMIUM; use -short to skip browser tests")
	return ""
}

// newBrowser starts a headless Chromium with a fresh profile and returns a
// context for its first tab; the browser stops when the test ends.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test: runs a real headless Chromium; skipped under -short")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// Start the browser now, without a deadline (a deadline on the first
	// Run would bound the browser's life).
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// run runs steps with a time limit.
func run(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(c, steps...); err != nil {
		t.Fatalf("browser: %v", err)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it holds in a loaded page;
// errors while a navigation replaces the page are retried.
func waitFor(t *testing.T, ctx context.Context, cond string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	expr := `document.readyState === "complete" && !!(` + cond + `)`
	var lastErr error
	for time.Now().Before(deadline) {
		c, cancel := context.WithTimeout(ctx, 2*time.Second)
		ok, err := chromedp.Run(c, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		lastErr = err
		time.Sleep(50 * time.Millisecond)
	}
	url, _ := chromedp.Run(ctx, chromedp.Location())
	t.Fatalf("timed out waiting for %s (at %s; last error %v)", cond, url, lastErr)
}

// click clicks the middle of the element as a mouse does (a trusted
// event), after scrolling it into view. It finds the element with
// JavaScript rather than chromedp's DOM queries, whose cached document goes
// stale when a page comes back from the back-forward cache.
func click(t *testing.T, ctx context.Context, selector string) {
	t.Helper()
	waitFor(t, ctx, `document.querySelector(`+jsString(selector)+`)`)
	xy := eval[[]float64](t, ctx, `(() => {
		const el = document.querySelector(`+jsString(selector)+`);
		el.scrollIntoView({block: "center"});
		const r = el.getBoundingClientRect();
		return [r.left + r.width / 2, r.top + r.height / 2];
	})()`)
	run(t, ctx, chromedp.MouseClickXY(xy[0], xy[1]))
}

// historyGo moves in the tab's history as the Back and Forward buttons do.
// (chromedp's NavigateBack waits for a load event, which a page restored
// from the back-forward cache never fires; callers wait for the URL.)
func historyGo(t *testing.T, ctx context.Context, delta int) {
	t.Helper()
	run(t, ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf("history.go(%d)", delta)))
}

// screenshot saves a full-page PNG at width w into test-artifacts/.
func screenshot(t *testing.T, ctx context.Context, name string, w, h int64) {
	t.Helper()
	run(t, ctx, chromedp.EmulateViewport(w, h))
	// Readable at this width: nothing sticks out sideways.
	if sw := eval[int](t, ctx, `document.documentElement.scrollWidth`); sw > int(w) {
		t.Errorf("%s: page is %dpx wide in a %dpx viewport (horizontal scrolling)", name, sw, w)
	}
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	png, err := chromedp.Run(c, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join("..", "test-artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, chromedp.EmulateViewport(1280, 900))
}

func newTab(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	tab, cancel := chromedp.NewContext(ctx)
	t.Cleanup(cancel)
	// The first Run opens the tab: no deadline, or the tab dies with it.
	if err := chromedp.Do(tab, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	return tab
}

const facetCountsJS = `Array.from(document.querySelectorAll('.facet-values li')).map(li => li.querySelector('input').name + '=' + li.querySelector('input').value + ':' + li.querySelector('.count').textContent).join(' ')`

func TestBrowserSearchFacetsRecord(t *testing.T) {
	browser := newBrowser(t)
	s, _ := newTestServer(t, testConfig())
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	ctx := newTab(t, browser)

	// "/" focuses the search box; typing a query and Enter searches.
	run(t, ctx, chromedp.Navigate(ts.URL+"/"))
	waitFor(t, ctx, `document.getElementById("q")`)
	if eval[string](t, ctx, `document.activeElement.id`) == "q" {
		t.Fatal("the search box has focus before '/' was pressed")
	}
	screenshot(t, ctx, "home-desktop", 1280, 900)
	run(t, ctx, pressSlash())
	if got := eval[string](t, ctx, `document.activeElement.id`); got != "q" {
		t.Fatalf("after '/', focus is on %q, want the search box", got)
	}
	if v := eval[string](t, ctx, `document.getElementById("q").value`); v != "" {
		t.Fatalf("'/' was typed into the box: %q", v)
	}
	run(t, ctx, chromedp.KeyEvent("OPCON\r"))
	waitFor(t, ctx, `location.search === "?q=OPCON"`)
	waitFor(t, ctx, `document.querySelectorAll(".hit").length > 0`)
	marks := eval[[]string](t, ctx, `Array.from(document.querySelectorAll(".hit .snippet mark")).map(m => m.textContent)`)
	if len(marks) == 0 {
		t.Fatal("no <mark> in the result snippets")
	}
	sawOPCON, sawExpansion := false, false
	for _, m := range marks {
		m = strings.ToLower(m)
		sawOPCON = sawOPCON || m == "opcon"
		sawExpansion = sawExpansion || strings.Contains(m, "operational") || strings.Contains(m, "control")
	}
	if !sawOPCON || !sawExpansion {
		t.Errorf("marks %q: want both OPCON and its expansion highlighted", marks)
	}
	checkAccessible(t, ctx, "search page")
	screenshot(t, ctx, "search-desktop", 1280, 900)
	screenshot(t, ctx, "search-phone", 390, 844)

	// Ticking a facet value filters at once (JS submits the form).
	hitsBefore := eval[int](t, ctx, `document.querySelectorAll(".hit").length`)
	headBefore := eval[string](t, ctx, `document.getElementById("results-heading").textContent`)
	countsBefore := eval[string](t, ctx, facetCountsJS)
	click(t, ctx, `input[name="series"][value="KIDD"]`)
	waitFor(t, ctx, `location.search.includes("series=KIDD")`)
	waitFor(t, ctx, `document.querySelector('input[name="series"][value="KIDD"]').checked`)
	hitsAfter := eval[int](t, ctx, `document.querySelectorAll(".hit").length`)
	headAfter := eval[string](t, ctx, `document.getElementById("results-heading").textContent`)
	countsAfter := eval[string](t, ctx, facetCountsJS)
	if hitsAfter >= hitsBefore || headAfter == headBefore {
		t.Errorf("after ticking KIDD: %d hits (%q), before %d (%q); want fewer", hitsAfter, headAfter, hitsBefore, headBefore)
	}
	if countsAfter == countsBefore {
		t.Errorf("facet counts did not change after ticking KIDD: %s", countsAfter)
	}
	if titles := eval[string](t, ctx, `Array.from(document.querySelectorAll(".hit-meta")).map(e => e.textContent).join("|")`); strings.Contains(titles, "SCM") {
		t.Errorf("a non-KIDD hit after filtering: %s", titles)
	}
	if chip := eval[string](t, ctx, `document.querySelector(".chip") ? document.querySelector(".chip").textContent : ""`); !strings.Contains(chip, "KIDD") {
		t.Errorf("no chip for the KIDD filter: %q", chip)
	}
	screenshot(t, ctx, "search-facet-desktop", 1280, 900)

	// Back shows the unfiltered search again, with the box unticked.
	historyGo(t, ctx, -1)
	waitFor(t, ctx, `location.search === "?q=OPCON"`)
	if eval[bool](t, ctx, `document.querySelector('input[name="series"][value="KIDD"]').checked`) {
		t.Error("after Back, the KIDD box is still ticked")
	}
	if n := eval[int](t, ctx, `document.querySelectorAll(".hit").length`); n != hitsBefore {
		t.Errorf("after Back: %d hits, want %d", n, hitsBefore)
	}
	// Forward again, then remove the filter with its chip.
	historyGo(t, ctx, 1)
	waitFor(t, ctx, `location.search.includes("series=KIDD")`)
	click(t, ctx, `.chip-remove`)
	waitFor(t, ctx, `location.search === "?q=OPCON"`)

	// A date typed into the range applies with Enter.
	run(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("from").focus()`))
	run(t, ctx, chromedp.KeyEvent("01012023"))
	if v := eval[string](t, ctx, `document.getElementById("from").value`); v != "2023-01-01" {
		t.Fatalf("typed date reads %q", v)
	}
	run(t, ctx, chromedp.KeyEvent("\r"))
	waitFor(t, ctx, `location.search === "?q=OPCON&from=2023-01-01"`)
	if dates := eval[string](t, ctx, `Array.from(document.querySelectorAll(".hit time")).map(e => e.getAttribute("datetime")).join(" ")`); dates == "" || strings.Contains(dates, "2018") {
		t.Errorf("from 2023-01-01: hits dated %q", dates)
	}
	historyGo(t, ctx, -1)
	waitFor(t, ctx, `location.search === "?q=OPCON"`)

	// A timeline bar filters to its year.
	click(t, ctx, `.timeline .bar a[href*="year=2018"] .bar-hit`)
	waitFor(t, ctx, `location.search.includes("year=2018")`)
	if meta := eval[string](t, ctx, `Array.from(document.querySelectorAll(".hit time")).map(e => e.getAttribute("datetime")).join(" ")`); meta == "" || strings.Contains(meta, "2023") || strings.Contains(meta, "2024") {
		t.Errorf("after clicking the 2018 bar, hits dated %q", meta)
	}
	historyGo(t, ctx, -1)
	waitFor(t, ctx, `location.search === "?q=OPCON"`)

	// Opening a hit lands on its paragraph, highlighted.
	href := eval[string](t, ctx, `document.querySelector(".hit-title a").getAttribute("href")`)
	click(t, ctx, `.hit-title a`)
	waitFor(t, ctx, `location.pathname.startsWith("/records/") && location.hash.startsWith("#p")`)
	if want := href[strings.Index(href, "#"):]; eval[string](t, ctx, `location.hash`) != want {
		t.Errorf("landed at %s, want %s", eval[string](t, ctx, `location.hash`), want)
	}
	target := eval[map[string]any](t, ctx, `(() => {
		const el = document.querySelector(":target");
		if (!el) return {id: ""};
		const r = el.getBoundingClientRect();
		return {id: el.id, bg: getComputedStyle(el).backgroundColor, top: r.top, bottom: r.bottom, vh: innerHeight,
			marks: el.querySelectorAll("mark").length};
	})()`)
	if target["id"] != strings.TrimPrefix(href[strings.Index(href, "#"):], "#") {
		t.Fatalf(":target is %v, want the paragraph of %s", target, href)
	}
	if target["bg"] != "rgb(232, 240, 254)" {
		t.Errorf("target paragraph background %v, want the highlight", target["bg"])
	}
	if top, vh := target["top"].(float64), target["vh"].(float64); top < 0 || top > vh/2 {
		t.Errorf("target paragraph top at %v of a %v viewport: not scrolled to", top, vh)
	}
	if target["marks"].(float64) < 1 {
		t.Error("no query term highlighted in the target paragraph")
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('abbr[title]').length`); n == 0 {
		t.Error("no acronym with its expansion on the record page")
	}
	checkAccessible(t, ctx, "record page")
	screenshot(t, ctx, "record-desktop", 1280, 900)
	run(t, ctx, chromedp.EmulateViewport(390, 844))
	run(t, ctx, chromedp.Navigate(ts.URL+href))
	waitFor(t, ctx, `document.querySelector(":target")`)
	run(t, ctx, chromedp.EmulateViewport(390, 844))
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	_ = os.MkdirAll(filepath.Join("..", "test-artifacts"), 0o755)
	if err := os.WriteFile(filepath.Join("..", "test-artifacts", "record-phone-at-target.png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "record-phone", 390, 844)
}

func TestBrowserSuggestionAndCSV(t *testing.T) {
	browser := newBrowser(t)
	s, _ := newTestServer(t, testConfig())
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	ctx := newTab(t, browser)

	// A misspelled query offers a suggestion; following it finds hits.
	run(t, ctx, chromedp.Navigate(ts.URL+"/?q=OPCOM"))
	waitFor(t, ctx, `document.getElementById("suggestion-link")`)
	if n := eval[int](t, ctx, `document.querySelectorAll(".hit").length`); n != 0 {
		t.Fatalf("%d hits for OPCOM", n)
	}
	suggestion := eval[string](t, ctx, `document.getElementById("suggestion-link").textContent`)
	screenshot(t, ctx, "zero-hits-desktop", 1280, 900)
	click(t, ctx, "#suggestion-link")
	waitFor(t, ctx, `new URLSearchParams(location.search).get("q") === `+jsString(suggestion))
	waitFor(t, ctx, `document.querySelectorAll(".hit").length > 0`)

	// The CSV link exports the same search.
	res := eval[[]string](t, ctx, `fetch(document.getElementById("csv-link").href).then(async r => {
		const b = new Uint8Array(await r.arrayBuffer());
		const bom = b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf;
		return [String(r.status), r.headers.get("content-type"), (bom ? "\ufeff" : "") + new TextDecoder().decode(b)];
	})`)
	if res[0] != "200" || !strings.HasPrefix(res[1], "text/csv") {
		t.Fatalf("CSV export: status %s, type %s", res[0], res[1])
	}
	body, bom := strings.CutPrefix(res[2], "\ufeff")
	if !bom {
		t.Error("the CSV has no UTF-8 byte-order mark (Excel reads it as ANSI)")
	}
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if !strings.HasPrefix(lines[0], "id,record_id,title") {
		t.Errorf("CSV header %q", lines[0])
	}
	total := eval[string](t, ctx, `document.getElementById("results-heading").textContent`)
	if !strings.Contains(total, " of "+fmt.Sprint(len(lines)-1)+" ") {
		t.Errorf("CSV has %d rows; the page says %q", len(lines)-1, total)
	}
}

func TestBrowserRecordTextNeverRuns(t *testing.T) {
	browser := newBrowser(t)
	s := newXSSServer(t)
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	ctx := newTab(t, browser)
	for _, path := range []string{"/?q=delegates", "/?q=XSS&timeline=meeting", "/records/" + xssID + "?q=script#p1", "/records"} {
		run(t, ctx, chromedp.Navigate(ts.URL+path))
		waitFor(t, ctx, `document.querySelector("main")`)
		time.Sleep(100 * time.Millisecond) // let any (wrongly) injected handler fire
		if !eval[bool](t, ctx, `typeof window.__xss === "undefined"`) {
			t.Errorf("%s: injected script ran (window.__xss = %v)", path, eval[any](t, ctx, `window.__xss`))
		}
		if n := eval[int](t, ctx, `document.querySelectorAll("main img, main script, main b").length`); n != 0 {
			t.Errorf("%s: %d elements made from record text", path, n)
		}
		text := eval[string](t, ctx, `document.querySelector("main").innerText`)
		if path != "/records" && !strings.Contains(text, "<script>window.__xss=1</script>") {
			t.Errorf("%s: the script text is not shown as text", path)
		}
	}
	screenshot(t, ctx, "xss-record-desktop", 1280, 900)
}

// TestBrowserWithoutJavaScript: the search works with scripts off; the
// facet form has its Apply button.
func TestBrowserWithoutJavaScript(t *testing.T) {
	browser := newBrowser(t)
	s, _ := newTestServer(t, testConfig())
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	ctx := newTab(t, browser)
	run(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	run(t, ctx, chromedp.Navigate(ts.URL+"/?q=OPCON"))
	run(t, ctx, chromedp.WaitVisible(chromedp.CSS(".facets-apply")))
	if eval[bool](t, ctx, `document.documentElement.classList.contains("js")`) {
		t.Fatal("app.js ran although scripts are off")
	}
	click(t, ctx, `input[name="series"][value="KIDD"]`)
	click(t, ctx, ".facets-apply")
	waitFor(t, ctx, `location.search.includes("series=KIDD") && location.search.includes("q=OPCON")`)
	waitFor(t, ctx, `document.querySelector(".chip")`)
	screenshot(t, ctx, "search-nojs-phone", 390, 844)
}

// pressSlash presses "/" as a keyboard does: one keyDown that carries the
// text (so that a handled keydown suppresses the character), then keyUp.
func pressSlash() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for _, typ := range []input.DispatchKeyEventType{input.DispatchKeyEventTypeKeyDown, input.DispatchKeyEventTypeKeyUp} {
			p := input.DispatchKeyEventParams{Type: typ, Key: "/", Code: "Slash", WindowsVirtualKeyCode: 191, NativeVirtualKeyCode: 191}
			if typ == input.DispatchKeyEventTypeKeyDown {
				p.Text, p.UnmodifiedText = "/", "/"
			}
			if _, err := cdp.Call(ctx, tg, input.DispatchKeyEvent, p); err != nil {
				return err
			}
		}
		return nil
	})
}

// checkAccessible checks what a screen reader user needs on every page:
// one main landmark and a navigation, a level-one or level-two heading,
// and a name for every form control and link.
func checkAccessible(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	problems := eval[[]string](t, ctx, `(() => {
		const out = [];
		if (document.querySelectorAll("main").length !== 1) out.push("main landmarks: " + document.querySelectorAll("main").length);
		if (!document.querySelector("nav[aria-label]")) out.push("no labelled nav");
		if (!document.querySelector("h1, h2")) out.push("no heading");
		if (!document.documentElement.lang) out.push("no lang");
		for (const el of document.querySelectorAll("input:not([type=hidden]), select, textarea")) {
			const named = el.labels && el.labels.length > 0 || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
			if (!named) out.push("unlabelled " + el.outerHTML.slice(0, 80));
		}
		for (const a of document.querySelectorAll("a[href]")) {
			if (!(a.textContent.trim() || a.getAttribute("aria-label"))) out.push("nameless link " + a.outerHTML.slice(0, 80));
		}
		const ids = {};
		for (const el of document.querySelectorAll("[id]")) {
			if (ids[el.id]) out.push("duplicate id " + el.id);
			ids[el.id] = true;
		}
		return out;
	})()`)
	for _, p := range problems {
		t.Errorf("%s: %s", page, p)
	}
	checkAxe(t, ctx, page)
}

func jsString(s string) string { return fmt.Sprintf("%q", s) }

func TestBrowserRecordsAndGlossary(t *testing.T) {
	browser := newBrowser(t)
	s, _ := newTestServer(t, testConfig())
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	ctx := newTab(t, browser)

	// Choosing a series applies at once (the Filter button is for no-JS).
	run(t, ctx, chromedp.Navigate(ts.URL+"/records"))
	waitFor(t, ctx, `document.querySelectorAll(".record-item").length === 5`)
	if eval[bool](t, ctx, `document.querySelector(".filterbar button").offsetParent !== null`) {
		t.Error("the Filter button shows although JS submits on change")
	}
	checkAccessible(t, ctx, "records page")
	screenshot(t, ctx, "records-desktop", 1280, 900)
	screenshot(t, ctx, "records-phone", 390, 844)
	run(t, ctx, chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("series"); s.value = "KIDD"; s.dispatchEvent(new Event("change", {bubbles: true})); })()`))
	waitFor(t, ctx, `location.search === "?series=KIDD"`)
	waitFor(t, ctx, `document.querySelectorAll(".record-item").length === 2`)
	if txt := eval[string](t, ctx, `document.querySelector(".record-list").innerText`); strings.Contains(txt, "SCM") {
		t.Errorf("SCM record listed under KIDD: %s", txt)
	}

	// The glossary filters as you type.
	run(t, ctx, chromedp.Navigate(ts.URL+"/glossary"))
	waitFor(t, ctx, `document.querySelectorAll("#glossary-table tbody tr").length > 10`)
	all := eval[int](t, ctx, `document.querySelectorAll("#glossary-table tbody tr:not([hidden])").length`)
	click(t, ctx, "#glossary-filter")
	run(t, ctx, chromedp.KeyEvent("NCG"))
	waitFor(t, ctx, `document.querySelectorAll("#glossary-table tbody tr:not([hidden])").length < `+fmt.Sprint(all))
	if rows := eval[string](t, ctx, `Array.from(document.querySelectorAll("#glossary-table tbody tr:not([hidden]) th")).map(e => e.textContent).join(" ")`); !strings.Contains(rows, "NCG") {
		t.Errorf("filtering the glossary by NCG shows %q", rows)
	}
	checkAccessible(t, ctx, "glossary page")
	screenshot(t, ctx, "glossary-desktop", 1280, 900)
}
