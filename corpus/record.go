package corpus

import "strconv"

// Side is the delegation a person belongs to, and the voice of a
// paragraph: one party alone (U.S., ROK, Japan, Australia), both or all
// delegations together (joint), or a news story's narration (reported).
const (
	SideUS        = "U.S."
	SideROK       = "ROK"
	SideJapan     = "Japan"
	SideAustralia = "Australia"
	VoiceJoint    = "joint"
	VoiceReported = "reported"
)

// Kinds of record.
const (
	KindJointCommunique     = "joint communiqué"
	KindJointPressStatement = "joint press statement"
	KindFactSheet           = "fact sheet"
	KindPressRelease        = "press release"
	KindNewsReport          = "news report"
	KindReadout             = "readout"
)

// NoteNotRecord is the review note of a file that does not look like a
// dialogue record (an index page, a cookie notice, a search-results page):
// its metadata stays empty.
const NoteNotRecord = "not a dialogue record?"

// Evidence is where a field's value came from: the text it was read from,
// and whether the text states it or it was inferred (a year from the
// meeting ordinal) or set by hand (front matter, sidecar file).
type Evidence struct {
	Text string `json:"text"`
	// How is "stated", "inferred" or "set" (front matter or sidecar).
	How  string `json:"how"`
	Note string `json:"note,omitempty"`
}

// How values of Evidence.
const (
	Stated   = "stated"
	Inferred = "inferred"
	Set      = "set"
)

// Record is one defense dialogue record (a communiqué, statement, fact sheet,
// press release or news report) split into paragraphs.
type Record struct {
	// ID is stable: derived from the meeting and date when known, else from
	// the content, so it is the same on every run and every machine.
	ID        string `json:"id"`
	Source    string `json:"source"`
	SourceURL string `json:"source_url,omitempty"`
	Title     string `json:"title"`
	Kind      string `json:"kind"`
	// Date is YYYY-MM-DD, or "" when the record gives no evidence of it
	// (marshalled as null).
	Date         Date `json:"date"`
	DateInferred bool `json:"date_inferred"`
	// DateNote says where the date came from, or why it is empty.
	DateNote string `json:"date_note,omitempty"`
	// DateEnd is the last day of a meeting that ran over several days
	// ("July 25-26"), "" otherwise.
	DateEnd    Date              `json:"date_end"`
	Meeting    Meeting           `json:"meeting"`
	Location   string            `json:"location"`
	Principals []Person          `json:"principals"`
	Glossary   map[string]string `json:"glossary"`
	Paragraphs []Paragraph       `json:"paragraphs"`
	// Evidence says, for each extracted field (date, series, number,
	// location, principals, title), the text it came from and whether it
	// was stated or inferred.
	Evidence map[string]Evidence `json:"evidence,omitempty"`
	// Review lists what a person should check: missing or uncertain
	// fields, or NoteNotRecord. Empty when nothing is in doubt.
	Review []string `json:"review,omitempty"`
}

// NeedsReview says whether the record has missing or uncertain fields.
func (r *Record) NeedsReview() bool { return len(r.Review) > 0 }

// ParagraphIndex is the index in r.Paragraphs of the paragraph numbered n,
// or -1 (paragraphs are numbered from 1 in order, so this is n-1 but for a
// record whose numbering has gaps).
func (r *Record) ParagraphIndex(n int) int {
	if n >= 1 && n <= len(r.Paragraphs) && r.Paragraphs[n-1].N == n {
		return n - 1
	}
	for i, p := range r.Paragraphs {
		if p.N == n {
			return i
		}
	}
	return -1
}

// Meeting identifies the dialogue a record comes out of.
type Meeting struct {
	// Series is the short name of the meeting series: SCM, KIDD, MCM, NCG,
	// "Defense Ministerial Meeting", ...
	Series string `json:"series"`
	// Number is the meeting's ordinal (55 for the 55th SCM), 0 when none.
	Number int `json:"number"`
	// Name is for display: "55th SCM".
	Name string `json:"name"`
}

// Person is a named official with their side and title.
type Person struct {
	Name  string `json:"name"`
	Side  string `json:"side"`
	Title string `json:"title"`
}

// Paragraph is the unit of search.
type Paragraph struct {
	// N is the paragraph's position in the record, from 1; unique within the
	// record, so record ID + N identifies a paragraph (anchor #pN).
	N int `json:"n"`
	// Number is the paragraph's own printed number ("7" for "7. The
	// Secretary ..."), "" when it has none.
	Number   string   `json:"number,omitempty"`
	Section  string   `json:"section"`
	Text     string   `json:"text"`
	Speakers []string `json:"speakers"`
	// Sides is the paragraph's voice: VoiceJoint, one party (SideUS,
	// SideROK, SideJapan, SideAustralia) or VoiceReported.
	Sides  []string `json:"sides"`
	Topics []string `json:"topics"`
}

// NonNil returns s, or an empty list for nil: the lists of a paragraph
// (speakers, sides, topics) are [] in JSON, never null.
func NonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ParagraphID is the stable id of paragraph n of record recordID.
func ParagraphID(recordID string, n int) string {
	return recordID + "-p" + strconv.Itoa(n)
}
