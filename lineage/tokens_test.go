package lineage

import (
	"strings"
	"testing"
	"unicode"
)

// TestTokens: the tokens of a text give the text back, words are keyed by
// their lower case (ASCII or not), punctuation by its folded form, and
// white space (ASCII or not) is never compared.
func TestTokens(t *testing.T) {
	for _, tc := range []struct {
		text string
		keys string
	}{
		{"The 55th SCM, held in Seoul.", "the 55th scm , held in seoul ."},
		{"  Minister  Shin\u00a0Won-sik\tsaid “yes” — twice\n", "minister shin won - sik said \" yes \" - twice"},
		{"İSTANBUL Ünification ÉTAT", "istanbul ünification état"},
		{"", ""},
	} {
		ts := Tokens(tc.text)
		var b strings.Builder
		var keys []string
		for _, tok := range ts {
			b.WriteString(tok.Text)
			if tok.key != "" {
				keys = append(keys, tok.key)
			}
			if tok.word != (tok.key != "" && unicode.IsLetter([]rune(tok.Text)[0]) || unicode.IsDigit([]rune(tok.Text)[0])) {
				t.Errorf("%q: token %q word=%v", tc.text, tok.Text, tok.word)
			}
		}
		if b.String() != tc.text {
			t.Errorf("tokens of %q join to %q", tc.text, b.String())
		}
		if got := strings.Join(keys, " "); got != tc.keys {
			t.Errorf("keys of %q: %q, want %q", tc.text, got, tc.keys)
		}
	}
}
