package server

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// In a real Chromium: from a record page, "Compare with previous edition"
// opens the two communiqués aligned (side by side on a desktop, stacked on
// a phone); a history marker opens a paragraph's lineage with its diffs.
func TestBrowserCompareAndLineage(t *testing.T) {
	browser := newBrowser(t)
	s := newLineageServer(t)
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	ctx := newTab(t, browser)

	run(t, ctx, chromedp.Navigate(ts.URL+"/records/"+scm56))
	waitFor(t, ctx, `document.getElementById("compare-prev")`)
	checkAccessible(t, ctx, "record with history")
	viewportShot(t, ctx, "record-history-desktop", 1280, 900)
	click(t, ctx, "#compare-prev")
	waitFor(t, ctx, `document.getElementById("compare-rows")`)
	checkAccessible(t, ctx, "compare")
	// side by side: the old and the new cell of a row share a line
	if same := eval[bool](t, ctx, `(() => { const r = document.querySelector(".compare-reworded"); const a = r.querySelector(".compare-a").getBoundingClientRect(), b = r.querySelector(".compare-b").getBoundingClientRect(); return Math.abs(a.top - b.top) < 2 && b.left > a.right; })()`); !same {
		t.Error("desktop: the two records are not side by side")
	}
	if n := eval[int](t, ctx, `document.querySelectorAll("#compare-rows del").length`); n == 0 {
		t.Error("no deletions marked on the compare page")
	}
	// the markers are text too: readable without colour
	if txt := eval[string](t, ctx, `document.querySelector("#compare-rows ins").textContent`); !strings.HasPrefix(txt, "{+") || !strings.HasSuffix(txt, "+}") {
		t.Errorf("insertion reads %q without colour", txt)
	}
	if txt := eval[string](t, ctx, `document.getElementById("compare-dropped").textContent`); !strings.Contains(txt, "(2)") {
		t.Errorf("dropped heading %q", txt)
	}
	eval[bool](t, ctx, `(() => { document.querySelector(".compare-split").scrollIntoView(); return true })()`)
	viewportShot(t, ctx, "compare-desktop", 1280, 900)
	run(t, ctx, chromedp.EmulateViewport(390, 844))
	if stacked := eval[bool](t, ctx, `(() => { const r = document.querySelector(".compare-reworded"); const a = r.querySelector(".compare-a").getBoundingClientRect(), b = r.querySelector(".compare-b").getBoundingClientRect(); return b.top >= a.bottom; })()`); !stacked {
		t.Error("phone: the two records are not stacked")
	}
	eval[bool](t, ctx, `(() => { document.querySelector(".compare-reworded").scrollIntoView(); return true })()`)
	viewportShot(t, ctx, "compare-phone", 390, 844)
	run(t, ctx, chromedp.EmulateViewport(1280, 900))

	// a history marker opens the lineage
	run(t, ctx, chromedp.Navigate(ts.URL+"/records/"+scm56+"#p8"))
	click(t, ctx, `#p8 a.hist`)
	waitFor(t, ctx, `document.getElementById("lineage-summary")`)
	checkAccessible(t, ctx, "lineage")
	if sum := eval[string](t, ctx, `document.getElementById("lineage-summary").textContent`); !strings.Contains(sum, "split in 56th SCM") {
		t.Errorf("lineage summary %q", sum)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll(".lineage-edition").length`); n != 3 {
		t.Errorf("%d editions in the lineage, want 3", n)
	}
	viewportShot(t, ctx, "lineage-desktop", 1280, 900)
	viewportShot(t, ctx, "lineage-phone", 390, 844)
}

// viewportShot saves what the viewport shows at width w (the compare and
// lineage pages are long: a full-page capture of them is slow and too tall
// to look at) into test-artifacts/, after checking that nothing sticks
// out sideways.
func viewportShot(t *testing.T, ctx context.Context, name string, w, h int64) {
	t.Helper()
	run(t, ctx, chromedp.EmulateViewport(w, h))
	if sw := eval[int](t, ctx, `document.documentElement.scrollWidth`); sw > int(w) {
		t.Errorf("%s: page is %dpx wide in a %dpx viewport (horizontal scrolling)", name, sw, w)
	}
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	png, err := chromedp.Run(c, chromedp.CaptureScreenshot())
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
}
