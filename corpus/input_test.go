package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"

	"dialoguesearch/failure"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/korean"
	xunicode "golang.org/x/text/encoding/unicode"
)

const sample = "Joint Statement on the Alliance\n\nApril 11, 2024\n\nThe two sides held the 24th Korea-U.S. Integrated Defense Dialogue (KIDD) in Washington.\n\nSecretary Austin’s “ironclad” commitment was reaffirmed.\n"

func TestInputEncodings(t *testing.T) {
	win, err := charmap.Windows1252.NewEncoder().String(sample)
	if err != nil {
		t.Fatal(err)
	}
	utf16, err := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewEncoder().String(sample)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   []byte
	}{
		{"utf-8", []byte(sample)},
		{"utf-8 with BOM", append([]byte{0xEF, 0xBB, 0xBF}, sample...)},
		{"CRLF", []byte(strings.ReplaceAll(sample, "\n", "\r\n"))},
		{"windows-1252", []byte(win)},
		{"utf-16 with BOM", []byte(utf16)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Parse(bytes.NewReader(tc.in), "x.txt")
			if err != nil {
				t.Fatal(err)
			}
			if rec.Title != "Joint Statement on the Alliance" {
				t.Errorf("title %q", rec.Title)
			}
			if rec.Date != "2024-04-11" || rec.Location != "Washington" || rec.Meeting.Name != "24th KIDD" {
				t.Errorf("meta: %q %q %+v", rec.Date, rec.Location, rec.Meeting)
			}
			if len(rec.Paragraphs) != 2 || rec.Paragraphs[1].Text != "Secretary Austin’s “ironclad” commitment was reaffirmed." {
				t.Errorf("paragraphs %q", texts(rec))
			}
		})
	}
}

func TestInputEUCKR(t *testing.T) {
	src := "국방부 보도자료\n\n2024년 6월 2일, 신원식 국방부장관은 싱가포르에서 오스틴 미 국방장관과 회담을 가졌다. On June 2, 2024, the ministers met in Singapore.\n\n양측은 북한의 도발을 규탄했다.\n"
	b, err := korean.EUCKR.NewEncoder().String(src)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := Parse(strings.NewReader(b), "kr.txt")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Title != "국방부 보도자료" {
		t.Errorf("title = %q", rec.Title)
	}
	if got := rec.Paragraphs[1].Text; got != "양측은 북한의 도발을 규탄했다." {
		t.Errorf("paragraph 2 = %q", got)
	}
	if rec.Date != "2024-06-02" || rec.Location != "Singapore" {
		t.Errorf("date %q location %q", rec.Date, rec.Location)
	}
}

func TestInputHTML(t *testing.T) {
	page := `<!DOCTYPE html><html><head><meta charset="utf-8"><title>DoD News | Releases</title>
<style>p{color:red}</style><script>var x = "Secretary Austin said nothing";</script></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<h1>Joint Press Statement for the 24th KIDD</h1>
<p>April 11, 2024</p>
<p>The U.S. Department of Defense (DoD) held the 24th Korea-U.S. Integrated Defense Dialogue (KIDD)
   on April 11, 2024 in <b>Washington</b>.</p>
<h2>Extended Deterrence</h2>
<p>DEPMIN Cho stressed the importance of ROK-U.S. integrated extended deterrence &amp; the NCG.<br>He also noted progress.</p>
<footer>Hosted by Defense Media Activity - WEB.mil</footer>
<p>This website uses cookies.</p></body></html>`
	rec, err := Parse(strings.NewReader(page), "statement.html")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Title != "Joint Press Statement for the 24th KIDD" {
		t.Errorf("title = %q", rec.Title)
	}
	want := []string{
		"The U.S. Department of Defense (DoD) held the 24th Korea-U.S. Integrated Defense Dialogue (KIDD) on April 11, 2024 in Washington.",
		"DEPMIN Cho stressed the importance of ROK-U.S. integrated extended deterrence & the NCG. He also noted progress.",
	}
	if got := texts(rec); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("paragraphs = %q\nwant %q", got, want)
	}
	if rec.Paragraphs[1].Section != "Extended Deterrence" {
		t.Errorf("section = %q", rec.Paragraphs[1].Section)
	}
	if rec.Date != "2024-04-11" || rec.Location != "Washington" || rec.Glossary["DoD"] != "Department of Defense" {
		t.Errorf("meta %q %q %v", rec.Date, rec.Location, rec.Glossary)
	}
	if got := rec.Paragraphs[1].Speakers; len(got) != 1 || got[0] != "Cho Chang-rae" {
		t.Errorf("speakers = %v", got)
	}
}

func TestFrontMatterOverrides(t *testing.T) {
	in := "---\ntitle: \"Readout of the Meeting\"\ndate: 2024-05-01\nkind: press release\nseries: NCG\nnumber: 3\nlocation: Washington # where it was held\nprincipals: Secretary Austin; Kim Yong-hyun; Jane Roe (U.S.)\nsource_url: https://example.org/readout\n---\nSomething else\n\nThe two sides met in Seoul on June 10, 2024 and discussed the 55th SCM.\n"
	rec := parseString(t, "fm.txt", in)
	if rec.Title != "Readout of the Meeting" || rec.Date != "2024-05-01" || rec.Kind != KindPressRelease ||
		rec.Meeting != (Meeting{"NCG", 3, "3rd NCG"}) || rec.Location != "Washington" || rec.SourceURL != "https://example.org/readout" {
		t.Errorf("front matter not applied: %+v", rec)
	}
	wantPrincipals := []Person{{"Lloyd J. Austin III", SideUS, "Secretary of Defense"}, {"Kim Yong Hyun", SideROK, "Minister of National Defense"}, {"Jane Roe", SideUS, ""}}
	if !reflect.DeepEqual(rec.Principals, wantPrincipals) {
		t.Errorf("principals = %+v", rec.Principals)
	}
	if rec.ID != "ncg-3-2024-05-01-release" {
		t.Errorf("ID = %q", rec.ID)
	}
	// "Something else" is a line before the body: header, not text
	if len(rec.Paragraphs) != 1 || rec.Paragraphs[0].Text != "The two sides met in Seoul on June 10, 2024 and discussed the 55th SCM." {
		t.Errorf("paragraphs = %q", texts(rec))
	}
	_, err := Parse(strings.NewReader("---\ndate: May 1\n---\nText here.\n"), "bad.txt")
	if err == nil || !strings.Contains(err.Error(), "bad.txt") || !strings.Contains(err.Error(), "YYYY-MM-DD") {
		t.Errorf("bad front matter date: err = %v", err)
	}
	// an unclosed block is text, not front matter
	rec = parseString(t, "open.txt", "---\nJust a rule line\n\nThe two sides met.\n")
	if len(rec.Paragraphs) == 0 {
		t.Errorf("no paragraphs")
	}
}

func TestBadInputs(t *testing.T) {
	big := bytes.Repeat([]byte("The two sides met. "), MaxFileSize/19+2)
	tests := []struct {
		name     string
		in       []byte
		sentinel error
		kind     failure.Kind
		reason   string
	}{
		{"empty", nil, ErrEmpty, failure.Unprocessable, "empty"},
		{"whitespace only", []byte(" \n\r\n\t "), ErrEmpty, failure.Unprocessable, "empty"},
		{"bom only", []byte{0xEF, 0xBB, 0xBF}, ErrEmpty, failure.Unprocessable, "empty"},
		{"binary", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"), ErrBinary, failure.Unprocessable, "binary"},
		{"control characters", bytes.Repeat([]byte{0x01, 0x02, 'a', 0x03}, 100), ErrBinary, failure.Unprocessable, "binary"},
		{"oversized", big, ErrTooLarge, failure.TooLarge, "2 MB"},
		{"only noise", []byte("News Zone\n\nREAD SOURCE\n\nThis website uses cookies."), ErrNoText, failure.Unprocessable, "no paragraphs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(bytes.NewReader(tc.in), "dir/bad-file.txt")
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, tc.sentinel) || failure.KindOf(err) != tc.kind {
				t.Errorf("err = %v (kind %v), want %v of kind %v", err, failure.KindOf(err), tc.sentinel, tc.kind)
			}
			if msg := err.Error(); !strings.Contains(msg, "dir/bad-file.txt") || !strings.Contains(msg, tc.reason) {
				t.Errorf("message %q does not name the file and reason %q", msg, tc.reason)
			}
		})
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, io.ErrUnexpectedEOF }

func TestReadError(t *testing.T) {
	_, err := Parse(errReader{}, "r.txt")
	if !errors.Is(err, io.ErrUnexpectedEOF) || !strings.Contains(err.Error(), "r.txt") {
		t.Errorf("err = %v", err)
	}
}

func TestLoadKeepsGoingPastBadFiles(t *testing.T) {
	good, err := fs.ReadFile(Default(), "2024-04-11-kidd-24-joint-press-statement.txt")
	if err != nil {
		t.Fatal(err)
	}
	good2, err := fs.ReadFile(Default(), "2023-11-13-scm-55-joint-communique.txt")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"a/kidd.txt":        {Data: good},
		"b/photo.txt":       {Data: []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01")},
		"c/scm.html":        {Data: good2},
		"README.json":       {Data: []byte("{}")}, // not a record file: skipped
		".hidden/x.txt":     {Data: []byte{0}},
		"d/scm-copy.txt":    {Data: append([]byte("\r\n"), good2...)},
		"e/ordinary.md":     {Data: []byte("Readout\n\nThe sides met on May 5, 2024 in Seoul.\n")},
		"e/empty-dir/.keep": {Data: nil},
	}
	recs, problems := Load(fsys)
	var ids []string
	for _, r := range recs {
		ids = append(ids, r.Source+"="+r.ID)
	}
	wantIDs := []string{"a/kidd.txt=kidd-24-2024-04-11-statement", "c/scm.html=scm-55-2023-11-13-communique"}
	if len(recs) != 3 || strings.Join(ids[:2], ",") != strings.Join(wantIDs, ",") || recs[2].Source != "e/ordinary.md" {
		t.Errorf("loaded %v, want %v and e/ordinary.md", ids, wantIDs)
	}
	if len(problems) != 2 {
		t.Fatalf("problems = %v, want the binary file and the duplicate", problems)
	}
	if problems[0].File != "b/photo.txt" || !errors.Is(problems[0].Err, ErrBinary) || !strings.Contains(problems[0].Error(), "b/photo.txt") {
		t.Errorf("problem 0 = %v", problems[0])
	}
	if problems[1].File != "d/scm-copy.txt" || !errors.Is(problems[1].Err, ErrDuplicate) {
		t.Errorf("problem 1 = %v", problems[1])
	}
}

func TestLoadDefaultCorpus(t *testing.T) {
	recs, problems := Load(Default())
	if len(problems) != 0 || len(recs) != 5 {
		t.Fatalf("Load(Default()) = %d records, problems %v", len(recs), problems)
	}
	seen := map[string]bool{}
	for _, r := range recs {
		if seen[r.ID] {
			t.Errorf("duplicate id %s", r.ID)
		}
		seen[r.ID] = true
	}
	// stable: the same ids on a second run
	recs2, _ := Load(Default())
	for i := range recs {
		if recs[i].ID != recs2[i].ID {
			t.Errorf("id changed between runs: %s vs %s", recs[i].ID, recs2[i].ID)
		}
	}
}

func TestRecordIDFallsBackToContentHash(t *testing.T) {
	a := parseString(t, "a.txt", "Notes\n\nThe sides talked about the weather.\n")
	b := parseString(t, "b.txt", "Notes\n\nThe sides talked about the alliance.\n")
	a2 := parseString(t, "other/name.txt", "Other headline\n\nThe sides talked about the weather.\n\nREAD SOURCE\n")
	if !strings.HasPrefix(a.ID, "rec-") || len(a.ID) != len("rec-")+10 {
		t.Errorf("ID = %q, want rec-<10 hex>", a.ID)
	}
	if a.ID == b.ID {
		t.Errorf("different records share id %s", a.ID)
	}
	if a.ID != a2.ID {
		t.Errorf("same text gave ids %s and %s: the id must come from the content", a.ID, a2.ID)
	}
	c := parseString(t, "c.txt", "Readout\n\nThe 55th Security Consultative Meeting was held in Seoul.\n")
	if !strings.HasPrefix(c.ID, "scm-55-") || c.Date != "" {
		t.Errorf("ID = %q date %q", c.ID, c.Date)
	}
}

// TestOtherSiteHTML parses a page laid out like another site's release (not
// one of the shipped records): the noise patterns and extraction rules must
// generalise.
func TestOtherSiteHTML(t *testing.T) {
	b, err := os.ReadFile("testdata/ncg-3-statement.html")
	if err != nil {
		t.Fatal(err)
	}
	rec, err := Parse(bytes.NewReader(b), "ncg-3-statement.html")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Title != "Joint Press Statement on the Third Nuclear Consultative Group Meeting" || rec.Kind != KindJointPressStatement {
		t.Errorf("title %q kind %q", rec.Title, rec.Kind)
	}
	if rec.ID != "ncg-3-2024-06-10-statement" || rec.Location != "Washington" {
		t.Errorf("id %q location %q", rec.ID, rec.Location)
	}
	want := []Person{{"Vipin Narang", SideUS, "Principal Deputy Assistant Secretary of Defense for Space Policy"}, {"Cho Chang-rae", SideROK, "Deputy Minister for National Defense Policy"}}
	if !reflect.DeepEqual(rec.Principals, want) {
		t.Errorf("principals %+v", rec.Principals)
	}
	if len(rec.Paragraphs) != 3 {
		t.Fatalf("paragraphs %q", texts(rec))
	}
	for _, p := range rec.Paragraphs {
		for _, noise := range []string{"Share", "Print", "Skip to", "Hosted by", "Releases"} {
			if strings.Contains(p.Text, noise) {
				t.Errorf("noise %q in paragraph %d", noise, p.N)
			}
		}
	}
	p2 := rec.Paragraphs[1]
	if !reflect.DeepEqual(p2.Speakers, []string{"Cho Chang-rae", "Vipin Narang"}) || !reflect.DeepEqual(p2.Sides, []string{VoiceJoint}) {
		t.Errorf("paragraph 2 speakers %v sides %v", p2.Speakers, p2.Sides)
	}
	if !contains(p2.Topics, "dprk-russia") || rec.Paragraphs[2].Section != "Next Steps" {
		t.Errorf("topics %v section %q", p2.Topics, rec.Paragraphs[2].Section)
	}
}

func TestInputHTMLDeclaredCharset(t *testing.T) {
	page := `<html><head><meta http-equiv="Content-Type" content="text/html; charset=euc-kr"><title>보도자료</title></head><body><h1>한미 국방장관회담 결과</h1><p>On June 2, 2024, the ministers met in Singapore. 양측은 북한의 도발을 규탄했다.</p></body></html>`
	b, err := korean.EUCKR.NewEncoder().String(page)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := Parse(strings.NewReader(b), "kr.html")
	if err != nil {
		t.Fatal(err)
	}
	if rec.Title != "한미 국방장관회담 결과" || len(rec.Paragraphs) != 1 || !strings.HasSuffix(rec.Paragraphs[0].Text, "양측은 북한의 도발을 규탄했다.") {
		t.Errorf("title %q paragraphs %q", rec.Title, texts(rec))
	}
}

func TestLoadOversizedFile(t *testing.T) {
	good, err := fs.ReadFile(Default(), "2024-04-11-kidd-24-joint-press-statement.txt")
	if err != nil {
		t.Fatal(err)
	}
	fsys := fstest.MapFS{
		"big.txt":  {Data: bytes.Repeat([]byte("The two sides met. "), MaxFileSize/19+1)},
		"kidd.txt": {Data: good},
	}
	recs, problems := Load(fsys)
	if len(recs) != 1 || recs[0].Source != "kidd.txt" {
		t.Errorf("records %d", len(recs))
	}
	if len(problems) != 1 || problems[0].File != "big.txt" || !errors.Is(problems[0].Err, ErrTooLarge) ||
		failure.KindOf(problems[0].Err) != failure.TooLarge || !strings.Contains(problems[0].Error(), "2 MB") {
		t.Errorf("problems = %v", problems)
	}
}

// countingFS counts the record files opened (each once).
type countingFS struct {
	fs.FS
	seen   sync.Map
	opened atomic.Int64
}

func (c *countingFS) Open(name string) (fs.File, error) {
	if _, dup := c.seen.LoadOrStore(name, true); !dup && strings.HasSuffix(name, ".md") {
		c.opened.Add(1)
	}
	return c.FS.Open(name)
}

// LoadStream hands the first record over before it has read every file
// (the build indexes it while the rest are parsed), at most streamAhead
// files ahead, and hands them all over in path order, as Load does.
func TestLoadStreamParsesAhead(t *testing.T) {
	const n = 4 * streamAhead
	files := fstest.MapFS{}
	for i := range n {
		files[fmt.Sprintf("f%03d.md", i)] = &fstest.MapFile{Data: fmt.Appendf(nil, "Readout %d\n\nThe sides met on May 5, 2024 in Seoul (%d).\n", i, i)}
	}
	fsys := &countingFS{FS: files}
	found, recs, l := DefaultRules().LoadStream(fsys, nil)
	if found != n {
		t.Fatalf("LoadStream found %d files, want %d", found, n)
	}
	var sources []string
	for r := range recs {
		if len(sources) == 0 {
			if o := fsys.opened.Load(); o > streamAhead+1 {
				t.Errorf("%d files read when the first record was handed over, want at most %d", o, streamAhead+1)
			}
		}
		sources = append(sources, r.Source)
	}
	if len(sources) != n || !slices.IsSorted(sources) || len(l.Problems) != 0 || len(l.Keys) != n {
		t.Errorf("handed over %d records (sorted: %v), %d keys, problems %v; want %d in path order", len(sources), slices.IsSorted(sources), len(l.Keys), l.Problems, n)
	}

	// A caller that stops early stops the parsing.
	fsys = &countingFS{FS: files}
	_, recs, _ = DefaultRules().LoadStream(fsys, nil)
	for range recs {
		break
	}
	if o := fsys.opened.Load(); o > streamAhead+2 {
		t.Errorf("%d files read after the caller stopped at the first, want at most %d", o, streamAhead+2)
	}
}
