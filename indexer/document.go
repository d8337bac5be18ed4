package indexer

import (
	"bytes"
	"fmt"
	"strconv"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"dialoguesearch/corpus"
)

// paragraphDoc is the bleve document of one paragraph.
type paragraphDoc struct {
	Text     string   `json:"text"`
	RecordID string   `json:"record_id"`
	Title    string   `json:"title"`
	Date     *string  `json:"date,omitempty"` // nil: no date, no term (bleve would index "")
	Series   string   `json:"series,omitempty"`
	Meeting  string   `json:"meeting,omitempty"`
	MeetNo   float64  `json:"meeting_number"`
	Speaker  []string `json:"speaker,omitempty"`
	Side     []string `json:"side,omitempty"`
	Topic    []string `json:"topic,omitempty"`
	Location string   `json:"location,omitempty"`
	Kind     string   `json:"kind,omitempty"`
	Year     string   `json:"year,omitempty"`
	Section  string   `json:"section,omitempty"`
	N        float64  `json:"n"`
}

// Type makes paragraphDoc a bleve Classifier: it selects the mapping.
func (paragraphDoc) Type() string { return docType }

func newParagraphDoc(r *corpus.Record, p *corpus.Paragraph) paragraphDoc {
	d := paragraphDoc{
		Text:     p.Text,
		RecordID: r.ID,
		Title:    r.Title,
		Series:   r.Meeting.Series,
		Meeting:  r.Meeting.Name,
		MeetNo:   float64(r.Meeting.Number),
		Speaker:  p.Speakers,
		Side:     p.Sides,
		Topic:    p.Topics,
		Location: r.Location,
		Kind:     r.Kind,
		Section:  p.Section,
		N:        float64(p.N),
	}
	if r.Date != "" {
		date := string(r.Date)
		d.Date = &date
	}
	if y := r.Date.Year(); y > 0 {
		d.Year = strconv.Itoa(y)
	}
	return d
}

// summarize is the RecordSummary of r.
func summarize(r *corpus.Record) RecordSummary {
	return RecordSummary{
		ID: r.ID, Title: r.Title, Kind: r.Kind, Date: r.Date, DateInferred: r.DateInferred,
		Meeting: r.Meeting, Location: r.Location, Principals: r.Principals,
		Paragraphs: len(r.Paragraphs), Source: r.Source, SourceURL: r.SourceURL, Review: r.Review,
	}
}

// maxN is the highest paragraph number of r.
func maxN(r *corpus.Record) int {
	m := 0
	for _, p := range r.Paragraphs {
		if p.N > m {
			m = p.N
		}
	}
	return m
}

// paragraphHit is a Hit for paragraph p of r, without score or snippet.
func paragraphHit(r *corpus.Record, p *corpus.Paragraph) Hit {
	return Hit{Paragraph: NewParagraph(r, p), Expansions: []string{}}
}

// NewParagraph is paragraph p of r with r's metadata; its lists are never
// nil.
func NewParagraph(r *corpus.Record, p *corpus.Paragraph) Paragraph {
	return Paragraph{
		ID: corpus.ParagraphID(r.ID, p.N), RecordID: r.ID, Title: r.Title, Date: r.Date,
		Meeting: r.Meeting, Section: p.Section, N: p.N,
		Speakers: corpus.NonNil(p.Speakers), Sides: corpus.NonNil(p.Sides), Topics: corpus.NonNil(p.Topics),
		Text: p.Text,
	}
}

// sharedText is the analysis of a paragraph's text, done once for its two
// indexed fields: bleve analyses each field mapping of a value on its own,
// which analysed every text twice, once for the words and once for their
// pairs (pairs_filter.go). The pairs field derives its terms from the text
// field's tokens instead.
type sharedText struct {
	analyzer analysis.Analyzer
	value    []byte
	tokens   analysis.TokenStream
	done     bool
	uses     int
}

// analyze returns the tokens of the text, analysing it on the first call.
// Both fields of a document are analysed by one goroutine, in turn.
func (s *sharedText) analyze() analysis.TokenStream {
	if !s.done {
		// the token filters rewrite the bytes in place, and the value is stored
		s.tokens = s.analyzer.Analyze(bytes.Clone(s.value))
		s.done = true
	}
	return s.tokens
}

// release drops the tokens once both fields have their terms: the batch
// holds its documents until its segment is built.
func (s *sharedText) release() {
	if s.uses++; s.uses == 2 {
		s.tokens = nil
	}
}

// textField is an indexed field of a paragraph's text: the words (pairs
// false), or the pairs of neighbouring words at the position of the first
// (pairs true). A pair's location keeps its position only: phrases of pairs
// need positions, and snippets re-analyse the text rather than read offsets,
// so the offsets would only take room in the index.
type textField struct {
	name    string
	options index.FieldIndexingOptions
	text    *sharedText
	pairs   bool
	stored  []byte // the value when the field is stored

	length int
	freqs  index.TokenFrequencies
	size   int // Size once analysed
}

func (f *textField) Name() string                        { return f.name }
func (f *textField) ArrayPositions() []uint64            { return nil }
func (f *textField) Options() index.FieldIndexingOptions { return f.options }
func (f *textField) Value() []byte                       { return f.stored }
func (f *textField) NumPlainTextBytes() uint64           { return uint64(len(f.text.value)) }
func (f *textField) EncodedFieldType() byte              { return 't' }
func (f *textField) AnalyzedLength() int                 { return f.length }
func (f *textField) AnalyzedTokenFrequencies() index.TokenFrequencies {
	return f.freqs
}

// Size is the field's memory, as bleve counts it in its statistics of the
// analysed documents (scorch asks it once per document after the analysis):
// the terms as Analyze counted them, not a walk of the map.
func (f *textField) Size() int {
	return 96 + len(f.name) + len(f.stored) + f.size
}

// Analyze computes the field's terms; the second call does nothing.
func (f *textField) Analyze() {
	if f.freqs != nil {
		return
	}
	tokens := f.text.analyze()
	defer f.text.release()
	if !f.pairs {
		f.length = len(tokens)
		f.freqs = analysis.TokenFrequency(tokens, nil, f.options)
		for _, t := range tokens {
			f.size += len(t.Term)
		}
		f.size = 2*f.size*len(f.freqs)/max(len(tokens), 1) + 64*len(f.freqs)
		return
	}
	f.freqs = make(index.TokenFrequencies, len(tokens))
	if len(tokens) < 2 {
		return
	}
	var locs []index.TokenLocation
	if f.options.IncludeTermVectors() {
		locs = make([]index.TokenLocation, len(tokens)-1)
	}
	for i := 0; i+1 < len(tokens); i++ {
		a, b := tokens[i], tokens[i+1]
		gap := b.Position - a.Position
		if gap <= 0 {
			continue
		}
		term := pairTerm(a.Term, b.Term, gap)
		tf, ok := f.freqs[string(term)]
		if !ok {
			tf = &index.TokenFreq{Term: term}
			f.freqs[string(term)] = tf
			f.size += 2*len(term) + 64
		}
		tf.SetFrequency(tf.Frequency() + 1)
		if locs != nil {
			locs[f.length] = index.TokenLocation{Position: a.Position}
			tf.Locations = append(tf.Locations, &locs[f.length])
			f.size += 56
		}
		f.length++
	}
}

// newDocument is the bleve document of paragraph p of r: the mapping's
// fields, with the two fields of the text replaced by textFields that share
// one analysis, and without the empty composite field "_all".
func newDocument(im *mapping.IndexMappingImpl, analyzer analysis.Analyzer, r *corpus.Record, p *corpus.Paragraph) (*document.Document, error) {
	id := corpus.ParagraphID(r.ID, p.N)
	doc := document.NewDocument(id)
	if err := im.MapDocument(doc, newParagraphDoc(r, p)); err != nil {
		return nil, fmt.Errorf("indexer: index %s: %w", id, err)
	}
	// No field goes into bleve's composite "_all" (every field mapping
	// says IncludeInAll false) and no query reads it: without it, bleve
	// does not offer it every field of the document to compose.
	doc.CompositeFields = nil
	shared := &sharedText{analyzer: analyzer, value: []byte(p.Text)}
	for i, f := range doc.Fields {
		switch f.Name() {
		case fText, fPairs:
			tf := &textField{name: f.Name(), options: f.Options(), text: shared, pairs: f.Name() == fPairs}
			if tf.options.IsStored() {
				tf.stored = shared.value
			}
			doc.Fields[i] = tf
		}
	}
	return doc, nil
}
