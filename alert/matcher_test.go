package alert

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"

	"dialoguesearch/corpus"
	"dialoguesearch/indexer"
	"dialoguesearch/indexer/synth"
)

func shippedRecords(t testing.TB) []*corpus.Record {
	t.Helper()
	recs, problems := corpus.Load(corpus.Default())
	if len(problems) > 0 {
		t.Fatalf("corpus: %v", problems)
	}
	return recs
}

// newRecord is a record the corpus has never seen: its paragraphs say
// "operational control", never the acronym.
func newRecord() *corpus.Record {
	return &corpus.Record{
		ID: "2025-09-16-kidd-25-joint-press-statement", Title: "Joint Press Statement for the 25th KIDD",
		Kind: corpus.KindJointPressStatement, Date: "2025-09-16",
		Meeting: corpus.Meeting{Series: "KIDD", Number: 25, Name: "25th KIDD"}, Location: "Seoul",
		Paragraphs: []corpus.Paragraph{
			{N: 1, Section: "", Text: "Both sides reviewed the progress made toward the transition of wartime operational control to the future Combined Forces Command.", Sides: []string{"U.S.", "ROK"}},
			{N: 2, Section: "", Text: "The two sides discussed cooperation on space and cyber security.", Sides: []string{"U.S.", "ROK"}},
			{N: 3, Section: "", Text: "They agreed to strengthen extended deterrence against the DPRK nuclear threat.", Sides: []string{"U.S.", "ROK"}},
		},
	}
}

func TestMatchAcronymAndFilters(t *testing.T) {
	ctx := context.Background()
	b, err := newBatch(ctx, []*corpus.Record{newRecord()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	alerts := []*Alert{
		activeAlert("opcon", Search{Query: "OPCON"}),
		activeAlert("opcon-too", Search{Query: "OPCON"}), // the same search: run once, both match
		activeAlert("phrase", Search{Query: `"operational control"`}),
		activeAlert("two", Search{Query: "cyber space"}),
		activeAlert("absent", Search{Query: "submarine"}),
		activeAlert("absent-and", Search{Query: "cyber submarine"}),
		activeAlert("or", Search{Query: "submarine OR cyber"}),
		activeAlert("not", Search{Query: "cyber NOT space"}),
		activeAlert("kidd", Search{Query: "deterrence", Filters: map[string][]string{"series": {"KIDD"}}}),
		activeAlert("scm", Search{Query: "deterrence", Filters: map[string][]string{"series": {"SCM"}}}),
		activeAlert("dates", Search{Query: "deterrence", From: "2026-01-01"}),
		{ID: "stopped", Settings: Settings{Search: Search{Query: "cyber"}}},
		activeAlert("north-korea", Search{Query: "North Korea"}), // a multi-word synonym of DPRK
	}
	found, err := matchAll(ctx, b, alerts, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"opcon":       {"2025-09-16-kidd-25-joint-press-statement-p1"},
		"opcon-too":   {"2025-09-16-kidd-25-joint-press-statement-p1"},
		"phrase":      {"2025-09-16-kidd-25-joint-press-statement-p1"},
		"two":         {"2025-09-16-kidd-25-joint-press-statement-p2"},
		"or":          {"2025-09-16-kidd-25-joint-press-statement-p2"},
		"kidd":        {"2025-09-16-kidd-25-joint-press-statement-p3"},
		"north-korea": {"2025-09-16-kidd-25-joint-press-statement-p3"},
	}
	got := map[string][]string{}
	for id, ms := range found {
		for _, m := range ms {
			got[id] = append(got[id], m.ParagraphID)
			if m.TextHash == "" || m.SnippetHTML == "" {
				t.Errorf("%s: match without hash or snippet: %+v", id, m)
			}
		}
	}
	for id := range want {
		if !slices.Equal(got[id], want[id]) {
			t.Errorf("alert %s matched %v, want %v", id, got[id], want[id])
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			t.Errorf("alert %s matched %v, want nothing", id, got[id])
		}
	}
}

// The prefilter never skips an alert the real search would match: every
// alert is run both ways over the shipped corpus as the batch.
func TestPrefilterAgreesWithSearch(t *testing.T) {
	ctx := context.Background()
	recs := shippedRecords(t)
	b, err := newBatch(ctx, recs[:2])
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	alerts := benchAlerts(recs, 600, 7)
	for _, q := range []string{"OPCON", "operational control", `"operational control"`, "North Korea", "DPRK",
		"U.S. forces", "they'll", "the", "us", "US", "extended deterrence", "+deterrence -nuclear", "deter*", "deterence~",
		"(submarine OR deterrence) AND alliance", "submarine OR (cyber AND space)", "NOT submarine", "speaker:Austin",
		"topic:(OPCON OR NCG)", `"wartime operational control" OR submarine`, "OPCON AND NOT zebra"} {
		alerts = append(alerts, activeAlert(q, Search{Query: q}))
	}
	alerts = append(alerts,
		activeAlert("series-scm", Search{Query: "alliance", Filters: map[string][]string{"series": {"SCM"}}}),
		activeAlert("series-zzz", Search{Query: "alliance", Filters: map[string][]string{"series": {"ZZZ"}}}),
		activeAlert("old-dates", Search{Query: "alliance", To: "1999-12-31"}),
		activeAlert("new-dates", Search{Query: "alliance", From: "2020-01-01"}),
	)
	skipped := 0
	for _, a := range alerts {
		if b.pre.mayMatch(a) {
			continue
		}
		skipped++
		req := a.Request()
		req.NoFacets = true
		res, err := b.idx.Search(ctx, req)
		if err != nil {
			t.Fatalf("%q: %v", a.Query, err)
		}
		if res.Total > 0 {
			t.Errorf("prefilter skipped %q, which matches %d paragraphs", a.Query, res.Total)
		}
	}
	if skipped == 0 {
		t.Error("the prefilter skipped nothing: it is not doing its job")
	}
	t.Logf("prefilter skipped %d of %d alerts", skipped, len(alerts))
}

// The fast path (prefilter, indexer.Matcher, matches built from the batch's
// records) finds exactly what the full search finds, hit for hit and in the
// same order, with the same fields, snippets and expansions: every alert is
// also run through indexer.Search, page by page, over the whole shipped
// corpus as the batch.
func TestFastMatchAgreesWithSearch(t *testing.T) {
	ctx := context.Background()
	recs := shippedRecords(t)
	b, err := newBatch(ctx, recs)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	alerts := benchAlerts(recs, 400, 11)
	for _, q := range []string{"OPCON", "operational control", `"operational control"`, "North Korea", "DPRK",
		"ROK", "Republic of Korea", "U.S. forces", "extended deterrence", "+deterrence -nuclear", "deter*",
		"deterence~", "(submarine OR deterrence) AND alliance", "NOT submarine", "speaker:Austin",
		"topic:(OPCON OR NCG)", `"wartime operational control" OR submarine`, "cooperation", "COOPERATION",
		"the", "space cyber", ""} {
		alerts = append(alerts, activeAlert("q:"+q, Search{Query: q}))
	}
	alerts = append(alerts,
		activeAlert("scm-alliance", Search{Query: "alliance", Filters: map[string][]string{"series": {"SCM"}}}),
		activeAlert("kidd-or-scm", Search{Query: "security", Filters: map[string][]string{"series": {"KIDD", "SCM"}}}),
		activeAlert("2024", Search{Query: "", Filters: map[string][]string{"year": {"2024"}}}),
		activeAlert("dates", Search{Query: "alliance", From: "2024-01-01", To: "2024-06-30"}),
		activeAlert("kind", Search{Query: "Korea", Filters: map[string][]string{"kind": {recs[0].Kind}}}),
	)
	nonEmpty := 0
	for _, a := range alerts {
		got, err := b.run(ctx, a)
		if err != nil {
			t.Fatalf("%q: %v", a.Query, err)
		}
		want := searchMatches(t, b, a)
		if len(want) > 0 {
			nonEmpty++
		}
		if len(got) != len(want) {
			t.Errorf("%q: fast path found %d paragraphs, the search %d", a.Query, len(got), len(want))
			continue
		}
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("%q: match %d differs:\nfast   %+v\nsearch %+v", a.Query, i, got[i], want[i])
				break
			}
		}
	}
	if nonEmpty < len(alerts)/4 {
		t.Errorf("only %d of %d alerts match anything: the comparison proves little", nonEmpty, len(alerts))
	}
	t.Logf("%d alerts compared, %d with matches", len(alerts), nonEmpty)
}

// searchMatches is a's matches the slow way: every page of indexer.Search
// on the batch's index, a match made of each hit.
func searchMatches(t *testing.T, b *batch, a *Alert) []Match {
	t.Helper()
	req := a.Request()
	req.NoFacets, req.NoSuggest = true, true
	req.Sort = indexer.SortRelevance
	req.Size = 7 // several pages
	var out []Match
	for page := 1; ; page++ {
		req.Page = page
		res, err := b.idx.Search(context.Background(), req)
		if err != nil {
			t.Fatalf("%q: %v", a.Query, err)
		}
		for _, h := range res.Hits {
			out = append(out, Match{
				matchRef: matchRef{
					ParagraphID: h.ID, TextHash: textHash(h.Text), RecordID: h.RecordID, N: h.N,
					SnippetHTML: h.SnippetHTML, Expansions: h.Expansions,
				},
				paraText: paraText{
					Title: h.Title, Date: h.Date, Meeting: h.Meeting, Section: h.Section,
					Speakers: h.Speakers, Topics: h.Topics, Text: h.Text,
				},
			})
		}
		if len(res.Hits) == 0 || uint64(len(out)) >= res.Total {
			return out
		}
	}
}

// stopWords is bleve's English stop list, which the index's analyzer drops.
var stopWords = func() analysis.TokenMap {
	m := analysis.NewTokenMap()
	if err := m.LoadBytes(en.EnglishStopWords); err != nil {
		panic(err)
	}
	return m
}()

func isPlainWord(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return w != ""
}

// vocabulary returns the distinct plain words of recs.
func vocabulary(recs []*corpus.Record) []string {
	seen := map[string]bool{}
	var words []string
	for _, r := range recs {
		for _, p := range r.Paragraphs {
			for _, w := range strings.Fields(p.Text) {
				w = strings.Trim(w, ".,;:()\"'’“”")
				if len(w) < 4 || !isPlainWord(w) || seen[strings.ToLower(w)] {
					continue
				}
				if _, stop := stopWords[strings.ToLower(w)]; stop {
					continue
				}
				seen[strings.ToLower(w)] = true
				words = append(words, w)
			}
		}
	}
	slices.Sort(words)
	return words
}

// benchAlerts makes n alerts with queries like analysts save: one to three
// words, phrases, OR, exclusions and facet filters, drawn from the words of
// recs (so some match and many do not).
func benchAlerts(recs []*corpus.Record, n int, seed uint64) []*Alert {
	rng := rand.New(rand.NewPCG(seed, seed))
	words := vocabulary(recs)
	w := func() string { return words[rng.IntN(len(words))] }
	series := []string{"SCM", "KIDD", "MCM", "NCG"}
	out := make([]*Alert, n)
	for i := range out {
		var q string
		var f map[string][]string
		switch k := rng.IntN(10); {
		case k < 3:
			q = w()
		case k < 6:
			q = w() + " " + w()
		case k < 7:
			q = fmt.Sprintf("%q", w()+" "+w())
		case k < 8:
			q = w() + " OR " + w()
		case k < 9:
			q = w() + " -" + w()
		default:
			q = w()
			f = map[string][]string{"series": {series[rng.IntN(len(series))]}}
		}
		out[i] = activeAlert(fmt.Sprintf("a%05d", i), Search{Query: q, Filters: f})
	}
	return out
}

// benchRecord is a new 100-paragraph record made of the paragraphs of the
// records src, in turn.
func benchRecord(src []*corpus.Record) *corpus.Record {
	r := *src[0]
	r.ID = "bench-new-record"
	r.Paragraphs = nil
	for i := 0; len(r.Paragraphs) < 100; i++ {
		from := src[i%len(src)]
		p := from.Paragraphs[(i/len(src))%len(from.Paragraphs)]
		p.N = len(r.Paragraphs) + 1
		r.Paragraphs = append(r.Paragraphs, p)
	}
	return &r
}

func benchMatch(b *testing.B, newFrom func([]*corpus.Record) []*corpus.Record) {
	ctx := context.Background()
	recs := shippedRecords(b)
	alerts := benchAlerts(recs, 10000, 1)
	rec := benchRecord(newFrom(recs))
	matched := 0
	for b.Loop() {
		bt, err := newBatch(ctx, []*corpus.Record{rec})
		if err != nil {
			b.Fatal(err)
		}
		found, err := matchAll(ctx, bt, alerts, nil)
		if err != nil {
			b.Fatal(err)
		}
		bt.Close()
		matched = len(found)
	}
	b.ReportMetric(float64(matched), "alerts-matched")
}

// BenchmarkMatch10kAlerts checks 10,000 saved alerts (queries drawn from
// the words of the whole shipped corpus) against a new 100-paragraph record
// on one subject (the paragraphs of the 2018 KIDD news report and the 2024
// Shangri-La press release, in turn): build the in-memory index of the new
// paragraphs, prefilter, search. The target is under one second.
func BenchmarkMatch10kAlerts(b *testing.B) { benchMatch(b, oneSubject(b)) }

// oneSubject picks the paragraphs of the 2018 KIDD news report and the 2024
// Shangri-La press release.
func oneSubject(b *testing.B) func([]*corpus.Record) []*corpus.Record {
	return func(recs []*corpus.Record) []*corpus.Record {
		var out []*corpus.Record
		for _, r := range recs {
			if strings.Contains(r.ID, "kidd-14") || strings.Contains(r.ID, "shangri") {
				out = append(out, r)
			}
		}
		if len(out) == 0 {
			b.Fatal("bench records not found")
		}
		return out
	}
}

// BenchmarkMatch10kAlertsSynthetic is the same against 100 distinct
// synthetic paragraphs (indexer/synth: Zipf-distributed words of the real
// records, 40-120 words each), which hold most of the small vocabulary the
// alerts are drawn from: about half the alerts match.
func BenchmarkMatch10kAlertsSynthetic(b *testing.B) {
	benchMatch(b, func([]*corpus.Record) []*corpus.Record {
		var paras []corpus.Paragraph
		gen := synth.Generate(100, 42)
		for _, r := range gen {
			paras = append(paras, r.Paragraphs...)
		}
		r := *gen[0]
		r.Paragraphs = paras[:100]
		return []*corpus.Record{&r}
	})
}

// BenchmarkMatch10kAlertsWorstCase is the same with a new record made of
// paragraphs of every shipped record: nearly every alert's words are in it,
// so the prefilter skips little and more than half the alerts match.
func BenchmarkMatch10kAlertsWorstCase(b *testing.B) {
	benchMatch(b, func(recs []*corpus.Record) []*corpus.Record { return recs })
}

// activeAlert is an active alert with search s.
func activeAlert(id string, s Search) *Alert {
	return &Alert{ID: id, Settings: Settings{Search: s, Active: true}}
}
