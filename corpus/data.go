package corpus

import (
	"bufio"
	"embed"
	"encoding/json"
	"fmt"
	"strings"
)

// dataFS holds the parser's rules. Adding a person, a topic, a noise pattern
// or a meeting ordinal is an edit to one of these files, not to code.
//
//go:embed people.json topics.json meetings.json noise.txt synonyms.txt acronyms.txt
var dataFS embed.FS

// mustJSON decodes an embedded JSON data file; a broken data file is a build
// defect, caught by every test run, so it panics.
func mustJSON(name string, v any) {
	b, err := dataFS.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("corpus: data file %s: %v", name, err))
	}
	if err := json.Unmarshal(b, v); err != nil {
		panic(fmt.Sprintf("corpus: data file %s: %v", name, err))
	}
}

// dataLines returns the non-blank, non-comment lines of an embedded text
// data file, trimmed.
func dataLines(name string) []string {
	b, err := dataFS.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("corpus: data file %s: %v", name, err))
	}
	var out []string
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, line)
	}
	return out
}
