package lineage

import (
	_ "embed"
	"encoding/json"
	"strings"
	"unicode"
	"unicode/utf8"

	"dialoguesearch/corpus"
)

//go:embed normalise.json
var normaliseJSON []byte

type normaliseData struct {
	Titles   []string `json:"titles"`
	Articles []string `json:"articles"`
	Months   []string `json:"months"`
	Stop     []string `json:"stop"`
}

var titles, articles, months, stop = func() (t, a, m, s map[string]bool) {
	var d normaliseData
	if err := json.Unmarshal(normaliseJSON, &d); err != nil {
		panic("lineage: normalise.json: " + err.Error()) // embedded: a build defect
	}
	set := func(l []string) map[string]bool {
		out := make(map[string]bool, len(l))
		for _, w := range l {
			out[w] = true
		}
		return out
	}
	return set(d.Titles), set(d.Articles), set(d.Months), set(d.Stop)
}()

// Token is one piece of a paragraph's text: a word or one punctuation
// character, with the white space that follows it. The texts of a
// paragraph's tokens, joined, are the paragraph.
type Token struct {
	Text string
	// key is what the token is compared by: the lower-case word, a class
	// for what changes every year ("#ord" for "55th"), or "" for what is
	// not compared at all (office holders' names, the article before a
	// title).
	key  string
	word bool
}

// Tokens splits text into tokens; the same text always gives the same
// tokens, so an edit script stored at index time applies at read time.
func Tokens(text string) []Token { return split(text, true) }

// split is Tokens; without keys, it only cuts the text (what Render needs).
func split(text string, keys bool) []Token {
	out := make([]Token, 0, len(text)/6+1)
	// the keys of an ASCII text are pieces of its lower-case copy (one
	// allocation, not one per capitalised word)
	lower := ""
	if keys && isASCII(text) {
		lower = strings.ToLower(text)
	}
	i := 0
	for i < len(text) {
		start := i
		r, n := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(text[i:])
		}
		if isSpace(r) {
			// leading white space: its own token, never compared
			i = skipSpace(text, i)
			out = append(out, Token{Text: text[start:i]})
			continue
		}
		word := isWordRune(r)
		i += n
		if word {
			for i < len(text) {
				r, n := rune(text[i]), 1
				if r >= utf8.RuneSelf {
					r, n = utf8.DecodeRuneInString(text[i:])
				}
				if !isWordRune(r) {
					break
				}
				i += n
			}
		}
		end := i
		i = skipSpace(text, i)
		t := Token{Text: text[start:i], word: word}
		switch {
		case !keys:
		case !word:
			t.key = punctKey(text[start:end])
		case lower != "":
			t.key = lower[start:end]
		default:
			t.key = strings.ToLower(text[start:end])
		}
		out = append(out, t)
	}
	return out
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func skipSpace(text string, i int) int {
	for i < len(text) {
		r, n := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, n = utf8.DecodeRuneInString(text[i:])
		}
		if !isSpace(r) {
			break
		}
		i += n
	}
	return i
}

func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || r >= '\t' && r <= '\r'
	}
	return unicode.IsSpace(r)
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// punctKey folds typographic variants: curly quotes, dashes.
func punctKey(s string) string {
	switch s {
	case "“", "”", "„", "«", "»":
		return `"`
	case "‘", "’", "`", "´":
		return "'"
	case "–", "—", "‒", "―":
		return "-"
	}
	return s
}

// Word returns the token's text without its trailing white space.
func (t Token) Word() string { return strings.TrimRightFunc(t.Text, unicode.IsSpace) }

// names is the set of name words of the office holders two editions name:
// "Austin", "Lloyd", "Shin", "Won", "sik" ...
type names map[string]bool

// namesOf collects the name words of the records' principals and of the
// paragraphs' speakers.
func namesOf(recs ...*corpus.Record) names {
	n := names{}
	add := func(name string) {
		for _, t := range Tokens(name) {
			if t.word && len(t.key) > 1 && !titles[t.key] && !articles[t.key] {
				n[t.key] = true
			}
		}
	}
	for _, r := range recs {
		if r == nil {
			continue
		}
		for _, p := range r.Principals {
			add(p.Name)
		}
		for _, p := range r.Paragraphs {
			for _, s := range p.Speakers {
				add(s)
			}
		}
	}
	return n
}

// normalise sets the comparison keys of what changes every year and means
// nothing: ordinals ("55th" -> #ord), years (#year), month names and the
// day after them, office holders' names (not compared), and an article
// before a title ("the Secretary" = "Secretary Austin").
func normalise(ts []Token, nm names) {
	afterTitle := false // inside the capitalised words after a title
	hyphen := false     // just after a hyphen inside a name: "Won-sik"
	for i := range ts {
		t := &ts[i]
		if !t.word {
			if afterTitle && (t.key == "." || t.key == "-") {
				hyphen = t.key == "-"
				t.key = ""
				continue
			}
			if t.key != "" {
				afterTitle = false
			}
			continue
		}
		capital := startsUpper(t.Text) || hyphen && afterTitle
		hyphen = false
		switch {
		case isOrdinal(t.key):
			t.key = "#ord"
		case isYear(t.key):
			t.key = "#year"
		case capital && months[t.key]:
			t.key = "#month"
			if j := nextWord(ts, i); j > 0 && isDay(ts[j].key) {
				ts[j].key = "#day"
			}
		case capital && titles[t.key]:
			afterTitle = true
			if j := prevWord(ts, i); j >= 0 && articles[ts[j].key] {
				ts[j].key = ""
			}
			continue
		case capital && (afterTitle || nm[t.key]):
			t.key = ""
			afterTitle = true
			continue
		}
		afterTitle = false
	}
}

func nextWord(ts []Token, i int) int {
	for j := i + 1; j < len(ts) && j < i+4; j++ {
		if ts[j].word {
			return j
		}
	}
	return -1
}

func prevWord(ts []Token, i int) int {
	for j := i - 1; j >= 0 && j > i-3; j-- {
		if ts[j].word {
			return j
		}
		if ts[j].key != "" {
			return -1
		}
	}
	return -1
}

func startsUpper(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r)
}

func isOrdinal(k string) bool {
	n := 0
	for n < len(k) && k[n] >= '0' && k[n] <= '9' {
		n++
	}
	if n == 0 || n > 4 {
		return false
	}
	switch k[n:] {
	case "st", "nd", "rd", "th":
		return true
	}
	return false
}

func isYear(k string) bool {
	return len(k) == 4 && (k[:2] == "19" || k[:2] == "20") && isDigits(k[2:])
}

func isDay(k string) bool {
	return len(k) <= 2 && isDigits(k) && k != "0"
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
