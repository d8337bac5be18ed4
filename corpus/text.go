package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// normalizeLines splits text into lines: CRLF and CR become LF, non-breaking
// and other odd spaces become plain spaces, zero-width characters go.
func normalizeLines(text string) []string {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	text = mapChars(text)
	lines := strings.Split(text, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return lines
}

// normalChar is what normalizeLines makes of a character: -1 drops it
// (zero-width characters, soft hyphens, controls), Unicode spaces other
// than the newline become a space.
func normalChar(r rune) rune {
	switch r {
	case '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD':
		return -1
	case '\t', '\f', '\v', '\u2028', '\u2029':
		return ' '
	}
	if r != '\n' && unicode.IsSpace(r) {
		return ' '
	}
	if unicode.IsControl(r) && r != '\n' {
		return -1
	}
	return r
}

// mapChars is strings.Map(normalChar, s) (invalid UTF-8 becoming U+FFFD
// as there), without a call per byte of ASCII text: printable ASCII and
// the newline stay, and s itself is returned when nothing changes.
func mapChars(s string) string {
	var b []byte // nil until something changes
	done := 0    // s[:done] is in b
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f || c == '\n' {
			i++
			continue
		}
		if c < 0x80 {
			if b == nil {
				b = make([]byte, 0, len(s))
			}
			b = append(b, s[done:i]...)
			if r := normalChar(rune(c)); r >= 0 {
				b = append(b, byte(r))
			}
			i++
			done = i
			continue
		}
		r, width := utf8.DecodeRuneInString(s[i:])
		m := normalChar(r)
		if m == r && (r != utf8.RuneError || width != 1) {
			i += width
			continue
		}
		if b == nil {
			b = make([]byte, 0, len(s))
		}
		b = append(b, s[done:i]...)
		if m >= 0 {
			b = utf8.AppendRune(b, m)
		}
		i += width
		done = i
	}
	if b == nil {
		return s
	}
	return string(append(b, s[done:]...))
}

// splitBlocks joins runs of non-blank lines into blocks, one per paragraph
// candidate, with whitespace collapsed.
func splitBlocks(lines []string) []string {
	var blocks []string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			if b := collapseSpace(strings.Join(cur, " ")); b != "" {
				blocks = append(blocks, b)
			}
			cur = nil
		}
	}
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			flush()
			continue
		}
		cur = append(cur, l)
	}
	flush()
	return blocks
}

// collapsed says whether s is ASCII with single spaces between words and
// none around them (what collapseSpace returns).
func collapsed(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x80, c == '\t', c == '\n', c == '\v', c == '\f', c == '\r':
			return false
		case c == ' ' && s[i+1] == ' ':
			return false
		}
	}
	return true
}

func collapseSpace(s string) string {
	// strings.Join(strings.Fields(s), " ") without the slice of fields,
	// and s itself when it is collapsed already
	if collapsed(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for f := range strings.FieldsSeq(s) {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(f)
	}
	return b.String()
}

var (
	numberedRe = mustRx(`^(\d{1,3})[.)]\s+(\S.*)$`)
	bulletRe   = mustRx(`^[•·▪◦‣*–-]\s+`)
)

// numbered is numberedRe.FindStringSubmatch(b) without the expression:
// the printed number of a paragraph and its text ("12. The Ministers ..."
// gives "12" and "The Ministers ..."). The expression ran over the whole
// paragraph (.*$: no line break to the end) on every numbered paragraph
// (TestNumberedIsTheExpressions).
func numbered(b string) (num, text string, ok bool) {
	n := 0
	for n < len(b) && n <= 3 && '0' <= b[n] && b[n] <= '9' {
		n++
	}
	if n == 0 || n > 3 || n == len(b) || b[n] != '.' && b[n] != ')' {
		return "", "", false
	}
	j := n + 1
	for j < len(b) && isRegexpSpace(b[j]) {
		j++
	}
	if j == n+1 || j == len(b) || strings.IndexByte(b[j:], '\n') >= 0 {
		return "", "", false
	}
	return b[:n], b[j:], true
}

func isNumbered(s string) bool {
	_, _, ok := numbered(s)
	return ok
}

// startsLower says whether a block begins with a lowercase letter: the rest
// of a paragraph that a page break split.
func startsLower(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r)
}

// isHeading says whether a block is a section heading: one short line, no
// sentence punctuation at its end, in capitals or title case.
func isHeading(s string) bool {
	if len(s) > 100 || startsLower(s) || isNumbered(s) || bulletRe.MatchString(s) {
		return false
	}
	if strings.ContainsAny(s[len(s)-1:], ".,;:!?)\"”'’") {
		return false
	}
	words := strings.Fields(s)
	if len(words) == 0 || len(words) > 10 {
		return false
	}
	letters, upper := 0, 0
	for _, r := range s {
		if unicode.IsLetter(r) {
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	if letters < 3 {
		return false
	}
	if upper == letters {
		return true
	}
	for _, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		if unicode.IsLetter(r) && !unicode.IsUpper(r) && !minorWord[strings.ToLower(w)] {
			return false
		}
	}
	return true
}

// minorWord are the words title case leaves in lowercase.
var minorWord = map[string]bool{
	"a": true, "an": true, "the": true, "and": true, "or": true, "of": true, "for": true, "in": true,
	"on": true, "to": true, "with": true, "at": true, "by": true, "from": true, "vs": true, "via": true,
}

// abbreviations end with a period that does not end a sentence.
var abbreviations = map[string]bool{
	"U.S": true, "U.N": true, "Dr": true, "Mr": true, "Ms": true, "Mrs": true, "Gen": true, "Brig": true,
	"Lt": true, "Col": true, "Maj": true, "Adm": true, "Capt": true, "Sgt": true, "Jr": true, "Sr": true,
	"St": true, "No": true, "Co": true, "Inc": true, "vs": true, "D.C": true, "Rep": true, "Sen": true,
	"Gov": true, "Amb": true, "Cmdr": true, "Lt. Gen": true, "Maj. Gen": true, "e.g": true, "i.e": true,
	"Jan": true, "Feb": true, "Mar": true, "Apr": true, "Jun": true, "Jul": true, "Aug": true, "Sep": true, "Sept": true,
	"Oct": true, "Nov": true, "Dec": true, "Hon": true, "Mt": true, "Ft": true,
}

// splitSentences splits a paragraph into sentences, keeping abbreviations
// ("U.S. Secretary", "Dr. Ely Ratner", "Lloyd J. Austin") together.
func splitSentences(p string) []string {
	var out []string
	start := 0
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c != '.' && c != '!' && c != '?' {
			continue
		}
		j := i + 1
		for j < len(p) && strings.ContainsRune("\"”’)]", rune(p[j])) {
			j++
		}
		if j >= len(p) || p[j] != ' ' {
			continue
		}
		k := j
		for k < len(p) && p[k] == ' ' {
			k++
		}
		if k >= len(p) {
			break
		}
		r, _ := utf8.DecodeRuneInString(p[k:])
		if !unicode.IsUpper(r) && !unicode.IsDigit(r) && !strings.ContainsRune("\"“‘'(", r) {
			continue
		}
		if c == '.' {
			w := lastWord(p[start:i])
			if abbreviations[w] || (len(w) == 1 && w[0] >= 'A' && w[0] <= 'Z') {
				continue
			}
		}
		out = append(out, strings.TrimSpace(p[start:j]))
		start = k
		i = k - 1
	}
	if s := strings.TrimSpace(p[start:]); s != "" {
		out = append(out, s)
	}
	return out
}

func lastWord(s string) string {
	if len(s) > 40 {
		s = s[len(s)-40:]
	}
	i := strings.LastIndexAny(s, " (\"“")
	return s[i+1:]
}
