package indexer

import (
	"strconv"

	"dialoguesearch/corpus"
)

// paragraphDoc is the bleve document of one paragraph.
type paragraphDoc struct {
	Text     string   `json:"text"`
	RecordID string   `json:"record_id"`
	Title    string   `json:"title"`
	Date     string   `json:"date,omitempty"`
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
		Date:     string(r.Date),
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
