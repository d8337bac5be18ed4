package indexer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"weak"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
	"dialoguesearch/indexer/synth"
)

// rec builds a record with one paragraph per text.
func rec(id string, date corpus.Date, texts ...string) *corpus.Record {
	r := &corpus.Record{ID: id, Title: "Record " + id, Kind: corpus.KindFactSheet, Date: date,
		Meeting: corpus.Meeting{Series: "SCM", Number: 1, Name: "1st SCM"}, Location: "Seoul"}
	for i, t := range texts {
		r.Paragraphs = append(r.Paragraphs, corpus.Paragraph{N: i + 1, Text: t, Speakers: []string{"Jane Q. Doe"}, Sides: []string{corpus.SideUS}})
	}
	return r
}

func mustSearch(t *testing.T, x *Index, q string) *Result {
	t.Helper()
	res, err := x.Search(context.Background(), Request{Query: q, Size: 100})
	if err != nil {
		t.Fatalf("Search(%q): %v", q, err)
	}
	return res
}

func hitIDs(res *Result) []string {
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	slices.Sort(ids)
	return ids
}

func TestSnippetEscapesHTML(t *testing.T) {
	x, err := NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	evil := `Officials said <script>alert("OPCON")</script> and <img src=x onerror=alert(1)> about OPCON & "control".`
	if _, err := x.Upsert(context.Background(), []*corpus.Record{rec("evil", "2024-01-02", evil)}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"OPCON", "script", "onerror", "img"} {
		res := mustSearch(t, x, q)
		if len(res.Hits) != 1 {
			t.Fatalf("%s: %d hits, want 1", q, len(res.Hits))
		}
		h := res.Hits[0]
		if h.Text != evil {
			t.Errorf("%s: text changed: %q", q, h.Text)
		}
		s := h.SnippetHTML
		if !strings.Contains(s, "<mark>") {
			t.Errorf("%s: nothing marked in %q", q, s)
		}
		bare := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(s)
		if strings.ContainsAny(bare, `<>"`) {
			t.Errorf("%s: snippet has markup other than <mark>: %q", q, s)
		}
		if !strings.Contains(bare, "&lt;script&gt;") || !strings.Contains(bare, "&lt;img src=x onerror=alert(1)&gt;") || !strings.Contains(bare, "&amp;") {
			t.Errorf("%s: snippet does not show the escaped characters: %q", q, s)
		}
	}
	if s := mustSearch(t, x, "script").Hits[0].SnippetHTML; !strings.Contains(s, "&lt;<mark>script</mark>&gt;") {
		t.Errorf("snippet = %q, want the tag name marked inside escaped brackets", s)
	}
}

func TestIncrementalSync(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	a := rec("a", "2020-01-01", "alpha words about deterrence")
	b := rec("b", "2021-01-01", "bravo first paragraph", "bravo second paragraph with kilo")
	c := rec("c", "2022-01-01", "charlie paragraph")
	st, err := x.Sync(ctx, []*corpus.Record{a, b, c}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// a fresh build counts its new paragraphs without listing them
	if st.Added != 3 || st.Paragraphs != 4 || st.NewCount != 4 || len(st.NewParagraphs) != 0 {
		t.Fatalf("first sync: %+v", st)
	}
	st, err = x.Sync(ctx, []*corpus.Record{a, b, c}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Unchanged != 3 || st.Added+st.Changed+st.Removed+st.Paragraphs != 0 {
		t.Fatalf("second sync did something: %+v", st)
	}

	b2 := rec("b", "2021-01-01", "bravo first paragraph", "bravo new text about lima")
	b2.Paragraphs = b2.Paragraphs[:2]
	d := rec("d", "2023-01-01", "delta paragraph")
	var calls [][2]int
	st, err = x.Sync(ctx, []*corpus.Record{a, b2, d}, func(done, total int) { calls = append(calls, [2]int{done, total}) })
	if err != nil {
		t.Fatal(err)
	}
	if st.Added != 1 || st.Changed != 1 || st.Removed != 1 || st.Unchanged != 1 {
		t.Fatalf("third sync: %+v", st)
	}
	var fresh []string
	for _, h := range st.NewParagraphs {
		fresh = append(fresh, h.ID)
	}
	slices.Sort(fresh)
	if want := []string{"b-p2", "d-p1"}; !slices.Equal(fresh, want) || st.NewCount != len(want) {
		t.Errorf("new paragraphs = %q (%d), want %q (unchanged text of a changed record is not new)", fresh, st.NewCount, want)
	}
	if len(calls) == 0 || calls[len(calls)-1] != [2]int{3, 3} {
		t.Errorf("progress calls = %v, want to end at 3 of 3", calls)
	}
	check := func(x *Index) {
		t.Helper()
		for q, want := range map[string][]string{
			"bravo":   {"b-p1", "b-p2"},
			"kilo":    nil, // old text of a changed paragraph
			"lima":    {"b-p2"},
			"charlie": nil, // removed record
			"delta":   {"d-p1"},
			"alpha":   {"a-p1"},
		} {
			if got := hitIDs(mustSearch(t, x, q)); !slices.Equal(got, want) {
				t.Errorf("%s: hits %q, want %q", q, got, want)
			}
		}
		if _, err := x.Record("c"); failure.KindOf(err) != failure.NotFound {
			t.Errorf("Record(c) error = %v, want NotFound", err)
		}
		if r, err := x.Record("b"); err != nil || r.Paragraphs[1].Text != "bravo new text about lima" {
			t.Errorf("Record(b) = %v, %v", r, err)
		}
		sums, err := x.Records()
		if err != nil {
			t.Fatal(err)
		}
		var order []string
		for _, s := range sums {
			order = append(order, s.ID)
		}
		if want := []string{"d", "b", "a"}; !slices.Equal(order, want) {
			t.Errorf("Records() order = %q, want %q (newest first)", order, want)
		}
		if s := x.Stats(); s.Records != 3 || s.Paragraphs != 4 || s.SizeBytes <= 0 {
			t.Errorf("Stats() = %+v", s)
		}
	}
	check(x)
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}

	// The state survives a restart, and syncing the same records does nothing.
	x, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	check(x)
	st, err = x.Sync(ctx, []*corpus.Record{a, b2, d}, nil)
	if err != nil || st.Unchanged != 3 || st.Paragraphs != 0 {
		t.Errorf("sync after reopen: %+v, %v", st, err)
	}
}

func TestUpsertKeepsOthers(t *testing.T) {
	x, err := NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	ctx := context.Background()
	if _, err := x.Upsert(ctx, []*corpus.Record{rec("a", "2020-01-01", "alpha"), rec("b", "2020-01-02", "bravo")}); err != nil {
		t.Fatal(err)
	}
	st, err := x.Upsert(ctx, []*corpus.Record{rec("b", "2020-01-02", "bravo changed")})
	if err != nil {
		t.Fatal(err)
	}
	if st.Changed != 1 || st.Removed != 0 || len(st.NewParagraphs) != 1 || st.NewParagraphs[0].Text != "bravo changed" {
		t.Errorf("upsert: %+v", st)
	}
	if got := hitIDs(mustSearch(t, x, "alpha OR bravo")); !slices.Equal(got, []string{"a-p1", "b-p1"}) {
		t.Errorf("hits %q", got)
	}
}

func TestOpenHeldByAnotherOpen(t *testing.T) {
	dir := t.TempDir()
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	start := time.Now()
	y, err := Open(dir)
	if err == nil {
		y.Close()
		t.Fatal("second Open of a held data dir succeeded")
	}
	if failure.KindOf(err) != failure.Unavailable || !strings.Contains(err.Error(), "in use by a running dialoguesearch server") {
		t.Errorf("error = %v (kind %v), want Unavailable 'in use'", err, failure.KindOf(err))
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Open took %s to give up", d)
	}
}

func TestVersionChangeRebuilds(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.Sync(ctx, []*corpus.Record{rec("a", "2020-01-01", "alpha")}, nil); err != nil {
		t.Fatal(err)
	}
	x.Close()
	// Pretend the index on disk was built by an older version, and that a
	// build was interrupted.
	live := filepath.Join(dir, fmt.Sprintf("index-v%d", Version))
	if err := os.Rename(live, filepath.Join(dir, fmt.Sprintf("index-v%d", Version-1))); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, fmt.Sprintf("index-v%d.tmp-123", Version)), 0o755); err != nil {
		t.Fatal(err)
	}
	x, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{fmt.Sprintf("index-v%d", Version)}) {
		t.Errorf("data dir holds %q, want only the current version", names)
	}
	if s := x.Stats(); s.Records != 0 {
		t.Errorf("stats after version change = %+v, want empty", s)
	}
	st, err := x.Sync(ctx, []*corpus.Record{rec("a", "2020-01-01", "alpha")}, nil)
	if err != nil || st.Added != 1 {
		t.Errorf("rebuild: %+v, %v", st, err)
	}
	if got := hitIDs(mustSearch(t, x, "alpha")); !slices.Equal(got, []string{"a-p1"}) {
		t.Errorf("hits after rebuild %q", got)
	}
}

func TestInterruptedBuildLeavesOldState(t *testing.T) {
	dir := t.TempDir()
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var recs []*corpus.Record
	for i := 0; i < 50; i++ {
		recs = append(recs, rec(string(rune('a'+i%26))+strings.Repeat("x", i/26), "2020-01-01", "alpha bravo"))
	}
	ctx, cancel := context.WithCancel(context.Background())
	_, err = x.Sync(ctx, recs, func(done, total int) {
		if done == 10 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Sync error = %v, want canceled", err)
	}
	if s := x.Stats(); s.Paragraphs != 0 || s.Records != 0 {
		t.Errorf("stats after an interrupted build = %+v, want the old (empty) index", s)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("data dir holds %d entries, want only the live index", len(entries))
	}
	st, err := x.Sync(context.Background(), recs, nil)
	if err != nil || st.Added != 50 {
		t.Fatalf("sync after interruption: %+v, %v", st, err)
	}
	if res := mustSearch(t, x, "alpha"); res.Total != 50 {
		t.Errorf("total = %d, want 50", res.Total)
	}
}

func TestSwapInterruptedBetweenRenames(t *testing.T) {
	dir := t.TempDir()
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.Sync(context.Background(), []*corpus.Record{rec("a", "2020-01-01", "alpha")}, nil); err != nil {
		t.Fatal(err)
	}
	x.Close()
	if err := os.Rename(filepath.Join(dir, fmt.Sprintf("index-v%d", Version)), filepath.Join(dir, fmt.Sprintf("index-v%d.old", Version))); err != nil {
		t.Fatal(err)
	}
	x, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := hitIDs(mustSearch(t, x, "alpha")); !slices.Equal(got, []string{"a-p1"}) {
		t.Errorf("hits %q: the old index was not restored", got)
	}
}

func TestSearchesDuringRebuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a synthetic index")
	}
	recs := synth.Generate(3000, 1)
	x, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	ctx := context.Background()
	if _, err := x.Upsert(ctx, []*corpus.Record{rec("first", "2020-01-01", "alliance")}); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	var searches, failures int
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-done:
				return
			default:
			}
			res, err := x.Search(ctx, Request{Query: "alliance", Size: 10})
			searches++
			if err != nil || res.Total == 0 {
				failures++
			}
		}
	}()
	_, err = x.Sync(ctx, append(recs, rec("first", "2020-01-01", "alliance")), nil)
	close(done)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if failures > 0 {
		t.Errorf("%d of %d searches failed during the update", failures, searches)
	}
	if s := x.Stats(); s.Paragraphs != 3001 {
		t.Errorf("paragraphs = %d, want 3001", s.Paragraphs)
	}
}

func TestPagingAndSearchAfter(t *testing.T) {
	x := shippedIndex(t)
	ctx := context.Background()
	for _, sort := range []string{SortRelevance, SortDateAsc, SortDateDesc} {
		all, err := x.Search(ctx, Request{Query: "alliance OR DPRK", Sort: sort, Size: MaxPageSize, NoFacets: true})
		if err != nil {
			t.Fatal(err)
		}
		var want, byPage, byAfter []string
		for _, h := range all.Hits {
			want = append(want, h.ID)
		}
		var after []string
		for page := 1; ; page++ {
			res, err := x.Search(ctx, Request{Query: "alliance OR DPRK", Sort: sort, Page: page, Size: 7, NoFacets: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range res.Hits {
				byPage = append(byPage, h.ID)
			}
			res2, err := x.Search(ctx, Request{Query: "alliance OR DPRK", Sort: sort, After: after, Size: 7, NoFacets: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range res2.Hits {
				byAfter = append(byAfter, h.ID)
			}
			if len(res2.Hits) == 0 {
				break
			}
			after = res2.Hits[len(res2.Hits)-1].SortKeys
		}
		if len(want) < 20 || !slices.Equal(byPage, want) || !slices.Equal(byAfter, want) {
			t.Errorf("sort %s: pages %q / after %q, want %q", sort, byPage, byAfter, want)
		}
	}
	res, err := x.Search(ctx, Request{Size: 1000, NoFacets: true})
	if err != nil || len(res.Hits) != MaxPageSize && len(res.Hits) != int(res.Total) {
		t.Errorf("size 1000: %d hits, %v; want at most %d", len(res.Hits), err, MaxPageSize)
	}
}

func TestBadRequests(t *testing.T) {
	x := shippedIndex(t)
	tests := []struct {
		req   Request
		param string
		msg   string
	}{
		{Request{Query: "(OPCON"}, "q", "position 1"},
		{Request{Query: "OPCON", Filters: map[string][]string{"colour": {"red"}}}, "filters", "unknown facet"},
		{Request{Query: "OPCON", From: "2024-13-01"}, "from", "YYYY-MM-DD"},
		{Request{Query: "OPCON", From: "2024-02-01", To: "2024-01-01"}, "to", "before"},
		{Request{Query: "OPCON", Sort: "name"}, "sort", "sort must be"},
		{Request{Query: "OPCON", Page: 200, Size: 100}, "page", "after"},
		{Request{Query: "OPCON", After: []string{"zz"}}, "after", "sort_keys"},
	}
	for _, tt := range tests {
		_, err := x.Search(context.Background(), tt.req)
		var fe *failure.Error
		if !errors.As(err, &fe) || fe.Kind != failure.BadInput || fe.Param != tt.param || !strings.Contains(fe.Msg, tt.msg) {
			t.Errorf("Search(%+v) error = %v, want BadInput on %s saying %q", tt.req, err, tt.param, tt.msg)
		}
	}
}

func TestExpansionIsBounded(t *testing.T) {
	x, err := NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var words []string
	for i := 0; i < maxExpansion+100; i++ {
		words = append(words, "zz"+strings.Repeat(string(rune('a'+i%26)), 1+i/26)+string(rune('a'+(i/7)%26)))
	}
	if _, err := x.Upsert(context.Background(), []*corpus.Record{rec("many", "2020-01-01", strings.Join(words, " "))}); err != nil {
		t.Fatal(err)
	}
	_, err = x.Search(context.Background(), Request{Query: "zz*"})
	if failure.KindOf(err) != failure.BadInput || !strings.Contains(err.Error(), "matches more than") {
		t.Errorf("zz* error = %v, want BadInput 'matches more than'", err)
	}
	if res := mustSearch(t, x, "zzaa*"); res.Total != 1 {
		t.Errorf("zzaa*: total %d, want 1", res.Total)
	}
}

func TestRecordsAndGlossary(t *testing.T) {
	x := shippedIndex(t)
	sums, err := x.Records()
	if err != nil || len(sums) != 5 {
		t.Fatalf("Records() = %d, %v", len(sums), err)
	}
	if sums[0].Date < sums[4].Date || sums[0].Paragraphs == 0 {
		t.Errorf("Records() not newest first: %v ... %v", sums[0].Date, sums[4].Date)
	}
	g, err := x.Glossary()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range g {
		if e.Acronym == "OPCON" {
			found = strings.EqualFold(e.Expansion, "operational control") && e.Count >= 1
		}
	}
	if !found {
		t.Errorf("glossary %v lacks OPCON = operational control", g)
	}
	r, err := x.Record(sums[0].ID)
	if err != nil || len(r.Paragraphs) != sums[0].Paragraphs {
		t.Errorf("Record(%s) = %v, %v", sums[0].ID, r, err)
	}
}

func TestSynonymAlternativeInsideLongerName(t *testing.T) {
	x, err := NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	_, err = x.Upsert(context.Background(), []*corpus.Record{
		rec("a", "2020-01-01", "Talks with the Republic of Korea went well."),
		rec("b", "2020-01-01", "The Democratic People's Republic of Korea fired a missile."),
		rec("c", "2020-01-01", "The Future Combined Forces Command was evaluated."),
		rec("d", "2020-01-01", "The Combined Forces Command held an exercise."),
	})
	if err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string][]string{
		"South Korea": {"a-p1"},         // not the DPRK's long name
		"North Korea": {"b-p1"},         // the DPRK's long name
		"CFC":         {"d-p1"},         // not F-CFC
		"Korea":       {"a-p1", "b-p1"}, // no expansion
	} {
		if got := hitIDs(mustSearch(t, x, q)); !slices.Equal(got, want) {
			t.Errorf("%s: hits %q, want %q", q, got, want)
		}
	}
	h := mustSearch(t, x, "South Korea").Hits[0]
	if !slices.Equal(h.Expansions, []string{"South Korea → Republic of Korea"}) || !strings.Contains(h.SnippetHTML, "<mark>Republic of Korea</mark>") {
		t.Errorf("expansions %q, snippet %q", h.Expansions, h.SnippetHTML)
	}
}

func TestSearchesDuringSwap(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a synthetic index")
	}
	recs := synth.Generate(2000, 2)
	x, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	ctx := context.Background()
	done := make(chan struct{})
	errs := make(chan error, 1)
	go func() {
		defer close(errs)
		for {
			select {
			case <-done:
				return
			default:
			}
			// The empty index answers until the built one replaces it.
			if _, err := x.Search(ctx, Request{Query: "alliance", Size: 10}); err != nil {
				errs <- err
				return
			}
			if _, err := x.Records(); err != nil {
				errs <- err
				return
			}
		}
	}()
	st, err := x.Sync(ctx, recs, nil) // an empty index: built aside, then swapped in
	close(done)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-errs; err != nil {
		t.Errorf("search during the swap: %v", err)
	}
	if res := mustSearch(t, x, "alliance"); res.Total == 0 || st.Added != len(recs) {
		t.Errorf("after the swap: total %d, stats %+v", res.Total, st)
	}
}

// TestSyncFromKeepsNoRecord: a fresh build from records handed over one at
// a time indexes them all, links the editions of their series (from the
// texts it stored) and keeps none of the records it was handed.
func TestSyncFromKeepsNoRecord(t *testing.T) {
	ctx := context.Background()
	x, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	var held []weak.Pointer[corpus.Record]
	recs := func(yield func(*corpus.Record) bool) {
		for i, texts := range [][]string{{"alpha deterrence", "bravo posture"}, {"alpha deterrence", "charlie cyber"}, {"delta space"}} {
			r := rec(fmt.Sprintf("r%d", i), corpus.Date(fmt.Sprintf("202%d-01-01", i)), texts...)
			r.Meeting.Number = i + 1
			held = append(held, weak.Make(r))
			if !yield(r) {
				return
			}
		}
	}
	st, err := x.SyncFrom(ctx, 3, recs, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Added != 3 || st.Paragraphs != 5 || st.NewCount != 5 {
		t.Fatalf("stats: %+v", st)
	}
	if res := mustSearch(t, x, "deterrence"); res.Total != 2 {
		t.Errorf("deterrence: %d hits, want 2", res.Total)
	}
	h, err := x.History("r1")
	if err != nil {
		t.Fatal(err)
	}
	if h.Prev == nil || h.Prev.ID != "r0" || h.Status[1] != "unchanged" || h.Status[2] != "new" {
		t.Errorf("r1: prev %+v, status %v", h.Prev, h.Status)
	}
	runtime.GC()
	for i, p := range held {
		if p.Value() != nil {
			t.Errorf("record %d is still held after the build", i)
		}
	}
}
