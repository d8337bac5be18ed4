package corpus

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// expected is the metadata a shipped record must come out with, kept in
// testdata/expected/<record file>.json.
type expected struct {
	ID               string   `json:"id"`
	Title            string   `json:"title"`
	Kind             string   `json:"kind"`
	Date             Date     `json:"date"`
	DateInferred     bool     `json:"date_inferred"`
	DateNoteContains []string `json:"date_note_contains"`
	Meeting          Meeting  `json:"meeting"`
	Location         string   `json:"location"`
	Principals       []Person `json:"principals"`
	ParagraphCount   int      `json:"paragraph_count"`
	Numbers          map[string]string
	Sections         map[string]string
	Paragraphs       map[string]struct {
		Starts   string   `json:"starts"`
		Contains string   `json:"contains"`
		Ends     string   `json:"ends"`
		Speakers []string `json:"speakers"`
		Sides    []string `json:"sides"`
		Topics   []string `json:"topics"` // must be among the paragraph's topics
	} `json:"paragraphs"`
	Glossary      map[string]string `json:"glossary"` // must be in the record's glossary
	Noise         []string          `json:"noise"`    // must occur in no paragraph
	NotParagraphs []string          `json:"not_paragraphs"`
}

func TestShippedRecords(t *testing.T) {
	files, err := fs.Glob(Default(), "*")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 5 {
		t.Fatalf("default corpus has %d files, want 5", len(files))
	}
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "expected", strings.TrimSuffix(name, filepath.Ext(name))+".json"))
			if err != nil {
				t.Fatalf("no expected metadata for %s: %v", name, err)
			}
			var want expected
			dec := json.NewDecoder(bytes.NewReader(b)) // a misspelt key would check nothing
			dec.DisallowUnknownFields()
			if err := dec.Decode(&want); err != nil {
				t.Fatal(err)
			}
			f, err := Default().Open(name)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			rec, err := Parse(f, name)
			if err != nil {
				t.Fatal(err)
			}
			checkRecord(t, rec, &want)
		})
	}
}

func checkRecord(t *testing.T, rec *Record, want *expected) {
	t.Helper()
	eq := func(field string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, want %#v", field, got, want)
		}
	}
	eq("ID", rec.ID, want.ID)
	eq("Title", rec.Title, want.Title)
	eq("Kind", rec.Kind, want.Kind)
	eq("Date", rec.Date, want.Date)
	eq("DateInferred", rec.DateInferred, want.DateInferred)
	for _, s := range want.DateNoteContains {
		if !strings.Contains(rec.DateNote, s) {
			t.Errorf("DateNote %q does not mention %q", rec.DateNote, s)
		}
	}
	eq("Meeting", rec.Meeting, want.Meeting)
	eq("Location", rec.Location, want.Location)
	eq("Principals", rec.Principals, want.Principals)
	eq("paragraph count", len(rec.Paragraphs), want.ParagraphCount)
	for i, p := range rec.Paragraphs {
		if p.N != i+1 {
			t.Errorf("paragraph %d has N %d", i+1, p.N)
		}
	}
	para := func(key string) *Paragraph {
		t.Helper()
		n, _ := strconv.Atoi(key)
		if n < 1 || n > len(rec.Paragraphs) {
			t.Fatalf("no paragraph %s", key)
		}
		return &rec.Paragraphs[n-1]
	}
	for k, num := range want.Numbers {
		eq("paragraph "+k+" Number", para(k).Number, num)
	}
	for k, sec := range want.Sections {
		eq("paragraph "+k+" Section", para(k).Section, sec)
	}
	for k, wp := range want.Paragraphs {
		p := para(k)
		if wp.Starts != "" && !strings.HasPrefix(p.Text, wp.Starts) {
			t.Errorf("paragraph %s starts %.80q, want %q", k, p.Text, wp.Starts)
		}
		if wp.Ends != "" && !strings.HasSuffix(p.Text, wp.Ends) {
			t.Errorf("paragraph %s ends ...%q, want %q", k, p.Text[max(0, len(p.Text)-80):], wp.Ends)
		}
		if wp.Contains != "" && !strings.Contains(p.Text, wp.Contains) {
			t.Errorf("paragraph %s does not contain %q", k, wp.Contains)
		}
		if wp.Speakers != nil {
			eq("paragraph "+k+" Speakers", p.Speakers, wp.Speakers)
		}
		if wp.Sides != nil {
			eq("paragraph "+k+" Sides", p.Sides, wp.Sides)
		}
		for _, topic := range wp.Topics {
			if !contains(p.Topics, topic) {
				t.Errorf("paragraph %s topics %v lack %q", k, p.Topics, topic)
			}
		}
	}
	for acr, exp := range want.Glossary {
		if got := rec.Glossary[acr]; got != exp {
			t.Errorf("Glossary[%q] = %q, want %q", acr, got, exp)
		}
	}
	for _, p := range rec.Paragraphs {
		for _, n := range want.Noise {
			if strings.Contains(p.Text, n) {
				t.Errorf("paragraph %d contains noise %q: %.100q", p.N, n, p.Text)
			}
		}
		for _, n := range want.NotParagraphs {
			if p.Text == n || p.Section == n {
				t.Errorf("noise %q became paragraph %d or its section", n, p.N)
			}
		}
		if strings.TrimSpace(p.Text) == "" {
			t.Errorf("paragraph %d is empty", p.N)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
