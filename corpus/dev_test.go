package corpus

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

// devExpected is the metadata a development record must come out with
// (testdata/dev-expected.json).
type devExpected struct {
	Date       Date     `json:"date"`
	DateEnd    Date     `json:"date_end"`
	Series     string   `json:"series"`
	Number     int      `json:"number"`
	Location   string   `json:"location"`
	Principals []string `json:"principals"`
	Title      string   `json:"title"`
	NotRecord  bool     `json:"not_record"`
}

// recordSets are the scored sets of written records: dev, in the layouts
// the rules were developed on, and heldout, written afterwards by an evaluator
// in layouts the rules were not tuned on, to measure how they generalise.
var recordSets = []struct {
	name, dir, expected string
	min                 int // records the set must have at least
}{
	{"dev", "dev", "dev-expected.json", 30},
	{"heldout", "heldout", "heldout-expected.json", 15},
}

// TestDevelopmentSet parses the records of each set (testdata/dev and
// testdata/heldout), written in the layouts of the publishers' sites
// (banners, board metadata, datelines, PDF page lines, saved HTML pages), and
// scores the fields date, series, ordinal, location and principals against
// the set's expected file. It prints the accuracy per field and fails when
// any is under 95 %.
func TestDevelopmentSet(t *testing.T) {
	for _, set := range recordSets {
		t.Run(set.name, func(t *testing.T) { scoreRecordSet(t, set.dir, set.expected, set.min) })
	}
}

func scoreRecordSet(t *testing.T, dir, expected string, min int) {
	b, err := os.ReadFile(filepath.Join("testdata", expected))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Comment string                 `json:"_comment"` // for the people who edit the file
		Records map[string]devExpected `json:"records"`
	}
	dec := json.NewDecoder(bytes.NewReader(b)) // a misspelt key would check nothing
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(file.Records))
	for n := range file.Records {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(names) < min {
		t.Fatalf("%s set has %d records, want at least %d", dir, len(names), min)
	}
	fields := []string{"date", "series", "ordinal", "location", "principals"}
	right := map[string]int{}
	for _, name := range names {
		want := file.Records[name]
		f, err := os.Open(filepath.Join("testdata", dir, name))
		if err != nil {
			t.Fatal(err)
		}
		rec, err := Parse(f, name)
		f.Close()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var got []string
		for _, p := range rec.Principals {
			got = append(got, p.Name)
		}
		wantP := slices.Clone(want.Principals)
		sort.Strings(got)
		sort.Strings(wantP)
		score := map[string][2]string{
			"date":       {string(rec.Date), string(want.Date)},
			"series":     {rec.Meeting.Series, want.Series},
			"ordinal":    {itoa(rec.Meeting.Number), itoa(want.Number)},
			"location":   {rec.Location, want.Location},
			"principals": {strings.Join(got, "; "), strings.Join(wantP, "; ")},
		}
		for _, fld := range fields {
			if score[fld][0] == score[fld][1] {
				right[fld]++
			} else {
				t.Logf("%s: %s = %q, want %q", name, fld, score[fld][0], score[fld][1])
			}
		}
		// Not scored, but wrong is a defect all the same.
		if want.DateEnd != "" && rec.DateEnd != want.DateEnd {
			t.Errorf("%s: date_end = %q, want %q", name, rec.DateEnd, want.DateEnd)
		}
		if want.Title != "" && rec.Title != want.Title {
			t.Errorf("%s: title = %q, want %q", name, rec.Title, want.Title)
		}
		if notRec := slices.Contains(rec.Review, NoteNotRecord); notRec != want.NotRecord {
			t.Errorf("%s: flagged %q = %v, want %v (review %q)", name, NoteNotRecord, notRec, want.NotRecord, rec.Review)
		}
	}
	for _, fld := range fields {
		acc := float64(right[fld]) / float64(len(names))
		t.Logf("%-10s %3d/%d = %5.1f %%", fld, right[fld], len(names), 100*acc)
		if acc < 0.95 {
			t.Errorf("%s accuracy %.1f %% is under 95 %%", fld, 100*acc)
		}
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
