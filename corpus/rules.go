package corpus

import (
	"bufio"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"sync"
)

// dataFS holds the parser's rules. Adding a person, a topic, a noise pattern
// or a meeting ordinal is an edit to one of these files, not to code.
//
//go:embed people.json topics.json meetings.json noise.txt synonyms.txt acronyms.txt
var dataFS embed.FS

// DataFiles are the names of the rule files, embedded and overridable.
var DataFiles = []string{"people.json", "topics.json", "meetings.json", "noise.txt", "synonyms.txt", "acronyms.txt"}

// Rules are the parser's data files, compiled: noise patterns, people,
// topics, meeting series, acronyms and synonyms. The package-level Parse,
// Load, Topics, Synonyms and Acronyms use DefaultRules; LoadRules gives a
// set with some files replaced by a user's own.
type Rules struct {
	noise    noiseRules
	topics   []topicRule
	topicIdx *topicIndex
	meetings meetingData
	people   *peopleData
	synonyms [][]string
	curated  map[string]string
	version  string // ParserVersion and the data files' bytes, hashed
}

var (
	defaultOnce  sync.Once
	defaultRules *Rules
)

// DefaultRules returns the rules of the data files embedded in the binary.
func DefaultRules() *Rules {
	defaultOnce.Do(func() {
		r, err := LoadRules(nil)
		if err != nil {
			panic(err) // a broken embedded data file is a build defect, caught by every test run
		}
		defaultRules = r
	})
	return defaultRules
}

// LoadRules compiles the rules, reading each data file (DataFiles) from dir
// when it is there and from the embedded defaults otherwise; dir may be nil.
// A broken file is an error naming it.
func LoadRules(dir fs.FS) (*Rules, error) {
	read := func(name string) ([]byte, error) {
		if dir != nil {
			b, err := fs.ReadFile(dir, name)
			if err == nil {
				return b, nil
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
		}
		return dataFS.ReadFile(name)
	}
	r := &Rules{}
	steps := []struct {
		name    string
		compile func(b []byte) error
	}{
		{"noise.txt", func(b []byte) (err error) { r.noise, err = compileNoise(b); return }},
		{"topics.json", func(b []byte) (err error) {
			r.topics, err = compileTopics(b)
			r.topicIdx = indexTopics(r.topics)
			return
		}},
		{"meetings.json", func(b []byte) (err error) { r.meetings, err = compileMeetings(b); return }},
		{"people.json", func(b []byte) (err error) { r.people, err = compilePeople(b); return }},
		{"synonyms.txt", func(b []byte) error { r.synonyms = parseSynonyms(b); return nil }},
		{"acronyms.txt", func(b []byte) (err error) { r.curated, err = parseCurated(b); return }},
	}
	h := sha256.New()
	fmt.Fprintf(h, "parser %d\n", ParserVersion)
	for _, s := range steps {
		b, err := read(s.name)
		if err != nil {
			return nil, fmt.Errorf("corpus: rules: %s: %w", s.name, err)
		}
		fmt.Fprintf(h, "%s %d\n", s.name, len(b))
		h.Write(b)
		if err := s.compile(b); err != nil {
			return nil, fmt.Errorf("corpus: rules: %s: %w", s.name, err)
		}
	}
	r.version = hex.EncodeToString(h.Sum(nil))
	return r, nil
}

// ParserVersion is the version of the parser's code: bump it when a change
// makes the same file parse differently, so that what was parsed before
// (the parse cache of the app) is parsed again.
const ParserVersion = 3

// Version identifies what these rules make of a file: ParserVersion and
// the bytes of every data file. Two Rules with the same Version parse a
// file to the same Record.
func (r *Rules) Version() string { return r.version }

// textLines returns the non-blank, non-comment (#) lines of a text data
// file, trimmed.
func textLines(b []byte) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	return out
}
