package indexer

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	index "github.com/blevesearch/bleve_index_api"

	"dialoguesearch/corpus"
	"dialoguesearch/indexer/synth"
)

// The text is analysed once for the text and pairs fields (newDocument):
// the index must hold what bleve's own mapping of the paragraph (each field
// analysed by its analyzer) holds, term by term, with the same frequencies,
// norms (hence scores) and pair positions.
func TestOneAnalysisIndexesWhatTheMappingDoes(t *testing.T) {
	recs := synth.Generate(600, 7)
	recs = append(recs, rec("edge", "2024-01-02", "Korea", "of the", "The Republic of Korea and the U.S. Forces Korea's OPCON, OPCON again."))
	x, err := NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	build := func(advanced bool) bleve.Index {
		bi, err := newMemoryBleve(x.mapping)
		if err != nil {
			t.Fatal(err)
		}
		b := bi.NewBatch()
		for _, r := range recs {
			for i := range r.Paragraphs {
				p := &r.Paragraphs[i]
				if advanced {
					doc, err := newDocument(x.mapping, x.analyzer, r, p)
					if err != nil {
						t.Fatal(err)
					}
					err = b.IndexAdvanced(doc)
				} else {
					err = b.Index(corpus.ParagraphID(r.ID, p.N), newParagraphDoc(r, p))
				}
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := bi.Batch(b); err != nil {
			t.Fatal(err)
		}
		return bi
	}
	want, got := build(false), build(true)
	defer want.Close()
	defer got.Close()
	for _, field := range []string{fText, fPairs, fSeries, fSpeaker, fDate} {
		w, g := dumpField(t, want, field), dumpField(t, got, field)
		if len(w) == 0 {
			t.Fatalf("%s: nothing indexed", field)
		}
		if len(w) != len(g) {
			t.Errorf("%s: %d postings, want %d", field, len(g), len(w))
		}
		n := 0
		for k, v := range w {
			if g[k] != v && n < 5 {
				t.Errorf("%s %s: %q, want %q", field, k, g[k], v)
				n++
			}
		}
	}
	// neither stores the text: the record store has it (texts.go)
	for _, bi := range []bleve.Index{want, got} {
		d, err := bi.Document("edge-p3")
		if err != nil || d == nil {
			t.Fatalf("document edge-p3: %v", err)
		}
		d.VisitFields(func(f index.Field) {
			if f.Name() == fText || f.Name() == fPairs {
				t.Errorf("%s stored: %q", f.Name(), f.Value())
			}
		})
	}
}

// dumpField maps "term doc" to "freq norm positions" for every posting of
// field in bi.
func dumpField(t *testing.T, bi bleve.Index, field string) map[string]string {
	t.Helper()
	r := indexReader(t, bi)
	defer r.Close()
	dict, err := r.FieldDict(field)
	if err != nil {
		t.Fatal(err)
	}
	defer dict.Close()
	out := map[string]string{}
	for de, err := dict.Next(); de != nil && err == nil; de, err = dict.Next() {
		tfr, err := r.TermFieldReader(context.Background(), []byte(de.Term), field, true, true, true)
		if err != nil {
			t.Fatal(err)
		}
		for p, err := tfr.Next(nil); p != nil && err == nil; p, err = tfr.Next(nil) {
			id, err := r.ExternalID(p.ID)
			if err != nil {
				t.Fatal(err)
			}
			var pos []string
			for _, v := range p.Vectors {
				pos = append(pos, fmt.Sprint(v.Pos, v.ArrayPositions))
			}
			out[de.Term+" "+id] = fmt.Sprintf("%d %.6f %s", p.Freq, p.Norm, strings.Join(pos, ","))
		}
		tfr.Close()
	}
	return out
}

// indexReader is a reader of bi's current snapshot; the caller closes it.
func indexReader(t *testing.T, bi bleve.Index) index.IndexReader {
	t.Helper()
	ai, err := bi.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := ai.Reader()
	if err != nil {
		t.Fatal(err)
	}
	return r
}
