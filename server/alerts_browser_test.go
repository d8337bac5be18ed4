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
