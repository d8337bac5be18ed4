package corpus

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
	"time"
)

// FuzzParse checks that parsing never panics and that whatever it returns
// keeps the Record's invariants. Its seeds (the shipped records and odd
// inputs) run in every plain `go test`; `go tool task fuzz` explores further.
func FuzzParse(f *testing.F) {
	files, _ := fs.Glob(Default(), "*")
	for _, name := range files {
		b, _ := fs.ReadFile(Default(), name)
		f.Add(b, name)
	}
	for _, s := range []string{
		"", "\xef\xbb\xbf", "---\n---\n", "---\ntitle: x\n", "---\ndate: 2024-02-30\n---\nText.",
		"<html><body><p>On June 2, 2024, Minister Shin met.</p></body></html>",
		"<p>unclosed <b>bold <script>x", "(", "()", "(A)", "a (AB", "x (ABCDEFGHIJK)",
		"1.\n\n2. \n\n3.x", "IMPROVING\n\n", "lowercase first\n\nlowercase second",
		"held July 25-26", "this year's 99th Security Consultative Meeting held February 30",
		"this year’s 0th SCM", "Secretary", "the Secretary of", "Brig. Gen. A", "Minister Kim Kim Kim Kim",
		"\x00\x01\x02", "\xff\xfe", "\xfe\xff\x00A", "\xb0\xa1\xb0\xa2", "\x93quoted\x94",
		"Hosted by X", "text.Hosted by X", "READ SOURCE READ SOURCE", strings.Repeat("A. ", 500),
	} {
		f.Add([]byte(s), "seed.txt")
	}
	f.Add([]byte("<title>T</title><h1>H</h1><p>text</p>"), "page.html")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		rec, err := Parse(bytes.NewReader(data), name)
		if err != nil {
			if rec != nil {
				t.Fatal("record and error both returned")
			}
			if !strings.Contains(err.Error(), name) {
				t.Fatalf("error %q does not name the file %q", err, name)
			}
			return
		}
		if rec.ID == "" || rec.Source != name || len(rec.Paragraphs) == 0 {
			t.Fatalf("bad record: id %q source %q, %d paragraphs", rec.ID, rec.Source, len(rec.Paragraphs))
		}
		if rec.Date != "" {
			if _, err := time.Parse(time.DateOnly, string(rec.Date)); err != nil {
				t.Fatalf("date %q: %v", rec.Date, err)
			}
		}
		if rec.Date == "" && rec.DateInferred {
			t.Fatal("inferred but no date")
		}
		for i, p := range rec.Paragraphs {
			if p.N != i+1 || strings.TrimSpace(p.Text) == "" || p.Speakers == nil || p.Sides == nil || p.Topics == nil {
				t.Fatalf("bad paragraph %d: %+v", i+1, p)
			}
		}
		b, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		var back Record
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("JSON does not round-trip: %v", err)
		}
		again, err := Parse(bytes.NewReader(data), name)
		if err != nil || again.ID != rec.ID {
			t.Fatalf("not deterministic: %v, %q vs %q", err, again.ID, rec.ID)
		}
	})
}
