// Package ui holds the browser UI's HTML templates and static assets (CSS,
// JavaScript, icons), embedded so that the binary serves them offline. It has
// no logic beyond presentation: the server builds the view data and picks the
// page; the templates only lay it out.
package ui

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"strings"
)

//go:embed templates static
var files embed.FS

// Static is the tree of static assets (app.css, app.js, ...), served under
// /static/.
var Static = mustSub(files, "static")

// assetVersion maps a static file name to a short hash of its content; asset
// URLs carry it (?v=...) so that browsers may cache them for ever and still
// see a new version at once.
var assetVersion = hashAssets(Static)

// pages maps a page name ("search", "record", ...) to its template set: the
// layout, the partials, and the page's own file templates/<name>.html.
var pages = parsePages()

// Asset returns the cache-busting URL of a static file, e.g.
// "/static/app.css?v=1a2b3c4d5e6f". It panics on an unknown name so that a
// typo in a template fails at start-up, not in front of a user.
func Asset(name string) string {
	v, ok := assetVersion[name]
	if !ok {
		panic(fmt.Sprintf("ui: no static asset %q", name))
	}
	return "/static/" + name + "?v=" + v
}

// AssetVersion returns the content hash of a static file and whether it
// exists.
func AssetVersion(name string) (string, bool) {
	v, ok := assetVersion[name]
	return v, ok
}

// Has reports whether a page of that name exists.
func Has(page string) bool {
	_, ok := pages[page]
	return ok
}

// Render writes page with data. The page is rendered into a buffer first so
// that a template error never leaves half a page on the wire.
func Render(w io.Writer, page string, data any) error {
	t, ok := pages[page]
	if !ok {
		return fmt.Errorf("ui: no page %q", page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("ui: render %s: %w", page, err)
	}
	_, err := buf.WriteTo(w)
	return err
}

var funcs = template.FuncMap{
	"asset": Asset,
	// add is for 1-based counters in templates.
	"add": func(a, b int) int { return a + b },
	"sub": func(a, b int) int { return a - b },
	// sideclass turns a side ("U.S.", "ROK") into a CSS class suffix.
	"sideclass": func(side string) string {
		return strings.Map(func(r rune) rune {
			if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
				return r
			}
			if 'A' <= r && r <= 'Z' {
				return r + 'a' - 'A'
			}
			return -1
		}, side)
	},
}

// parsePages parses every page once, at start-up: templates/layout.html and
// templates/partials/*.html form the base; each other templates/*.html is a
// page that defines "title" and "content". A partial may define a block that
// a page leaves empty (e.g. "alertbutton"); an empty {{block}} never replaces
// a non-empty definition, whatever the parse order.
func parsePages() map[string]*template.Template {
	base := template.Must(template.New("base").Funcs(funcs).ParseFS(files, "templates/layout.html"))
	if partials, _ := fs.Glob(files, "templates/partials/*.html"); len(partials) > 0 {
		base = template.Must(base.ParseFS(files, partials...))
	}
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, file := range names {
		name := strings.TrimSuffix(path.Base(file), ".html")
		if name == "layout" {
			continue
		}
		t := template.Must(template.Must(base.Clone()).ParseFS(files, file))
		out[name] = t
	}
	return out
}

func hashAssets(fsys fs.FS) map[string]string {
	out := map[string]string{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		out[p] = hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		panic(err)
	}
	return out
}

func mustSub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(err)
	}
	return sub
}
