package synth

import (
	"reflect"
	"strings"
	"testing"

	"dialoguesearch/corpus"
)

func testVocab(t *testing.T) *Vocab {
	t.Helper()
	v, err := Learn(corpus.Default())
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Words) < 500 {
		t.Fatalf("vocabulary of %d words from the shipped records", len(v.Words))
	}
	return v
}

func TestGenerateIsDeterministicAndShaped(t *testing.T) {
	v := testVocab(t)
	a, b := v.Generate(3000, 7), v.Generate(3000, 7)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs with the same seed differ")
	}
	if c := v.Generate(3000, 8); reflect.DeepEqual(a, c) {
		t.Fatal("another seed gives the same corpus")
	}
	n, ids := 0, map[string]bool{}
	years, series := map[int]bool{}, map[string]bool{}
	for _, r := range a {
		if ids[r.ID] {
			t.Fatalf("duplicate record id %s", r.ID)
		}
		ids[r.ID] = true
		years[r.Date.Year()] = true
		series[r.Meeting.Series] = true
		for i, p := range r.Paragraphs {
			n++
			if p.N != i+1 {
				t.Fatalf("%s: paragraph %d has N %d", r.ID, i+1, p.N)
			}
			if w := len(strings.Fields(p.Text)); w < 40 || w > 120 {
				t.Fatalf("%s-p%d has %d words", r.ID, p.N, w)
			}
			if len(p.Speakers) != len(p.Sides) {
				t.Fatalf("%s-p%d: speakers %v sides %v", r.ID, p.N, p.Speakers, p.Sides)
			}
		}
	}
	if n != 3000 {
		t.Fatalf("%d paragraphs, want 3000", n)
	}
	if len(years) < 20 || len(series) < 5 {
		t.Errorf("metadata spread: %d years, %d series", len(years), len(series))
	}
}

// TestEditionsReuseTheSeriesText: with Editions, a meeting's paragraphs are
// mostly the previous meeting's of the same series (carried over or
// reworded), some new; without, no paragraph text repeats.
func TestEditionsReuseTheSeriesText(t *testing.T) {
	v := Default()
	plain := v.Generate(20000, 7)
	if !reflect.DeepEqual(plain, v.GenerateWith(20000, 7, Options{})) {
		t.Fatal("Options{} differs from Generate")
	}
	seen := map[string]bool{}
	for _, r := range plain {
		for _, p := range r.Paragraphs {
			if seen[p.Text] {
				t.Fatalf("without editions a text repeats: %q", p.Text)
			}
			seen[p.Text] = true
		}
	}
	recs := v.GenerateWith(20000, 7, Options{Editions: true})
	last := map[string]*corpus.Record{}
	var carried, reworded, fresh, total int
	for _, r := range recs {
		if len(r.Paragraphs) > MaxEditionParagraphs {
			t.Fatalf("%s has %d paragraphs: editions do not grow past %d", r.ID, len(r.Paragraphs), MaxEditionParagraphs)
		}
		prev := last[r.Meeting.Series]
		last[r.Meeting.Series] = r
		if prev == nil || len(r.Paragraphs) < 5 {
			continue
		}
		old := map[string]bool{}
		oldWords := map[string]bool{}
		for _, p := range prev.Paragraphs {
			old[p.Text] = true
			oldWords[strings.Join(strings.Fields(p.Text)[:3], " ")] = true
		}
		for _, p := range r.Paragraphs {
			total++
			switch {
			case old[p.Text]:
				carried++
			case oldWords[strings.Join(strings.Fields(p.Text)[:3], " ")]:
				reworded++
			default:
				fresh++
			}
		}
	}
	if total == 0 {
		t.Fatal("no series with two meetings")
	}
	pc := func(n int) int { return 100 * n / total }
	if pc(carried) < 50 || pc(carried) > 85 || pc(reworded) < 5 || pc(fresh) < 5 || pc(fresh) > 35 {
		t.Errorf("of %d paragraphs after a series' first meeting: %d%% carried over, %d%% reworded, %d%% new", total, pc(carried), pc(reworded), pc(fresh))
	}
}
