package server

import (
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// In a real Chromium: "Save as alert" from a search, save the form, land on
// the alert's page, and find the alert under "My alerts" (remembered by the
// browser in localStorage, read back through the API with its token).
func TestBrowserSaveAsAlert(t *testing.T) {
	browser := newBrowser(t)
	env := startAlertEnv(t, t.TempDir(), nil, false)
	ctx := newTab(t, browser)

	run(t, ctx, chromedp.Navigate(env.base+"/?q=OPCON"))
	waitFor(t, ctx, `document.querySelector('a[href^="/alerts/new?"]')`)
	run(t, ctx, chromedp.Click(chromedp.CSS(`a[href^="/alerts/new?"]`)))
	waitFor(t, ctx, `document.getElementById("alert-form")`)
	if msg := eval[string](t, ctx, `document.querySelector(".alert-preview h2").textContent`); !strings.Contains(msg, "would have matched") {
		t.Errorf("preview: %q", msg)
	}
	if q := eval[string](t, ctx, `document.getElementById("alert-q").value`); q != "OPCON" {
		t.Errorf("form q = %q", q)
	}
	run(t, ctx, chromedp.SendKeys(chromedp.ID("alert-name"), "OPCON in the browser"))
	screenshot(t, ctx, "alert-new-desktop", 1280, 900)
	run(t, ctx, chromedp.Click(chromedp.CSS(`#alert-form button[type="submit"]`)))
	waitFor(t, ctx, `document.getElementById("alert-created")`)
	if h := eval[string](t, ctx, `document.querySelector("h1").textContent`); h != "Alert: OPCON in the browser" {
		t.Errorf("alert page heading %q", h)
	}
	// The new record arrives; the page shows the match after a reload.
	env.ingest(recordKIDD25)
	run(t, ctx, chromedp.Reload())
	waitFor(t, ctx, `document.querySelector("#alert-matches .hit mark")`)
	screenshot(t, ctx, "alert-page-desktop", 1280, 900)
	screenshot(t, ctx, "alert-page-phone", 390, 844)

	// My alerts lists it, from localStorage and the API.
	run(t, ctx, chromedp.Navigate(env.base+"/alerts"))
	waitFor(t, ctx, `document.querySelector("#my-alerts-list li .muted") && document.querySelector("#my-alerts-list li .muted").textContent !== ""`)
	if txt := eval[string](t, ctx, `document.getElementById("my-alerts-list").textContent`); !strings.Contains(txt, "OPCON in the browser") || !strings.Contains(txt, "1 match") {
		t.Errorf("My alerts: %q", txt)
	}
	if hidden := eval[bool](t, ctx, `document.getElementById("my-alerts-empty").hidden`); !hidden {
		t.Error("My alerts still says it is empty")
	}
}

// Managing an alert in the browser: the carried filters can be dropped on
// the save form, the preview shows paragraphs, the alert is edited, paused,
// resumed and deleted (after a confirmation).
func TestBrowserManageAlert(t *testing.T) {
	browser := newBrowser(t)
	env := startAlertEnv(t, t.TempDir(), nil, false)
	ctx := newTab(t, browser)

	run(t, ctx, chromedp.Navigate(env.base+"/alerts/new?q=alliance&series=SCM&topic=opcon&from=2020-01-01"))
	waitFor(t, ctx, `document.getElementById("carried-filters")`)
	carried := eval[string](t, ctx, `document.getElementById("carried-filters").innerText`)
	for _, want := range []string{"Series: SCM", "Topic: OPCON transition", "From: 2020-01-01"} {
		if !strings.Contains(carried, want) {
			t.Errorf("carried filters %q lack %q", carried, want)
		}
	}
	items := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("#alert-preview-list li")).map(li => li.innerText)`)
	if len(items) == 0 {
		t.Fatal("no preview paragraphs")
	}
	seen := map[string]bool{}
	for _, it := range items {
		if !strings.Contains(it, "¶") {
			t.Errorf("preview item without a paragraph number: %q", it)
		}
		if seen[it] {
			t.Errorf("preview repeats %q", it)
		}
		seen[it] = true
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("#alert-preview-list .snippet").length`); n != len(items) {
		t.Errorf("%d snippets for %d preview items", n, len(items))
	}
	screenshot(t, ctx, "alert-new-carried-desktop", 1280, 900)
	screenshot(t, ctx, "alert-new-carried-phone", 390, 844)
	// Drop the topic; keep the series and the date.
	click(t, ctx, `#carried-filters input[name="topic"]`)
	run(t, ctx, chromedp.SendKeys(chromedp.ID("alert-name"), "Alliance at the SCM"))
	click(t, ctx, `#alert-form button[type="submit"]`)
	waitFor(t, ctx, `document.getElementById("alert-created")`)
	facts := eval[string](t, ctx, `document.querySelector(".alert-facts").innerText`)
	if strings.Contains(facts, "topic") || !strings.Contains(facts, "series: SCM") || !strings.Contains(facts, "2020-01-01") {
		t.Errorf("saved alert: %q, want series and date, no topic", facts)
	}

	// Edit the query and drop the series.
	run(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("edit-q").value = "NCG"`))
	click(t, ctx, `#alert-edit input[name="series"]`)
	click(t, ctx, `#alert-edit button[type="submit"]`)
	waitFor(t, ctx, `document.querySelector(".notice") && document.querySelector(".notice").textContent.includes("Changes saved")`)
	facts = eval[string](t, ctx, `document.querySelector(".alert-facts").innerText`)
	if !strings.Contains(facts, "NCG") || strings.Contains(facts, "series") {
		t.Errorf("after the edit: %q", facts)
	}

	// Pause and resume.
	click(t, ctx, "#alert-pause")
	waitFor(t, ctx, `document.getElementById("alert-status") && document.getElementById("alert-status").textContent === "paused"`)
	click(t, ctx, "#alert-resume")
	waitFor(t, ctx, `document.getElementById("alert-status") && document.getElementById("alert-status").textContent === "active"`)
	checkAxe(t, ctx, "alert page")
	screenshot(t, ctx, "alert-manage-desktop", 1280, 900)
	screenshot(t, ctx, "alert-manage-phone", 390, 844)

	// Delete asks first; "Keep it" keeps it.
	click(t, ctx, "#alert-delete")
	waitFor(t, ctx, `document.querySelector("h1") && document.querySelector("h1").textContent.startsWith("Delete the alert")`)
	checkAxe(t, ctx, "delete confirmation")
	screenshot(t, ctx, "alert-delete-confirm-desktop", 1280, 900)
	if n := len(mustList(t, env)); n != 1 {
		t.Fatalf("%d alerts after asking to delete, want 1 until confirmed", n)
	}
	click(t, ctx, ".alert-action-form button")
	waitFor(t, ctx, `document.getElementById("my-alerts")`)
	if n := len(mustList(t, env)); n != 0 {
		t.Errorf("%d alerts after the confirmed delete", n)
	}
}

func mustList(t *testing.T, env *alertEnv) []any {
	t.Helper()
	vs, err := env.svc.List()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]any, len(vs))
	for i := range vs {
		out[i] = vs[i]
	}
	return out
}

// A series watch made in the browser: "My alerts" has its form (the
// index's series to choose from, tracked phrases, channels); the saved
// watch's page says what it watches, its edit form changes the phrases,
// and My alerts lists it as a series watch. When the next SCM edition is
// ingested, its page shows the change report.
func TestBrowserSeriesWatch(t *testing.T) {
	browser := newBrowser(t)
	env := startAlertEnv(t, t.TempDir(), nil, false)
	ctx := newTab(t, browser)

	run(t, ctx, chromedp.Navigate(env.base+"/alerts"))
	waitFor(t, ctx, `document.getElementById("watch-form")`)
	options := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("#watch-series option")).map(o => o.value)`)
	if !slices.Contains(options, "SCM") || !slices.Contains(options, "KIDD") || !slices.Contains(options, "") {
		t.Errorf("series to choose from: %q", options)
	}
	checkAxe(t, ctx, "my alerts with the series watch form")
	run(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("watch-series").value = "SCM"`))
	run(t, ctx, chromedp.SendKeys(chromedp.ID("watch-track"), "extended deterrence\nOPCON transition"))
	run(t, ctx, chromedp.SendKeys(chromedp.ID("watch-name"), "SCM wording"))
	screenshot(t, ctx, "alert-watch-new-desktop", 1280, 900)
	screenshot(t, ctx, "alert-watch-new-phone", 390, 844)
	click(t, ctx, `#watch-form button[type="submit"]`)
	waitFor(t, ctx, `document.getElementById("alert-created")`)
	if kind := eval[string](t, ctx, `document.getElementById("alert-kind").textContent`); !strings.Contains(kind, "Series watch") {
		t.Errorf("kind %q", kind)
	}
	if s := eval[string](t, ctx, `document.getElementById("alert-series").textContent`); s != "SCM" {
		t.Errorf("series %q", s)
	}
	if tr := eval[string](t, ctx, `document.getElementById("alert-track").textContent`); !strings.Contains(tr, "“extended deterrence”") || !strings.Contains(tr, "“OPCON transition”") {
		t.Errorf("tracked %q", tr)
	}
	vs, err := env.svc.List()
	if err != nil || len(vs) != 1 || vs[0].Series != "SCM" || !slices.Equal(vs[0].Track, []string{"extended deterrence", "OPCON transition"}) || vs[0].Query != "" {
		t.Fatalf("saved: %+v (%v)", vs, err)
	}

	// Edit: one phrase only.
	run(t, ctx, chromedp.Evaluate[chromedp.Void](`document.getElementById("edit-track").value = "extended deterrence"`))
	click(t, ctx, `#alert-edit button[type="submit"]`)
	waitFor(t, ctx, `document.querySelector(".notice") && document.querySelector(".notice").textContent.includes("Changes saved")`)
	if tr := eval[string](t, ctx, `document.getElementById("alert-track").textContent`); tr != "“extended deterrence”" {
		t.Errorf("tracked after the edit %q", tr)
	}
	if vs, _ := env.svc.List(); len(vs) != 1 || vs[0].Series != "SCM" || len(vs[0].Track) != 1 {
		t.Errorf("after the edit: %+v", vs)
	}
	checkAxe(t, ctx, "series watch page")

	// The next edition arrives: the page shows its change report.
	b, err := os.ReadFile("../lineage/testdata/editions/2024-10-30-scm-56-joint-communique.txt")
	if err != nil {
		t.Fatal(err)
	}
	env.ingest(string(b))
	run(t, ctx, chromedp.Reload())
	waitFor(t, ctx, `document.querySelector("#alert-matches .hit")`)
	report := eval[string](t, ctx, `document.getElementById("alert-matches").innerText`)
	if !strings.Contains(report, "dropped") || !strings.Contains(report, "reworded") {
		t.Errorf("change report: %.400q", report)
	}
	screenshot(t, ctx, "alert-watch-page-desktop", 1280, 900)

	// My alerts lists it with its kind.
	run(t, ctx, chromedp.Navigate(env.base+"/alerts"))
	waitFor(t, ctx, `document.querySelector("#my-alerts-list li .muted") && document.querySelector("#my-alerts-list li .muted").textContent !== ""`)
	if txt := eval[string](t, ctx, `document.getElementById("my-alerts-list").textContent`); !strings.Contains(txt, "SCM wording") || !strings.Contains(txt, "series watch (SCM)") {
		t.Errorf("My alerts: %q", txt)
	}
}

// A series watch without a series is refused on the same page, with the
// fields kept.
func TestUISeriesWatchNeedsASeries(t *testing.T) {
	env := startAlertEnv(t, t.TempDir(), nil, false)
	form := url.Values{"watch": {""}, "track": {"extended deterrence"}, "name": {"no series"}}
	res, err := http.PostForm(env.base+"/alerts/new", form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `id="watch-error"`) || !strings.Contains(string(body), "extended deterrence</textarea>") {
		t.Errorf("status %d, body %.600s", res.StatusCode, body)
	}
}
