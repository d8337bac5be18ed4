package lineage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"dialoguesearch/corpus"
)

// editions returns the shipped 55th SCM communiqué and the test editions
// made from it (lineage/testdata/editions: the 56th and 57th, with
// paragraphs dropped, reworded, split, merged, added and restored, and
// ordinals, dates and office holders changed), by meeting number.
func editions(t testing.TB) map[string]*corpus.Record {
	t.Helper()
	out := map[string]*corpus.Record{}
	add := func(fsys fs.FS, name string) {
		f, err := fsys.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		r, err := corpus.Parse(f, name)
		if err != nil {
			t.Fatal(err)
		}
		out[fmt.Sprint(r.Meeting.Number)] = r
	}
	add(corpus.Default(), "2023-11-13-scm-55-joint-communique.txt")
	dir := os.DirFS("testdata/editions")
	names, _ := fs.Glob(dir, "*.txt")
	for _, n := range names {
		add(dir, n)
	}
	if len(out) != 3 {
		t.Fatalf("editions: %d records, want 3", len(out))
	}
	return out
}

type expectedPair struct {
	Old, New string
	Links    []struct {
		From, To int
		Kind     Kind
	}
	Added, Dropped []int
	Restored       []struct {
		Record   string
		From, To int
	}
}

func loadExpected(t testing.TB) []expectedPair {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var exp []expectedPair
	dec := json.NewDecoder(bytes.NewReader(b)) // a misspelt key would check nothing
	dec.DisallowUnknownFields()
	if err := dec.Decode(&exp); err != nil {
		t.Fatal(err)
	}
	return exp
}

// TestAlignTestEditions checks every link of the test editions against the
// expected answer and prints the precision and recall of the links (a
// link is right when it joins the right two paragraphs with the right
// kind).
func TestAlignTestEditions(t *testing.T) {
	recs := editions(t)
	var right, made, want int
	for _, exp := range loadExpected(t) {
		old, rec := recs[exp.Old], recs[exp.New]
		pr := Align(old, rec, false)
		got := map[string]bool{}
		for _, l := range pr.Links {
			got[fmt.Sprintf("%d>%d %s", l.From, l.To, l.Kind)] = true
		}
		wantSet := map[string]bool{}
		for _, l := range exp.Links {
			wantSet[fmt.Sprintf("%d>%d %s", l.From, l.To, l.Kind)] = true
		}
		// restored links count as links too
		var earlier []Earlier
		for _, d := range exp.Restored {
			earlier = append(earlier, Earlier{Record: recs[d.Record], N: d.From})
			wantSet[fmt.Sprintf("%s:%d>%d restored", d.Record, d.From, d.To)] = true
		}
		// every paragraph dropped before the previous edition may come back
		if exp.Old != "55" {
			for _, n := range Align(recs["55"], old, false).Dropped {
				if !slices.ContainsFunc(earlier, func(e Earlier) bool { return e.N == n }) {
					earlier = append(earlier, Earlier{Record: recs["55"], N: n})
				}
			}
		}
		restored := Restore(earlier, rec, pr.Added)
		for _, l := range restored {
			got[fmt.Sprintf("%d:%d>%d restored", recs["55"].Meeting.Number, l.From, l.To)] = true
			if l.Record != recs["55"].ID {
				t.Errorf("restored from %s, want %s", l.Record, recs["55"].ID)
			}
		}
		for k := range got {
			made++
			if wantSet[k] {
				right++
			} else {
				t.Errorf("%s -> %s: unexpected link %s", exp.Old, exp.New, k)
			}
		}
		for k := range wantSet {
			want++
			if !got[k] {
				t.Errorf("%s -> %s: missing link %s", exp.Old, exp.New, k)
			}
		}
		if !slices.Equal(pr.Dropped, exp.Dropped) {
			t.Errorf("%s -> %s: dropped %v, want %v", exp.Old, exp.New, pr.Dropped, exp.Dropped)
		}
		if !slices.Equal(pr.Added, exp.Added) {
			t.Errorf("%s -> %s: added %v, want %v", exp.Old, exp.New, pr.Added, exp.Added)
		}
	}
	precision, recall := float64(right)/float64(made), float64(right)/float64(want)
	t.Logf("test editions: %d links expected, %d made, %d right: precision %.3f, recall %.3f", want, made, right, precision, recall)
	fmt.Printf("lineage: precision %.3f recall %.3f (%d expected links, %d made, %d right)\n", precision, recall, want, made, right)
	if precision < 0.95 || recall < 0.95 {
		t.Errorf("precision %.3f, recall %.3f: want both at least 0.95", precision, recall)
	}
}

// TestNormalisedChangesAreUnchanged: a paragraph whose only changes are
// the meeting number, the date and the office holders is unchanged, and
// the diff still shows what changed as '~'.
func TestNormalisedChangesAreUnchanged(t *testing.T) {
	old := &corpus.Record{ID: "a", Principals: []corpus.Person{{Name: "Lloyd J. Austin III"}, {Name: "Shin Won-sik"}}, Paragraphs: []corpus.Paragraph{
		{N: 1, Text: "Secretary Austin and Minister Shin expressed appreciation for the success of the 55th SCM, held on November 13, 2023."},
	}}
	rec := &corpus.Record{ID: "b", Principals: []corpus.Person{{Name: "Pete Hegseth"}, {Name: "Ahn Gyu-back"}}, Paragraphs: []corpus.Paragraph{
		{N: 1, Text: "The Secretary and the Minister expressed appreciation for the success of the 57th SCM, held on November 4, 2025."},
	}}
	pr := Align(old, rec, false)
	if len(pr.Links) != 1 || pr.Links[0].Kind != Unchanged {
		t.Fatalf("links %+v, want one unchanged", pr.Links)
	}
	var changed []string
	for _, p := range Render(old.Paragraphs[0].Text, rec.Paragraphs[0].Text, pr.Links[0].Script) {
		if p.Op == "+" || p.Op == "-" {
			t.Errorf("diff of an unchanged paragraph has %q %q", p.Op, p.Text)
		}
		if p.Op == "~" {
			changed = append(changed, strings.TrimSpace(p.Old)+">"+strings.TrimSpace(p.Text))
		}
	}
	if got, want := strings.Join(changed, " "), ">The Austin> >the Shin> 55th>57th 13>4 2023>2025"; got != want {
		t.Errorf("normalised changes %q, want %q", got, want)
	}
}

func TestAlignBadInput(t *testing.T) {
	// an enormous paragraph against a slightly changed copy and against
	// unrelated text: bounded work, no panic
	var b strings.Builder
	for i := 0; b.Len() < 600_000; i++ {
		fmt.Fprintf(&b, "clause%d commitment%d deterrence posture. ", i%5000, i%977)
	}
	big := b.String()
	old := &corpus.Record{ID: "a", Paragraphs: []corpus.Paragraph{{N: 1, Text: big}, {N: 2, Text: "short"}}}
	rec := &corpus.Record{ID: "b", Paragraphs: []corpus.Paragraph{{N: 1, Text: "new words. " + big}, {N: 2, Text: strings.Repeat("unrelated text about something else entirely. ", 5000)}}}
	pr := Align(old, rec, false)
	if len(pr.Links) != 1 || pr.Links[0].From != 1 || pr.Links[0].To != 1 {
		t.Errorf("enormous paragraph: links %+v, want 1>1", pr.Links)
	}
	// empty records and paragraphs without words
	pr = Align(&corpus.Record{ID: "x"}, &corpus.Record{ID: "y", Paragraphs: []corpus.Paragraph{{N: 1, Text: "—"}}}, false)
	if len(pr.Links) != 0 || !slices.Equal(pr.Added, []int{1}) {
		t.Errorf("empty: %+v", pr)
	}
}

// TestAlignManyParagraphs: two records of 3,000 paragraphs each, many of
// them boilerplate that every paragraph shares, align without comparing
// every pair (the candidates are bounded per paragraph).
func TestAlignManyParagraphs(t *testing.T) {
	mk := func(id string, shift int) *corpus.Record {
		r := &corpus.Record{ID: id}
		for i := 1; i <= 3000; i++ {
			text := fmt.Sprintf("The two sides reaffirmed their commitment to the Alliance and item%d of annex%d, as agreed.", (i+shift)%3000, i%7)
			if i%3 == 0 {
				text = "The two sides reaffirmed their commitment to the Alliance."
			}
			r.Paragraphs = append(r.Paragraphs, corpus.Paragraph{N: i, Text: text})
		}
		return r
	}
	pr := Align(mk("a", 0), mk("b", 1), false)
	if len(pr.Links) < 2000 {
		t.Errorf("%d links between two near-identical 3,000-paragraph records", len(pr.Links))
	}
}

// TestAlignManyCapitalisedWords: a paragraph of 20,000 distinct
// capitalised words (names, for all the linker knows) is aligned in
// bounded time and linked to its copy.
func TestAlignManyCapitalisedWords(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&b, "Word%d ", i)
	}
	text := b.String()
	pr := Align(&corpus.Record{ID: "a", Paragraphs: []corpus.Paragraph{{N: 1, Text: text}}},
		&corpus.Record{ID: "b", Paragraphs: []corpus.Paragraph{{N: 1, Text: "Preamble. " + text}}}, false)
	if len(pr.Links) != 1 {
		t.Errorf("links %+v", pr.Links)
	}
}
