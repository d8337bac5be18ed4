package indexer

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/en"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/mapping"
)

// Version is the version of the mapping and analysis. Bump it on any change
// to either: the next Open removes the old index-v<N> directory and Sync
// rebuilds the index from the corpus.
const Version = 12

// AnalyzerName is the analyzer of paragraph text and of query words.
const AnalyzerName = "dialoguesearch/en"

// PairsAnalyzerName is the analyzer of the phrases field: the text
// analyzer followed by PairsFilter. Paragraphs are not analysed with it:
// their pairs are derived from the text field's tokens (textField in
// document.go), which gives the same terms.
const PairsAnalyzerName = "dialoguesearch/en_pairs"

// docType is the bleve document type of a paragraph.
const docType = "paragraph"

// Field names of a paragraph document.
const (
	fText     = "text"       // analysed, not stored: the texts are in the record store (texts.go)
	fPairs    = "text_pairs" // the pairs of neighbouring terms of text, with positions but no offsets (pairs_filter.go, document.go)
	fRecordID = "record_id"
	fTitle    = "title"
	fDate     = "date" // YYYY-MM-DD, one keyword term (dates.go)
	fSeries   = "series"
	fMeeting  = "meeting" // display name, "55th SCM"
	fMeetNo   = "meeting_number"
	fSpeaker  = "speaker"
	fSide     = "side"
	fTopic    = "topic"
	fLocation = "location"
	fKind     = "kind"
	fYear     = "year"
	fSection  = "section"
	fN        = "n"
)

// storedFields are the fields a hit shows: loaded for the hits of the page
// only. The text is not among them: it is read from the record store
// (fillTexts), once per record of the page.
var storedFields = []string{fRecordID, fTitle, fDate, fSeries, fMeeting, fMeetNo, fSpeaker, fSide, fTopic, fSection, fN}

// newMapping is the one explicit mapping of the index: every field by name,
// the default mapping disabled so that nothing is indexed by accident.
func newMapping() (*mapping.IndexMappingImpl, error) {
	im := bleve.NewIndexMapping()
	// The pairs analyzer is the text analyzer with PairsFilter last, so a
	// phrase's pairs are made of exactly the terms of its words.
	textFilters := []string{en.PossessiveName, AcronymName, lowercase.Name, StopName, SnowballName}
	for name, filters := range map[string][]string{
		AnalyzerName:      textFilters,
		PairsAnalyzerName: append(textFilters[:len(textFilters):len(textFilters)], PairsName),
	} {
		err := im.AddCustomAnalyzer(name, map[string]interface{}{
			"type":          custom.Name,
			"tokenizer":     unicode.Name,
			"token_filters": filters,
		})
		if err != nil {
			return nil, err
		}
	}
	im.DefaultAnalyzer = AnalyzerName
	im.DefaultMapping.Enabled = false
	im.DefaultMapping.Dynamic = false
	im.TypeField = "_type"

	text := bleve.NewTextFieldMapping()
	text.Analyzer = AnalyzerName
	text.Store = false              // the record store holds the texts (texts.go)
	text.IncludeTermVectors = false // phrases go through the pairs field
	text.IncludeInAll = false
	text.DocValues = false

	pairs := bleve.NewTextFieldMapping()
	pairs.Name = fPairs
	pairs.Analyzer = PairsAnalyzerName
	pairs.Store = false
	pairs.IncludeTermVectors = true // phrases of three words or more are phrases of pairs
	pairs.IncludeInAll = false
	pairs.DocValues = false

	keywordField := func(store bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keyword.Name
		f.Store = store
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false // facets are counted from columns built from the postings (facets.go)
		return f
	}
	storedOnly := func() *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Index = false
		f.Store = true
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		f.DocValues = false
		return f
	}
	storedNumber := func() *mapping.FieldMapping {
		f := bleve.NewNumericFieldMapping()
		f.Index = false
		f.Store = true
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	// The date is one keyword term, YYYY-MM-DD, whose order is the
	// calendar's: a datetime field indexed 16 prefix-coded terms per
	// paragraph for numeric ranges, and a date range is answered from the
	// date column instead (dates.go).
	date := keywordField(true)
	date.DocValues = true // sort

	recordID := keywordField(true)

	pm := bleve.NewDocumentStaticMapping()
	pm.AddFieldMappingsAt(fText, text, pairs)
	pm.AddFieldMappingsAt(fRecordID, recordID)
	pm.AddFieldMappingsAt(fTitle, storedOnly())
	pm.AddFieldMappingsAt(fDate, date)
	pm.AddFieldMappingsAt(fSeries, keywordField(true))
	pm.AddFieldMappingsAt(fMeeting, keywordField(true))
	pm.AddFieldMappingsAt(fMeetNo, storedNumber())
	pm.AddFieldMappingsAt(fSpeaker, keywordField(true))
	pm.AddFieldMappingsAt(fSide, keywordField(true))
	pm.AddFieldMappingsAt(fTopic, keywordField(true))
	pm.AddFieldMappingsAt(fLocation, keywordField(false))
	pm.AddFieldMappingsAt(fKind, keywordField(false))
	pm.AddFieldMappingsAt(fYear, keywordField(false))
	pm.AddFieldMappingsAt(fSection, storedOnly())
	pm.AddFieldMappingsAt(fN, storedNumber())
	im.AddDocumentMapping(docType, pm)
	return im, nil
}

// analyzer returns the text analyzer of the mapping.
func mustAnalyzer(im *mapping.IndexMappingImpl) analysis.Analyzer {
	a := im.AnalyzerNamed(AnalyzerName)
	if a == nil {
		panic("indexer: analyzer " + AnalyzerName + " not registered")
	}
	return a
}
