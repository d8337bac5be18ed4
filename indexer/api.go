package indexer

import (
	"time"

	"dialoguesearch/corpus"
)

// Facet names, in display order. Each is a keyword field on every paragraph
// document and a key of Result.Facets.
var FacetNames = []string{"series", "meeting", "speaker", "topic", "location", "side", "kind", "year"}

// Sort orders.
const (
	SortRelevance = "relevance"
	SortDateAsc   = "date"  // oldest first
	SortDateDesc  = "-date" // newest first
)

// MaxPageSize caps Request.Size.
const MaxPageSize = 100

// MaxQueryLength caps Request.Query, in characters.
const MaxQueryLength = 1000

// MaxFilterValues caps the values of one facet filter, in a search and in a
// saved alert alike.
const MaxFilterValues = 50

// Request is one search: the query string in the project's syntax, facet
// filters (several values of one facet = OR, different facets = AND), a date
// range, sort, and page.
type Request struct {
	Query   string              `json:"q"`
	Filters map[string][]string `json:"filters,omitempty"` // facet name -> values
	From    string              `json:"from,omitempty"`    // YYYY-MM-DD, inclusive
	To      string              `json:"to,omitempty"`      // YYYY-MM-DD, inclusive
	Sort    string              `json:"sort,omitempty"`    // relevance (default), date, -date
	Page    int                 `json:"page,omitempty"`    // from 1
	Size    int                 `json:"size,omitempty"`    // default 10, max MaxPageSize
	// After, when set, reads the page after the hit with these sort keys
	// (Hit.SortKeys of the last hit of the previous page): the way to read
	// past the first 10,000 hits.
	After []string `json:"after,omitempty"`
	// Record, when set, restricts the search to the paragraphs of the
	// record with this id (the record page asks which of its paragraphs a
	// query matches).
	Record string `json:"-"`
	// NoFacets skips facet counting (CSV export, alerts).
	NoFacets bool `json:"-"`
	// NoSuggest skips the "did you mean" suggestion of a search without
	// hits (alerts: most saved searches match none of a new record's
	// paragraphs, and the suggestion is most of such a search's cost).
	NoSuggest bool `json:"-"`
}

// Result is the answer to a Request.
type Result struct {
	Total      uint64                  `json:"total"`
	Took       time.Duration           `json:"-"`
	Hits       []Hit                   `json:"hits"`
	Facets     map[string][]FacetValue `json:"facets"`
	Suggestion *string                 `json:"suggestion"`
	// Records is how many records the Total paragraphs are in, and
	// RecordMatches the matching paragraphs of each record of Hits (both
	// counted with the facets: zero under NoFacets).
	Records       int            `json:"records"`
	RecordMatches map[string]int `json:"-"`
}

// Paragraph is a paragraph with the metadata of its record: the unit of
// search, as a hit and the record page show it.
type Paragraph struct {
	ID       string         `json:"id"` // paragraph id: corpus.ParagraphID
	RecordID string         `json:"record_id"`
	Title    string         `json:"title"`
	Date     corpus.Date    `json:"date"`
	Meeting  corpus.Meeting `json:"meeting"`
	Section  string         `json:"section"`
	N        int            `json:"n"`
	Speakers []string       `json:"speakers"`
	Sides    []string       `json:"sides"`
	Topics   []string       `json:"topics"`
	Text     string         `json:"text"`
}

// Hit is one matching paragraph.
type Hit struct {
	Paragraph
	Score       float64  `json:"score"`
	SnippetHTML string   `json:"snippet_html"` // HTML-escaped text with <mark> around matches
	Expansions  []string `json:"expansions"`   // e.g. "OPCON → operational control"
	SortKeys    []string `json:"sort_keys,omitempty"`
}

// FacetValue is one value of a facet with its (disjunctive) count.
type FacetValue struct {
	Value    string `json:"value"`
	Count    int    `json:"count"`
	Selected bool   `json:"selected"`
}

// RecordSummary is a record's metadata without its paragraphs.
type RecordSummary struct {
	ID           string          `json:"id"`
	Title        string          `json:"title"`
	Kind         string          `json:"kind"`
	Date         corpus.Date     `json:"date"`
	DateInferred bool            `json:"date_inferred"`
	Meeting      corpus.Meeting  `json:"meeting"`
	Location     string          `json:"location"`
	Principals   []corpus.Person `json:"principals"`
	Paragraphs   int             `json:"paragraphs"`
	Source       string          `json:"source"`
	SourceURL    string          `json:"source_url,omitempty"`
	// Review lists the record's missing or uncertain fields (corpus
	// Record.Review): the records page marks it "needs review".
	Review []string `json:"review,omitempty"`
}

// GlossaryEntry is an acronym of the corpus with its expansion and the
// number of records that define it.
type GlossaryEntry struct {
	Acronym   string `json:"acronym"`
	Expansion string `json:"expansion"`
	Count     int    `json:"count"`
}

// UpdateStats says what Update did.
type UpdateStats struct {
	Added, Changed, Removed, Unchanged int
	Paragraphs                         int // paragraphs (re)indexed
	// NewCount counts the paragraphs that entered the index with new or
	// changed text; NewParagraphs lists them, except after a fresh build
	// (an empty index on disk built anew), which only counts them: every
	// paragraph is new there, and the list would be one more copy of the
	// corpus held until the build ends.
	NewCount      int
	NewParagraphs []Hit
	// LinkTime is the time spent linking paragraphs across editions
	// (package lineage); a fresh build links before it is swapped in.
	LinkTime time.Duration
}
