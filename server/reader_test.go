package server

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"dialoguesearch/alert/alerttest"
)

// Handler tests of issue 16: compression, group=record, facets without
// empty values, citations, the original file, and the unsubscribe link.

func TestGzipWhenAccepted(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	plain := get(t, s, "/records/scm-55-2023-11-13-communique")
	wantStatus(t, plain, http.StatusOK)
	if enc := plain.Header().Get("Content-Encoding"); enc != "" {
		t.Fatalf("answer encoded %q for a client that accepts no encoding", enc)
	}
	rec := get(t, s, "/records/scm-55-2023-11-13-communique", "Accept-Encoding", "gzip")
	wantStatus(t, rec, http.StatusOK)
	if enc := rec.Header().Get("Content-Encoding"); enc != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", enc)
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != plain.Body.String() {
		t.Error("the gzipped page differs from the plain one")
	}
	if rec.Body.Len() > len(b)/3 {
		t.Errorf("gzip: %d bytes for %d", rec.Body.Len(), len(b))
	}
	t.Logf("record page: %d bytes, %d gzipped", len(b), rec.Body.Len())
}

func TestSearchGroupByRecord(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	var plain, grouped searchResponse
	decode(t, get(t, s, "/api/search?q=OPCON"), &plain)
	decode(t, get(t, s, "/api/search?q=OPCON&group=record"), &grouped)
	if plain.Groups != nil {
		t.Error("groups without group=record")
	}
	if len(grouped.Hits) != len(plain.Hits) || plain.Records == 0 {
		t.Fatalf("hits %d vs %d, records %d", len(grouped.Hits), len(plain.Hits), plain.Records)
	}
	n, seen := 0, map[string]bool{}
	for _, g := range grouped.Groups {
		if seen[g.RecordID] {
			t.Errorf("record %s in two groups", g.RecordID)
		}
		seen[g.RecordID] = true
		if g.Matches < len(g.Hits) || g.Title == "" {
			t.Errorf("group %+v", g)
		}
		for _, h := range g.Hits {
			if h.RecordID != g.RecordID {
				t.Errorf("hit of %s in the group of %s", h.RecordID, g.RecordID)
			}
			n++
		}
	}
	if n != len(plain.Hits) || len(grouped.Groups) != plain.Records {
		t.Errorf("%d grouped hits of %d, %d groups for %d records", n, len(plain.Hits), len(grouped.Groups), plain.Records)
	}
	wantStatus(t, get(t, s, "/api/search?q=OPCON&group=meeting"), http.StatusBadRequest)
	// No facet value is the empty string (records without a location).
	decode(t, get(t, s, "/api/search"), &plain)
	for name, vals := range plain.Facets {
		for _, v := range vals {
			if strings.TrimSpace(v.Value) == "" {
				t.Errorf("facet %s has an empty value (%d)", name, v.Count)
			}
		}
	}
}

func TestCitationsAndOriginal(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	rec := get(t, s, "/api/records/scm-55-2023-11-13-communique/citations?format=bibtex&p=6")
	wantStatus(t, rec, http.StatusOK)
	bib := rec.Body.String()
	for _, want := range []string{"@misc{scm-55-2023-11-13-communique-p6,", "para. 3", "year = {2023}", "/records/scm-55-2023-11-13-communique#p6}"} {
		if !strings.Contains(bib, want) {
			t.Errorf("BibTeX lacks %q:\n%s", want, bib)
		}
	}
	rec = get(t, s, "/api/records/scm-55-2023-11-13-communique/citations?format=ris")
	wantStatus(t, rec, http.StatusOK)
	var r struct {
		Paragraphs []any `json:"paragraphs"`
	}
	decode(t, get(t, s, "/api/records/scm-55-2023-11-13-communique"), &r)
	if n := strings.Count(rec.Body.String(), "TY  - GOVDOC"); n != len(r.Paragraphs) {
		t.Errorf("RIS of the whole record: %d entries for %d paragraphs", n, len(r.Paragraphs))
	}
	wantStatus(t, get(t, s, "/api/records/scm-55-2023-11-13-communique/citations?format=word"), http.StatusBadRequest)
	wantStatus(t, get(t, s, "/api/records/scm-55-2023-11-13-communique/citations?p=999"), http.StatusBadRequest)
	rec = get(t, s, "/api/search/citations?q=OPCON&format=csl-json")
	wantStatus(t, rec, http.StatusOK)
	if !strings.Contains(rec.Body.String(), `"issued"`) {
		t.Errorf("CSL-JSON:\n%.300s", rec.Body.String())
	}

	rec = get(t, s, "/records/scm-55-2023-11-13-communique/original")
	wantStatus(t, rec, http.StatusOK)
	if cd := rec.Header().Get("Content-Disposition"); !strings.Contains(cd, "attachment") {
		t.Errorf("original served inline: %q", cd)
	}
	if !strings.Contains(rec.Body.String(), "Security Consultative Meeting") {
		t.Errorf("original: %.200q", rec.Body.String())
	}
}

// The unsubscribe link of a digest works without a token: its page asks,
// a POST (the page's button, or a mail client's one-click) removes the
// address and leaves the alert running.
func TestAlertUnsubscribeLink(t *testing.T) {
	smtp := alerttest.StartSMTP(t)
	env := startAlertEnv(t, t.TempDir(), smtp, false)
	a := env.createAlert(`{"name":"OPCON","q":"OPCON OR \"operational control\"","email":"reader@example.org","frequency":"immediate"}`)
	// Before confirmation a new record mails nothing.
	env.ingest(recordKIDD25)
	time.Sleep(700 * time.Millisecond)
	if n := len(smtp.Messages()); n != 1 {
		t.Fatalf("%d mails before confirmation, want only the confirmation", n)
	}
	env.confirmEmail(smtp, 1, a.ID)
	env.ingest(recordKIDD26)
	mails := smtp.WaitFor(t, 2, 10*time.Second)
	m := regexp.MustCompile(`/alerts/[a-z0-9]+/unsubscribe\?code=[a-z0-9]+`).FindString(decodeQP(t, mails[1].Data))
	if m == "" {
		t.Fatalf("digest without unsubscribe link:\n%s", mails[1].Data)
	}
	resp, err := http.Get(env.base + m)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "reader@example.org") {
		t.Fatalf("unsubscribe page: %d", resp.StatusCode)
	}
	if got, _ := env.svc.Store().Alert(a.ID); got.Email == "" {
		t.Fatal("opening the unsubscribe link (GET) unsubscribed")
	}
	resp, err = http.PostForm(env.base+m, url.Values{"List-Unsubscribe": {"One-Click"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("one-click unsubscribe: %d", resp.StatusCode)
	}
	got, _ := env.svc.Store().Alert(a.ID)
	if got.Email != "" || !got.Active {
		t.Errorf("after unsubscribe: email %q, active %v", got.Email, got.Active)
	}
	resp, _ = http.Get(env.base + m[:len(m)-3] + "zzz")
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("a wrong code: %d", resp.StatusCode)
	}
	resp.Body.Close()
}
