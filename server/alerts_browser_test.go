package server

import (
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
