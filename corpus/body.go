package corpus

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// block is a run of non-blank lines: a paragraph of text, or in a page's
// header and footer often several elements (a label, a headline, a date)
// that the saved text put on consecutive lines.
type block struct {
	text  string
	lines []string
}

// splitBlocks joins runs of non-blank lines into blocks. A line that is
// nothing but a date or a board field ("Date 2024-10-31", "Writer ...") is
// a block of its own.
func (r *Rules) splitBlocks(lines []string) []block {
	var blocks []block
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			if b := collapseSpace(strings.Join(cur, " ")); b != "" {
				blocks = append(blocks, block{text: b, lines: cur})
			}
			cur = nil
		}
	}
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" {
			flush()
			continue
		}
		if _, ok := datelineOf(t); ok || r.boardField(t) != "" {
			flush()
			cur = []string{t}
			flush()
			continue
		}
		cur = append(cur, t)
	}
	flush()
	return blocks
}

// boardField returns the label of a board metadata line ("Title", "작성일",
// "Writer"), "" when the line is not one.
func (r *Rules) boardField(line string) string {
	for _, f := range r.noise.field {
		if m := f.re.FindStringSubmatchIndex(line); m != nil {
			return f.name
		}
	}
	return ""
}

// endsSentence says whether s ends like a sentence: ".", "!" or "?",
// perhaps inside closing quotes or brackets, perhaps followed by a
// parenthesised word ("... statement. (END)").
func endsSentence(s string) bool {
	s = strings.TrimRight(s, " ")
	if strings.HasSuffix(s, ")") {
		if i := strings.LastIndexByte(s, '('); i > 0 && !strings.ContainsAny(s[i:], " .") {
			if t := strings.TrimRight(s[:i], " "); t != s[:i] {
				s = t
			}
		}
	}
	s = strings.TrimRight(s, "\"”’')]")
	return s != "" && strings.ContainsRune(".!?", rune(s[len(s)-1]))
}

// sentenceLike says whether a block is running text: words mostly in
// lowercase, ending like a sentence (or long enough to be a bullet of
// one), not a snippet cut with an ellipsis.
func sentenceLike(b string) bool {
	if strings.HasSuffix(b, "...") || strings.HasSuffix(b, "…") || strings.HasPrefix(b, "...") || strings.HasPrefix(b, "…") {
		return false
	}
	words, lower := 0, 0 // the words counted, not held
	for w := range strings.FieldsSeq(b) {
		words++
		if c := w[0]; c < 0x80 {
			if 'a' <= c && c <= 'z' {
				lower++
			}
			continue
		}
		r, _ := utf8.DecodeRuneInString(w)
		if unicode.IsLower(r) || unicode.IsLetter(r) && !unicode.IsUpper(r) {
			lower++ // Hangul and kana have no case: they count as running text
		}
	}
	if words < 5 && (words < 2 || !hasHangul(b)) {
		return false // Korean words are long: four make a sentence
	}
	if lower*6 < words {
		return false
	}
	if endsSentence(b) {
		return true
	}
	// Korean running text ends its sentences ("...하였다."); Korean without
	// one is a board's list or menu (번호 제목 작성자 작성일 rows)
	return words >= 20 && lower*2 >= words && !mostlyHangul(b)
}

// mostlyHangul says whether most letters of s are Hangul.
func mostlyHangul(s string) bool {
	h, n := 0, 0
	for _, c := range s {
		if unicode.IsLetter(c) {
			n++
			if unicode.Is(unicode.Hangul, c) {
				h++
			}
		}
	}
	return n > 0 && h*2 > n
}

// shortSentence is a short block that still reads as a sentence ("The
// Minister noted progress.", "Closing words."): it belongs to a body it
// adjoins but does not start one.
func shortSentence(b string) bool {
	ws := strings.Fields(b)
	if len(ws) < 2 || !endsSentence(b) || strings.HasSuffix(b, "...") {
		return false
	}
	for _, w := range ws[1:] {
		if r, _ := utf8.DecodeRuneInString(w); unicode.IsLower(r) {
			return true
		}
	}
	return false
}

// findBody finds the record's body: the run of sentence-like blocks with the
// most text, where runs may hold short non-sentence blocks (section
// headings, bullets) but are broken by longer stretches of them (menus,
// link lists, footers). It returns the body's first and last block, or
// -1, -1 when there is no sentence-like block.
func findBody(blocks []block) (start, end int) {
	sent := make([]bool, len(blocks))
	weak := make([]bool, len(blocks))
	for i, b := range blocks {
		sent[i] = sentenceLike(b.text)
		weak[i] = sent[i] || shortSentence(b.text)
	}
	best, bestLen := [2]int{-1, -1}, 0
	i := 0
	for i < len(blocks) {
		if !sent[i] {
			i++
			continue
		}
		s, e, size, gap := i, i, 0, 0
		for j := i; j < len(blocks); j++ {
			if weak[j] {
				e = j
				size += len(blocks[j].text)
				gap = 0
				continue
			}
			gap++
			// headings and bullets inside a body are short and few in a row
			if gap > 3 || len(blocks[j].text) > 200 && !isHeading(blocks[j].text) && !bulletRe.MatchString(blocks[j].text) {
				break
			}
		}
		if size > bestLen {
			best, bestLen = [2]int{s, e}, size
		}
		i = e + 1
	}
	if best[0] < 0 {
		// a text of short sentences only ("The talks went well.")
		for i := range blocks {
			if weak[i] {
				if best[0] < 0 {
					best[0] = i
				}
				best[1] = i
			}
		}
	}
	return best[0], best[1]
}

// headLines splits the lines of a header block into the elements they are:
// a saved page puts a label, a headline and a date on consecutive lines.
func headLines(b block) []string {
	if len(b.lines) <= 1 {
		return []string{b.text}
	}
	out := []string{}
	cur := ""
	for _, l := range b.lines {
		l = collapseSpace(l)
		if cur != "" && joinsNext(cur, l) {
			cur += " " + l
			continue
		}
		if cur != "" {
			out = append(out, cur)
		}
		cur = l
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}

// joinsNext says whether line next continues line cur (a hard-wrapped
// sentence, an ordinal split from its suffix, a date split from its year).
func joinsNext(cur, next string) bool {
	if startsLower(next) {
		return true // "The 49" / "th ROK-U.S. ...", a wrapped sentence
	}
	if dateOnly(next) && !strings.HasSuffix(cur, ",") {
		return false // a headline, then its date line
	}
	last := cur[len(cur)-1]
	if last == ',' || last == '-' || last == '(' {
		return !dateOnly(cur)
	}
	return false
}

func dateOnly(s string) bool {
	_, ok := datelineOf(s)
	return ok
}

// splitHeadFromBody splits lines off the start of the first body block that
// are headline, label or date elements glued to the first paragraph (no
// blank line between them in the saved text).
func splitHeadFromBody(b block) (head []string, rest block) {
	lines := b.lines
	for len(lines) > 1 {
		l := collapseSpace(lines[0])
		if l == "" || joinsNext(l, collapseSpace(lines[1])) || endsSentence(l) || len(strings.Fields(l)) > 25 ||
			paragraphNumbered(l) {
			break
		}
		head = append(head, l)
		lines = lines[1:]
	}
	if len(head) == 0 {
		return nil, b
	}
	return head, block{text: collapseSpace(strings.Join(lines, " ")), lines: lines}
}

// paragraphNumbered says whether l starts a numbered or bulleted paragraph
// ("1. The 48th ...", "(2) The ...", "□ ..."): the paragraph's first line,
// never a headline glued to it, however it is wrapped.
func paragraphNumbered(l string) bool {
	for _, b := range []string{"□ ", "■ ", "○ ", "● ", "• ", "▪ ", "- "} {
		if strings.HasPrefix(l, b) {
			return true
		}
	}
	l = strings.TrimPrefix(l, "(")
	i := 0
	for i < len(l) && i < 3 && l[i] >= '0' && l[i] <= '9' {
		i++
	}
	return i > 0 && i < 3 && i+1 < len(l) && (l[i] == '.' || l[i] == ')') && l[i+1] == ' '
}

// labelWords are the words of section labels and kind labels ("Joint media
// release", "Media Note", "Release content"): a line of only these is a
// label, not a headline.
var labelWords = map[string]bool{
	"joint": true, "media": true, "press": true, "release": true, "releases": true, "statement": true, "statements": true,
	"note": true, "readout": true, "news": true, "content": true, "details": true, "type": true, "and": true,
	"briefing": true, "room": true, "immediate": true, "for": true, "the": true, "office": true, "of": true, "spokesperson": true,
	"transcript": true, "transcripts": true, "speech": true, "speeches": true, "stories": true, "story": true, "article": true,
	"home": true, "zone": true, "recent": true, "related": true, "ministers": true, "contacts": true, "contact": true, "topics": true,
	"fact": true, "sheet": true, "sheets": true, "communique": true, "communiqué": true, "remarks": true, "public": true, "affairs": true,
}

// isLabel says whether a line is a site or kind label rather than a headline.
func isLabel(l string) bool {
	ws := strings.Fields(strings.ToLower(strings.Trim(l, " :|>")))
	if len(ws) == 0 {
		return true
	}
	for _, w := range ws {
		if !labelWords[strings.Trim(w, ":|>,")] {
			return false
		}
	}
	return true
}

// headlineScore rates a header line as the record's headline: 0 is not a
// headline; higher when it names a statement, meeting, release or readout.
func (r *Rules) headlineScore(l string) int {
	if isLabel(l) || dateOnly(l) || r.boardField(l) != "" || strings.HasSuffix(l, ":") {
		return 0
	}
	ws := strings.Fields(l)
	if len(ws) < 3 && !hasHangul(l) && (len(ws) < 2 || len(r.findMeetings(l)) == 0) || len(ws) > 40 || len(l) > 300 {
		return 0
	}
	if strings.Contains(l, "http") || strings.Contains(l, "@") || strings.Contains(l, " > ") || strings.Contains(l, " : ") {
		return 0
	}
	letters, latin, upper := 0, 0, 0
	for _, c := range l {
		if unicode.IsLetter(c) {
			letters++
			if c < 0x250 {
				latin++
			}
			if unicode.IsUpper(c) {
				upper++
			}
		}
	}
	if letters == 0 {
		return 0
	}
	score := 1
	if latin*2 >= letters {
		score++ // Korean or Japanese UI text beside an English record loses
	}
	if r.meetings.headlineRe.MatchString(l) {
		score += 2
	}
	if len(r.findMeetings(l)) > 0 {
		score += 2
	}
	return score
}
