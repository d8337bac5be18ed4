package server

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"dialoguesearch/app"
	"dialoguesearch/corpus"
	"dialoguesearch/indexer"
)

// The lineage fixture: the shipped records plus the lineage package's test
// editions (the 56th and 57th SCM communiqués made from the shipped 55th).
var (
	lineageOnce sync.Once
	lineageIdx  *indexer.Index
	lineageErr  error
)

const (
	scm55 = "scm-55-2023-11-13-communique"
	scm56 = "scm-56-2024-10-30-communique"
	scm57 = "scm-57-2025-11-04-communique"
)

func lineageRecords(t testing.TB) []*corpus.Record {
	t.Helper()
	recs, problems := corpus.Load(corpus.Default())
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	files, _ := filepath.Glob("../lineage/testdata/editions/*.txt")
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := corpus.Parse(fh, filepath.Base(f))
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	return recs
}

func newLineageServer(t testing.TB) *Server {
	t.Helper()
	recs := lineageRecords(t)
	lineageOnce.Do(func() {
		lineageIdx, lineageErr = indexer.NewMemory()
		if lineageErr == nil {
			_, lineageErr = lineageIdx.Sync(context.Background(), recs, nil)
		}
	})
	if lineageErr != nil {
		t.Fatal(lineageErr)
	}
	return New(testConfig(), Deps{App: app.New(app.Config{}, lineageIdx, nil, nil)})
}

func TestAPILineage(t *testing.T) {
	s := newLineageServer(t)
	rec := get(t, s, "/api/paragraphs/"+url.PathEscape(corpus.ParagraphID(scm57, 8))+"/lineage")
	wantStatus(t, rec, 200)
	var l indexer.Lineage
	decode(t, rec, &l)
	if l.ID != corpus.ParagraphID(scm55, 8) || len(l.Editions) != 3 {
		t.Fatalf("lineage id %q, %d editions; want the 55th's ¶8 over 3 editions", l.ID, len(l.Editions))
	}
	var kinds []string
	for _, k := range l.Links {
		kinds = append(kinds, string(k.Kind))
	}
	if got, want := strings.Join(kinds, " "), "split split unchanged unchanged"; got != want {
		t.Errorf("links %q, want %q", got, want)
	}
	// a reworded paragraph's diff marks the words that changed
	rec = get(t, s, "/api/paragraphs/"+corpus.ParagraphID(scm56, 10)+"/lineage")
	wantStatus(t, rec, 200)
	decode(t, rec, &l)
	var ins, del []string
	for _, p := range l.Links[0].Diff {
		switch p.Op {
		case "+":
			ins = append(ins, strings.TrimSpace(p.Text))
		case "-":
			del = append(del, strings.TrimSpace(p.Text))
		}
	}
	if strings.Join(del, "|") != "agreed|pursue expanded" || strings.Join(ins, "|") != "decided|deepen" {
		t.Errorf("diff: deleted %q inserted %q", del, ins)
	}
	wantStatus(t, get(t, s, "/api/paragraphs/nope-p3/lineage"), 404)
}

func TestAPICompare(t *testing.T) {
	s := newLineageServer(t)
	rec := get(t, s, "/api/compare?a="+scm55+"&b="+scm56)
	wantStatus(t, rec, 200)
	var c indexer.Comparison
	decode(t, rec, &c)
	if !c.Stored || c.A.ID != scm55 || c.B.ID != scm56 {
		t.Errorf("stored %v a %s b %s", c.Stored, c.A.ID, c.B.ID)
	}
	var dropped []int
	for _, d := range c.Dropped {
		dropped = append(dropped, d.N)
	}
	if len(dropped) != 2 || dropped[0] != 13 || dropped[1] != 26 || len(c.Added) != 2 {
		t.Errorf("dropped %v, added %d", dropped, len(c.Added))
	}
	wantStatus(t, get(t, s, "/api/compare?a="+scm55), 400)
	wantStatus(t, get(t, s, "/api/compare?a="+scm55+"&b=nope"), 404)

	rec = get(t, s, "/api/compare.csv?a="+scm55+"&b="+scm56)
	wantStatus(t, rec, 200)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") {
		t.Errorf("content type %q", ct)
	}
	rows, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(c.Rows)+1 || rows[0][0] != "kind" {
		t.Fatalf("%d CSV rows for %d compare rows", len(rows), len(c.Rows))
	}
	found := false
	for _, r := range rows {
		if r[0] == "reworded" && strings.Contains(r[6], "[-agreed-] {+decided+} to [-pursue expanded-] {+deepen+}") {
			found = true
		}
	}
	if !found {
		t.Error("no CSV row with the word diff of the reworded ¶9")
	}
}

func TestOpenAPILineageConformance(t *testing.T) {
	s := newLineageServer(t)
	doc := loadOpenAPI(t, s)
	for _, tc := range []struct {
		route, target string
		status        int
	}{
		{"/api/paragraphs/:id/lineage", "/api/paragraphs/" + corpus.ParagraphID(scm56, 8) + "/lineage", 200},
		{"/api/paragraphs/:id/lineage", "/api/paragraphs/" + corpus.ParagraphID(scm55, 26) + "/lineage", 200},
		{"/api/paragraphs/:id/lineage", "/api/paragraphs/" + corpus.ParagraphID("kidd-14-2018-07-26-news", 1) + "/lineage", 404},
		{"/api/paragraphs/:id/lineage", "/api/paragraphs/x/lineage", 404},
		{"/api/compare", "/api/compare?a=" + scm56 + "&b=" + scm57, 200},
		{"/api/compare", "/api/compare?a=" + scm57 + "&b=" + scm55, 200},
		{"/api/compare", "/api/compare?b=" + scm57, 400},
		{"/api/compare", "/api/compare?a=x&b=" + scm57, 404},
	} {
		t.Run(tc.target, func(t *testing.T) {
			rec := get(t, s, tc.target)
			wantStatus(t, rec, tc.status)
			sch := doc.responseSchema(t, tc.route, http.MethodGet, tc.status, rec.Header().Get("Content-Type"))
			var v any
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
				t.Fatal(err)
			}
			for _, e := range doc.validate(v, sch, "$") {
				t.Error(e)
			}
		})
	}
	rec := get(t, s, "/api/compare.csv?a="+scm56+"&b="+scm57)
	wantStatus(t, rec, 200)
	doc.responseSchema(t, "/api/compare.csv", http.MethodGet, 200, rec.Header().Get("Content-Type"))
}

func TestUILineagePages(t *testing.T) {
	s := newLineageServer(t)
	// record page: markers, and the link to compare with the previous edition
	rec := get(t, s, "/records/"+scm56, "Accept", "text/html")
	wantStatus(t, rec, 200)
	body := rec.Body.String()
	for _, want := range []string{
		`href="/compare?a=` + scm55 + `&amp;b=` + scm56 + `"`,
		`class="hist hist-reworded" href="/paragraphs/` + scm56 + `-p4/lineage"`,
		`class="hist hist-unchanged" href="/paragraphs/` + scm56 + `-p3/lineage"`,
		`class="hist hist-new" href="/paragraphs/` + scm56 + `-p14/lineage"`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("record page lacks %s", want)
		}
	}
	// a record alone in its kind and series has no history box
	rec = get(t, s, "/records/kidd-14-2018-07-26-news", "Accept", "text/html")
	if strings.Contains(rec.Body.String(), "compare-prev") {
		t.Error("a record without a previous edition links to a comparison")
	}
	// compare page: rows, diffs with text markers, dropped and new lists
	rec = get(t, s, "/compare?a="+scm55+"&b="+scm56, "Accept", "text/html")
	wantStatus(t, rec, 200)
	body = rec.Body.String()
	for _, want := range []string{`id="compare-dropped"`, `id="compare-added"`, `<del><span class="diff-sym" aria-hidden="true">[-</span>pursue expanded`, `<ins><span class="diff-sym" aria-hidden="true">{+</span>deepen`} {
		if !strings.Contains(body, want) {
			t.Errorf("compare page lacks %s", want)
		}
	}
	// lineage page
	rec = get(t, s, "/paragraphs/"+scm55+"-p26/lineage", "Accept", "text/html")
	wantStatus(t, rec, 200)
	body = rec.Body.String()
	for _, want := range []string{"dropped after this edition", "hist-restored", "dropped after 55th SCM"} {
		if !strings.Contains(body, want) {
			t.Errorf("lineage page lacks %s", want)
		}
	}
	// a search hit links to its lineage
	rec = get(t, s, "/?q=hospitality", "Accept", "text/html")
	if !strings.Contains(rec.Body.String(), `class="hit-lineage" href="/paragraphs/`) {
		t.Error("search hits have no lineage link")
	}
	rec = get(t, s, "/compare?a="+scm55, "Accept", "text/html")
	wantStatus(t, rec, 400)
}

// TestRecordPageAcrossKinds: the 56th SCM fact sheet has no earlier fact
// sheet, so it is compared with the communiqué of the 55th. Its page says
// so, and marks only the paragraphs that come from that communiqué, never
// "new" (a fact sheet is not expected to repeat a communiqué); a record
// compared with one of its own kind keeps its "new" markers.
func TestRecordPageAcrossKinds(t *testing.T) {
	s := newLineageServer(t)
	rec := get(t, s, "/records/scm-56-2024-10-30-fact-sheet")
	wantStatus(t, rec, 200)
	body := rec.Body.String()
	if !strings.Contains(body, `id="cross-kind-note"`) || !strings.Contains(body, "There is no earlier fact sheet in this series, so this fact sheet is compared with the joint communiqué of the edition before") {
		t.Errorf("no note on what the markers compare against:\n%.3000s", body)
	}
	if strings.Contains(body, `class="hist hist-new"`) {
		t.Error("a fact sheet's paragraphs are marked new against a communiqué")
	}
	if !strings.Contains(body, "Compare with the joint communiqué") {
		t.Error("the compare link does not say what it compares with")
	}
	// a fact sheet that repeats a paragraph of the communiqué before it
	recs := lineageRecords(t)
	var c55 *corpus.Record
	for _, r := range recs {
		if r.ID == scm55 {
			c55 = r
		}
	}
	sheet := &corpus.Record{ID: "scm-56-sheet", Title: "56th SCM Fact Sheet", Kind: "fact sheet", Date: "2024-10-30",
		Meeting: corpus.Meeting{Series: "SCM", Number: 56, Name: "56th SCM"}, Paragraphs: []corpus.Paragraph{
			{N: 1, Number: "1", Text: c55.Paragraphs[7].Text},
			{N: 2, Number: "2", Text: "The fact sheet lists the outcomes of the meeting in brief, item by item, for the press."},
		}}
	idx, err := indexer.NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	if _, err := idx.Sync(context.Background(), []*corpus.Record{c55, sheet}, nil); err != nil {
		t.Fatal(err)
	}
	s2 := New(testConfig(), Deps{App: app.New(app.Config{}, idx, nil, nil)})
	rec = get(t, s2, "/records/scm-56-sheet")
	wantStatus(t, rec, 200)
	body = rec.Body.String()
	if !strings.Contains(body, ">as in the joint communiqué</a>") || strings.Count(body, `class="hist hist-`) != 2 { // the marker and its count
		t.Errorf("the repeated paragraph is not marked as in the communiqué (%d markers)", strings.Count(body, `class="hist hist-`))
	}
	if strings.Contains(body, `class="hist hist-new"`) {
		t.Error("the fact sheet's own paragraph is marked new against a communiqué")
	}

	rec = get(t, s, "/records/"+scm56)
	wantStatus(t, rec, 200)
	body = rec.Body.String()
	if strings.Contains(body, `id="cross-kind-note"`) || !strings.Contains(body, `class="hist hist-new"`) || !strings.Contains(body, "Compare with previous edition") {
		t.Error("the 56th communiqué, compared with the 55th, lost its markers or says it is compared across kinds")
	}
}
