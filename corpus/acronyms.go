package corpus

import (
	"strings"
	"unicode"
)

// mineAcronyms finds acronym definitions of the form "Long Form (LF)" in
// text with the Schwartz–Hearst algorithm (Schwartz & Hearst, "A simple
// algorithm for identifying abbreviation definitions in biomedical text",
// PSB 2003): the short form's characters are matched right to left against
// the words before the parenthesis, the first one at a word start, which
// picks "Operational Control" for OPCON out of "Conditions-based
// Operational Control (OPCON) Transition".
func mineAcronyms(sentences []string) map[string]string {
	out := map[string]string{}
	for _, s := range sentences {
		for i := 0; i < len(s); i++ {
			if s[i] != '(' {
				continue
			}
			j := strings.IndexByte(s[i:], ')')
			if j < 0 {
				break
			}
			sf := strings.TrimSpace(s[i+1 : i+j])
			if !validShortForm(sf) {
				continue
			}
			n := min(len(sf)+5, 2*len(sf))
			words := lastWords(s[:i], n)
			lf := bestLongForm(sf, strings.Join(words, " "))
			if lf == "" {
				continue
			}
			key := sf
			// plural short form: "UNSCRs" defines UNSCR
			if strings.HasSuffix(sf, "s") && len(sf) > 2 && unicode.IsUpper(rune(sf[len(sf)-2])) && strings.HasSuffix(lf, "s") {
				key, lf = sf[:len(sf)-1], lf[:len(lf)-1]
			}
			if _, seen := out[key]; !seen {
				out[key] = lf
			}
		}
	}
	return out
}

// validShortForm accepts one word of 2 to 10 characters that starts with a
// letter or digit, contains a letter and has at least two capitals.
func validShortForm(sf string) bool {
	if len(sf) < 2 || len(sf) > 10 || strings.ContainsAny(sf, " \t,;:\"'") {
		return false
	}
	r := rune(sf[0])
	if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
		return false
	}
	upper := 0
	for _, c := range sf {
		if c > unicode.MaxASCII {
			return false
		}
		if unicode.IsUpper(c) {
			upper++
		}
	}
	return upper >= 2
}

// bestLongForm is Schwartz–Hearst's findBestLongForm.
func bestLongForm(sf, lf string) string {
	s, l := len(sf)-1, len(lf)-1
	for ; s >= 0; s-- {
		c := unicode.ToLower(rune(sf[s]))
		if !isAlnum(c) {
			continue
		}
		for l >= 0 && (unicode.ToLower(rune(lf[l])) != c || (s == 0 && l > 0 && isAlnum(rune(lf[l-1])))) {
			l--
		}
		if l < 0 {
			return ""
		}
		l--
	}
	start := strings.LastIndexByte(lf[:l+1], ' ') + 1
	out := strings.TrimSpace(lf[start:])
	out = strings.Trim(out, ",;: ")
	if len(out) <= len(sf) || strings.Contains(out, sf) || strings.ContainsAny(out, "()") {
		return ""
	}
	// "participation in the Indo-Pacific Industrial Resilience Partnership"
	// for PIPIR: a lowercase lead-in before capitalised words is a sentence
	// fragment, not a name.
	words := strings.Fields(out)
	if first := rune(words[0][0]); unicode.IsLower(first) {
		for _, w := range words[1:] {
			if unicode.IsUpper(rune(w[0])) {
				return ""
			}
		}
	}
	return out
}

func isAlnum(r rune) bool { return r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) }

// lastWords returns the last n words of s, looking back no further than
// needed (a long sentence full of parentheses stays linear).
func lastWords(s string, n int) []string {
	end := len(s)
	start := end
	for count := 0; start > 0 && count <= n; {
		start--
		if s[start] == ' ' && start+1 < end && s[start+1] != ' ' {
			count++
		}
	}
	words := strings.Fields(s[start:])
	if len(words) > n {
		words = words[len(words)-n:]
	}
	return words
}
