package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dialoguesearch/corpus"
)

func TestParseCommand(t *testing.T) {
	dir := t.TempDir()
	undated := filepath.Join(dir, "undated.txt")
	if err := os.WriteFile(undated, []byte("Talks end\n\nThe talks were held July 25-26 in Seoul.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	binary := filepath.Join(dir, "photo.txt")
	if err := os.WriteFile(binary, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	scm := filepath.Join("corpus", "records", "2024-10-30-scm-56-fact-sheet.txt")
	kidd := filepath.Join("corpus", "records", "2018-07-26-kidd-14-news-report.txt")
	var stdout, stderr bytes.Buffer
	code := run([]string{"parse", scm, binary, filepath.Join(dir, "missing.txt"), undated, kidd}, nil, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit code %d, stderr %s", code, stderr.String())
	}
	var recs []map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &recs); err != nil {
		t.Fatalf("stdout is not a JSON array: %v\n%s", err, stdout.String())
	}
	var got []string
	for _, r := range recs {
		got = append(got, r["source"].(string))
	}
	if want := []string{scm, undated, kidd}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("sources %v, want %v (file order)", got, want)
	}
	for _, key := range []string{"id", "source", "title", "kind", "date", "date_inferred", "meeting", "location", "principals", "glossary", "paragraphs"} {
		if _, ok := recs[0][key]; !ok {
			t.Errorf("record lacks %q", key)
		}
	}
	if recs[0]["id"] != "scm-56-2024-10-30-fact-sheet" || recs[0]["date"] != "2024-10-30" {
		t.Errorf("scm record: id %v date %v", recs[0]["id"], recs[0]["date"])
	}
	if recs[1]["date"] != nil {
		t.Errorf("undated record has date %v, want null", recs[1]["date"])
	}
	if recs[2]["date"] != "2018-07-25" || recs[2]["date_inferred"] != true {
		t.Errorf("kidd: date %v inferred %v", recs[2]["date"], recs[2]["date_inferred"])
	}
	m := recs[2]["meeting"].(map[string]any)
	if m["series"] != "KIDD" || m["number"] != float64(14) || m["name"] != "14th KIDD" {
		t.Errorf("meeting = %v", m)
	}
	p := recs[2]["paragraphs"].([]any)[1].(map[string]any)
	for _, key := range []string{"n", "section", "text", "speakers", "sides", "topics"} {
		if _, ok := p[key]; !ok {
			t.Errorf("paragraph lacks %q", key)
		}
	}
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "photo.txt") || !strings.Contains(lines[0], "binary") || !strings.Contains(lines[1], "missing.txt") {
		t.Errorf("stderr should have one line per bad file:\n%s", stderr.String())
	}
}

func TestParseCommandFails(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.txt")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"parse", empty}, nil, &stdout, &stderr); code == 0 {
		t.Errorf("exit code 0 when no file parsed")
	}
	if strings.TrimSpace(stdout.String()) != "[]" || !strings.Contains(stderr.String(), "empty.txt: empty file") {
		t.Errorf("stdout %q stderr %q", stdout.String(), stderr.String())
	}
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"parse"}, nil, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "usage") {
		t.Errorf("no files: code %d stderr %q", code, stderr.String())
	}
}

func TestParseCommandRules(t *testing.T) {
	dir := t.TempDir()
	topics := `{"topics": [{"id": "shipbuilding", "label": "Shipbuilding", "terms": ["shipyard*"]}]}`
	if err := os.WriteFile(filepath.Join(dir, "topics.json"), []byte(topics), 0o644); err != nil {
		t.Fatal(err)
	}
	rec := filepath.Join(dir, "r.txt")
	if err := os.WriteFile(rec, []byte("Readout\n\nThe sides visited shipyards in Busan on May 2, 2025.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"parse", "--rules", dir, rec}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("code %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), `"shipbuilding"`) {
		t.Errorf("the user's topics.json was not used:\n%s", stdout.String())
	}
	if err := os.WriteFile(filepath.Join(dir, "noise.txt"), []byte("bogus\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"parse", "--rules", dir, rec}, nil, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "noise.txt") {
		t.Errorf("broken rules: code %d stderr %q", code, stderr.String())
	}
}

func TestParseCheckAndSidecar(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("talks.txt", "Talks end\n\nThe two sides held talks in Seoul and discussed the alliance.\n")
	write("index.txt", "Releases\n\nJoint Statement on the Alliance\nNov. 4, 2025\n\nReadout of the Meeting\nOct. 29, 2025\n\n1 2 3 Next\n")
	var stdout, stderr bytes.Buffer
	if code := run([]string{"parse", "--check", dir}, nil, &stdout, &stderr); code != 1 {
		t.Fatalf("exit code %d, want 1 (records need review); stderr %s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"talks.txt", "date missing", "series missing", "index.txt", "not a dialogue record?", "2 of 2 files need review"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	// A sidecar file fixes the record without touching the saved original.
	write("talks.meta.yaml", "date: 2024-05-02\nseries: KIDD\nnumber: 25\nprincipals: Ely Ratner (U.S.); Cho Chang-rae\n")
	stdout.Reset()
	if code := run([]string{"parse", filepath.Join(dir, "talks.txt")}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr.String())
	}
	var recs []map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &recs); err != nil {
		t.Fatal(err)
	}
	if recs[0]["date"] != "2024-05-02" || recs[0]["meeting"].(map[string]any)["name"] != "25th KIDD" || recs[0]["id"] != "kidd-25-2024-05-02" {
		t.Errorf("sidecar not applied: date %v meeting %v id %v", recs[0]["date"], recs[0]["meeting"], recs[0]["id"])
	}
	stdout.Reset()
	run([]string{"parse", "--check", dir}, nil, &stdout, &stderr)
	if strings.Contains(stdout.String(), "talks.txt") {
		t.Errorf("a record fixed by its sidecar still needs review:\n%s", stdout.String())
	}
}

// parse writes what a json.Encoder with two-space indentation and no HTML
// escaping writes, byte for byte: the shipped records, and records holding
// what could trip the indentation (quotes, backslashes, brackets, commas
// and colons in strings, empty lists).
func TestParseJSONIsTheEncoders(t *testing.T) {
	recs, _ := corpus.Load(corpus.Default())
	if len(recs) == 0 {
		t.Fatal("no shipped records")
	}
	odd := *recs[0]
	odd.Title = `a "quoted" \ title {with} [brackets], commas: colons <b>&amp;</b> \u2028` + "\t\x01"
	odd.Paragraphs = append([]corpus.Paragraph{{N: 1, Text: `"\"\\"`, Speakers: []string{}, Topics: []string{`}]`, `\`}}}, odd.Paragraphs...)
	for _, set := range [][]*corpus.Record{recs, {&odd}, {}} {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(set); err != nil {
			t.Fatal(err)
		}
		got, err := recordsJSON(set)
		if err != nil || !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("recordsJSON of %d records (%v):\n%s\nthe encoder:\n%s", len(set), err, got, want.Bytes())
		}
	}
}
