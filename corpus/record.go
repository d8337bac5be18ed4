package corpus

import "strconv"

// Side is the delegation a person or paragraph belongs to.
const (
	SideUS  = "U.S."
	SideROK = "ROK"
)

// Kinds of record.
const (
	KindJointCommunique     = "joint communiqué"
	KindJointPressStatement = "joint press statement"
	KindFactSheet           = "fact sheet"
	KindPressRelease        = "press release"
	KindNewsReport          = "news report"
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
	DateNote   string            `json:"date_note,omitempty"`
	Meeting    Meeting           `json:"meeting"`
	Location   string            `json:"location"`
	Principals []Person          `json:"principals"`
	Glossary   map[string]string `json:"glossary"`
	Paragraphs []Paragraph       `json:"paragraphs"`
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
	Sides    []string `json:"sides"`
	Topics   []string `json:"topics"`
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
