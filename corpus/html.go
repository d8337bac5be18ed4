package corpus

import (
	"net/url"
	"strings"

	readability "codeberg.org/readeck/go-readability/v2"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlToText keeps the text of an HTML page: block elements become blank-line
// separated blocks, scripts, styles and page furniture (nav, footer, forms)
// are dropped. It returns the text and the page title (the first <h1>,
// else <title>).
func htmlToText(src string) (text, title string) {
	z := html.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	var titleText, h1Text strings.Builder
	skip := 0 // depth inside elements whose text is not content
	inTitle, inH1, h1Done := false, false, false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			// The h1 is the headline; <title> often adds site and section
			// names, so it is only the fallback.
			t := strings.Join(strings.Fields(h1Text.String()), " ")
			if t == "" {
				t = strings.Join(strings.Fields(titleText.String()), " ")
			}
			return b.String(), t
		case html.StartTagToken, html.SelfClosingTagToken:
			tn, _ := z.TagName()
			a := atom.Lookup(tn)
			switch a {
			case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Svg, atom.Nav, atom.Footer, atom.Form, atom.Iframe, atom.Button, atom.Select, atom.Aside:
				if tt == html.StartTagToken {
					skip++
				}
			case atom.Title:
				inTitle = tt == html.StartTagToken
			case atom.Br:
				b.WriteString("\n")
			case atom.H1:
				if !h1Done && tt == html.StartTagToken {
					inH1 = true
				}
				b.WriteString("\n\n")
			default:
				if isBlock(a) {
					b.WriteString("\n\n")
				}
			}
		case html.EndTagToken:
			tn, _ := z.TagName()
			a := atom.Lookup(tn)
			switch a {
			case atom.Script, atom.Style, atom.Noscript, atom.Template, atom.Svg, atom.Nav, atom.Footer, atom.Form, atom.Iframe, atom.Button, atom.Select, atom.Aside:
				if skip > 0 {
					skip--
				}
			case atom.Title:
				inTitle = false
			case atom.H1:
				if inH1 {
					inH1, h1Done = false, true
				}
				b.WriteString("\n\n")
			default:
				if isBlock(a) {
					b.WriteString("\n\n")
				}
			}
		case html.TextToken:
			t := string(z.Text())
			if inTitle {
				titleText.WriteString(t)
				continue
			}
			if skip > 0 {
				continue
			}
			if inH1 {
				h1Text.WriteString(t)
			}
			// Whitespace inside HTML text is not layout (blocks come from
			// tags), but whether there is any matters: "in <b>Washington</b>."
			b.WriteString(htmlSpace.ReplaceAllString(t, " "))
		}
	}
}

var htmlSpace = mustRx(`\s+`)

func isBlock(a atom.Atom) bool {
	switch a {
	case atom.P, atom.Div, atom.Li, atom.Ul, atom.Ol, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
		atom.Tr, atom.Table, atom.Section, atom.Article, atom.Blockquote, atom.Pre, atom.Header,
		atom.Main, atom.Dl, atom.Dt, atom.Dd, atom.Figure, atom.Figcaption, atom.Hr, atom.Body, atom.Head:
		return true
	}
	return false
}

// mainContent returns the HTML of the page's main content as a maintained
// extractor (go-readability, a port of Mozilla's Readability) finds it by
// structure: text density, link density and the page's markup, so that
// banners, menus, share bars and footers of sites nobody has seen before
// are left out. "" when it finds none.
func mainContent(src, sourceURL string) string {
	var u *url.URL
	if sourceURL != "" {
		u, _ = url.Parse(sourceURL)
	}
	art, err := readability.FromReader(strings.NewReader(src), u)
	if err != nil || art.Node == nil {
		return ""
	}
	var b strings.Builder
	if err := art.RenderHTML(&b); err != nil {
		return ""
	}
	t, _ := htmlToText(b.String())
	return t
}
