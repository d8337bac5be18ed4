package alert

import (
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"net/url"
	"strings"
	"time"
)

// FeedSize is how many of the newest matches an alert's Atom feed carries.
const FeedSize = 100

// Atom 1.0 (RFC 4287) documents, as much of them as an alert's feed needs.
type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Sub     string      `xml:"subtitle,omitempty"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Gen     string      `xml:"generator"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      string         `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published,omitempty"`
	Links      []atomLink     `xml:"link"`
	Summary    atomText       `xml:"summary"`
	Content    atomText       `xml:"content"`
	Categories []atomCategory `xml:"category"`
}

// writeFeed writes the Atom feed of alert a with its newest matches ms
// (newest first). Links are absolute, under baseURL.
func writeFeed(w io.Writer, a *Alert, ms []Match, baseURL string) error {
	updated := a.Created
	if a.Updated.After(updated) {
		updated = a.Updated
	}
	if len(ms) > 0 && ms[0].Found.After(updated) {
		updated = ms[0].Found
	}
	f := atomFeed{
		ID:      feedURL(baseURL, a.ID),
		Title:   "Alert: " + a.Name,
		Sub:     "New paragraphs matching " + describeSearch(a),
		Updated: atomTime(updated),
		Author:  atomPerson{Name: "dialoguesearch"},
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: feedURL(baseURL, a.ID)},
			{Rel: "alternate", Type: "text/html", Href: alertURL(baseURL, a.ID)},
		},
		Gen: "dialoguesearch",
	}
	for _, m := range ms {
		link := paragraphURL(baseURL, m.RecordID, m.N)
		var content strings.Builder
		fmt.Fprintf(&content, "<p>%s</p>", m.SnippetHTML)
		fmt.Fprintf(&content, "<p><a href=\"%s\">%s</a>", html.EscapeString(link), html.EscapeString(m.Title))
		if m.Meeting.Name != "" {
			fmt.Fprintf(&content, " · %s", html.EscapeString(m.Meeting.Name))
		}
		if m.Date != "" {
			fmt.Fprintf(&content, " · %s", html.EscapeString(string(m.Date)))
		}
		if m.Section != "" {
			fmt.Fprintf(&content, " · %s", html.EscapeString(m.Section))
		}
		content.WriteString("</p>")
		if len(m.Expansions) > 0 {
			fmt.Fprintf(&content, "<p>Matched through: %s</p>", html.EscapeString(strings.Join(m.Expansions, "; ")))
		}
		fmt.Fprintf(&content, "<p>Alert %q: %s</p>", html.EscapeString(a.Name), html.EscapeString(describeSearch(a)))
		e := atomEntry{
			ID:      fmt.Sprintf("%s#%s-%s", feedURL(baseURL, a.ID), m.ParagraphID, m.TextHash),
			Title:   entryTitle(m),
			Updated: atomTime(m.Found),
			Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: link}},
			Summary: atomText{Type: "text", Body: m.Text},
			Content: atomText{Type: "html", Body: content.String()},
		}
		if t, ok := m.Date.Time(); ok {
			e.Published = atomTime(t)
		}
		if m.Meeting.Series != "" {
			e.Categories = append(e.Categories, atomCategory{Term: m.Meeting.Series})
		}
		for _, t := range m.Topics {
			e.Categories = append(e.Categories, atomCategory{Term: t})
		}
		f.Entries = append(f.Entries, e)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("alert: feed: %w", err)
	}
	return enc.Close()
}

func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// entryTitle reads like "55th SCM Joint Communiqué, ¶7 (2023-11-13)".
func entryTitle(m Match) string {
	t := m.Title
	if t == "" {
		t = m.RecordID
	}
	t += fmt.Sprintf(", ¶%d", m.N)
	if m.Date != "" {
		t += " (" + string(m.Date) + ")"
	}
	return t
}

// describeSearch renders an alert's search for people: `q="OPCON" speaker: X`.
func describeSearch(a *Alert) string {
	var parts []string
	if a.Series != "" {
		w := "changes between editions of " + a.Series
		if len(a.Track) > 0 {
			w += ", tracking " + strings.Join(quoteAll(a.Track), ", ")
		}
		parts = append(parts, w)
	}
	if a.Query != "" {
		parts = append(parts, fmt.Sprintf("%q", a.Query))
	}
	if f := describeFilters(a.Filters); f != "" {
		parts = append(parts, f)
	}
	if a.From != "" || a.To != "" {
		parts = append(parts, fmt.Sprintf("dates %s..%s", a.From, a.To))
	}
	return strings.Join(parts, "; ")
}

func feedURL(base, id string) string  { return base + "/alerts/" + id + ".atom" }
func alertURL(base, id string) string { return base + "/alerts/" + id }
func paragraphURL(base, recordID string, n int) string {
	return fmt.Sprintf("%s/records/%s#p%d", base, url.PathEscape(recordID), n)
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
