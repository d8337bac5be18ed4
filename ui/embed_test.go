package ui

import (
	"bytes"
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

func TestAssetURLsCarryContentHash(t *testing.T) {
	for _, name := range []string{"app.css", "app.js", "favicon.svg"} {
		u := Asset(name)
		if !regexp.MustCompile(`^/static/` + regexp.QuoteMeta(name) + `\?v=[0-9a-f]{12}$`).MatchString(u) {
			t.Errorf("Asset(%q) = %q, want /static/%s?v=<12 hex>", name, u, name)
		}
		if _, err := fs.Stat(Static, name); err != nil {
			t.Errorf("static %s: %v", name, err)
		}
	}
	if Asset("app.css") == Asset("app.js") {
		t.Error("two different files have the same version")
	}
}

func TestAssetPanicsOnUnknownName(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Asset of an unknown file did not panic")
		}
	}()
	Asset("nope.css")
}

func TestPagesParsed(t *testing.T) {
	for _, p := range []string{"search", "record", "records", "glossary", "error"} {
		if !Has(p) {
			t.Errorf("page %q missing", p)
		}
	}
	if Has("layout") {
		t.Error("the layout is not a page")
	}
	if err := Render(&bytes.Buffer{}, "nope", nil); err == nil {
		t.Error("Render of an unknown page: no error")
	}
}

func TestErrorPageRendersInLayoutAndEscapes(t *testing.T) {
	var buf bytes.Buffer
	data := struct {
		Nav, Heading, Message string
		Status                int
	}{"", "Page not found", `<script>alert(1)</script>`, 404}
	if err := Render(&buf, "error", data); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"<!doctype html>", `<main id="main"`, "Page not found", "&lt;script&gt;alert(1)&lt;/script&gt;", Asset("app.css"), Asset("app.js")} {
		if !strings.Contains(out, want) {
			t.Errorf("error page lacks %q", want)
		}
	}
	if strings.Contains(out, "<script>alert") {
		t.Error("message not escaped")
	}
	// No inline script or style: the CSP forbids them.
	if regexp.MustCompile(`<script>|<style|style="`).MatchString(out) {
		t.Error("page has inline script or style")
	}
}
