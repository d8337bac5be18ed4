package corpus

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// noiseRules are the compiled patterns of noise.txt.
type noiseRules struct {
	line, tail, seam, title []*regexp.Regexp
}

var (
	noiseOnce sync.Once
	noise     noiseRules
)

func loadNoise() *noiseRules {
	noiseOnce.Do(func() {
		for _, l := range dataLines("noise.txt") {
			kind, pat, ok := strings.Cut(l, ":")
			if !ok {
				panic(fmt.Sprintf("corpus: noise.txt: line %q has no KIND:", l))
			}
			re := regexp.MustCompile(strings.TrimSpace(pat))
			switch strings.TrimSpace(kind) {
			case "line":
				noise.line = append(noise.line, re)
			case "tail":
				noise.tail = append(noise.tail, re)
			case "seam":
				noise.seam = append(noise.seam, re)
			case "title":
				noise.title = append(noise.title, re)
			default:
				panic(fmt.Sprintf("corpus: noise.txt: unknown kind %q", kind))
			}
		}
	})
	return &noise
}

// removeNoise drops noise lines, cuts glued noise at the seam, and stops at
// a tail marker. It returns the kept lines (blank lines kept, as block
// separators) and the dropped label lines (evidence of a record's kind:
// "Press Release").
func removeNoise(lines []string) (kept, dropped []string) {
	n := loadNoise()
	for _, raw := range lines {
		line := cutSeam(raw, n.seam)
		t := strings.TrimSpace(line)
		if t == "" {
			if strings.TrimSpace(raw) != "" {
				dropped = append(dropped, strings.TrimSpace(raw))
			}
			kept = append(kept, "")
			continue
		}
		if matchAny(n.tail, t) {
			dropped = append(dropped, t)
			break
		}
		if matchAny(n.line, t) {
			dropped = append(dropped, t)
			kept = append(kept, "")
			continue
		}
		kept = append(kept, line)
	}
	return kept, dropped
}

// cutSeam cuts line where glued noise starts: at the line start, or right
// after the end of a sentence ("...sacrifice.Hosted by ..."). A match in the
// middle of a sentence is text, not noise.
func cutSeam(line string, seams []*regexp.Regexp) string {
	for _, re := range seams {
		for _, loc := range re.FindAllStringIndex(line, -1) {
			before := strings.TrimRight(line[:loc[0]], " \t")
			if before == "" {
				return ""
			}
			if strings.ContainsAny(before[len(before)-1:], ".!?\"”’)]") {
				return before
			}
		}
	}
	return line
}

func matchAny(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// cleanTitle removes site names appended to a title.
func cleanTitle(t string) string {
	t = collapseSpace(t)
	for _, re := range loadNoise().title {
		if c := strings.TrimSpace(re.ReplaceAllString(t, "")); c != "" {
			t = c
		}
	}
	return t
}
