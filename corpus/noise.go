package corpus

import (
	"fmt"
	"strings"
)

// noiseRules are the compiled patterns of noise.txt.
type noiseRules struct {
	line, tail, seam, title []*rx
	field                   []noiseField
}

// noiseField is a board metadata line ("Writer ...", "작성일 2024.06.02").
type noiseField struct {
	name string
	re   *rx
}

// compileNoise reads noise.txt.
func compileNoise(b []byte) (noiseRules, error) {
	var n noiseRules
	for _, l := range textLines(b) {
		kind, pat, ok := strings.Cut(l, ":")
		if !ok {
			return n, fmt.Errorf("line %q has no KIND:", l)
		}
		fieldName := ""
		if strings.TrimSpace(kind) == "field" {
			n, p, ok := strings.Cut(pat, "=")
			if !ok {
				return noiseRules{}, fmt.Errorf("line %q: a field is \"field: NAME = REGEXP\"", l)
			}
			fieldName, pat = strings.TrimSpace(n), p
		}
		re, err := compileRx(strings.TrimSpace(pat))
		if err != nil {
			return n, fmt.Errorf("line %q: %v", l, err)
		}
		switch strings.TrimSpace(kind) {
		case "line":
			n.line = append(n.line, re)
		case "tail":
			n.tail = append(n.tail, re)
		case "seam":
			n.seam = append(n.seam, re)
		case "title":
			n.title = append(n.title, re)
		case "field":
			n.field = append(n.field, noiseField{fieldName, re})
		default:
			return n, fmt.Errorf("line %q: unknown kind %q (line, tail, seam, title or field)", l, kind)
		}
	}
	return n, nil
}

// removeNoise drops noise lines, cuts glued noise at the seam, and stops at
// a tail marker. It returns the kept lines (blank lines kept, as block
// separators) and the dropped label lines (evidence of a record's kind:
// "Press Release").
func (r *Rules) removeNoise(lines []string) (kept, dropped []string) {
	n := &r.noise
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
func cutSeam(line string, seams []*rx) string {
	var buf [lowerBuf]byte
	lower, special := lowerShort(buf[:0], line)
	for _, re := range seams {
		if !re.mayMatchPre(line, lower, special) {
			continue
		}
		for _, loc := range re.Regexp.FindAllStringIndex(line, -1) {
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

func matchAny(res []*rx, s string) bool {
	var buf [lowerBuf]byte
	var lower []byte
	special, lowered := false, false
	for _, re := range res {
		if re.need != nil && !lowered {
			// one lowering for every expression that reads it (an
			// anchored one has no words to look for: most noise lines)
			lower, special = lowerShort(buf[:0], s)
			lowered = true
		}
		if re.mayMatchPre(s, lower, special) && re.Regexp.MatchString(s) {
			return true
		}
	}
	return false
}

// cleanTitle removes site names appended to a title.
func (r *Rules) cleanTitle(t string) string {
	t = collapseSpace(t)
	for _, re := range r.noise.title {
		if c := strings.TrimSpace(re.ReplaceAllString(t, "")); c != "" {
			t = c
		}
	}
	return t
}
