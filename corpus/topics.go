package corpus

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
)

// Topic is one entry of the taxonomy in topics.json.
type Topic struct {
	ID    string   `json:"id"`    // what users type: topic:opcon
	Label string   `json:"label"` // for display: "OPCON transition"
	Terms []string `json:"terms"` // phrases that assign it
}

type topicRule struct {
	Topic
	terms []term
}

// term is a lowercased phrase matched at word boundaries; prefix terms
// ("technolog*") match any word ending.
type term struct {
	s      string
	prefix bool
}

// compileTopics reads topics.json.
func compileTopics(b []byte) ([]topicRule, error) {
	var file struct {
		Topics []Topic `json:"topics"`
	}
	if err := json.Unmarshal(b, &file); err != nil {
		return nil, err
	}
	var rules []topicRule
	seen := map[string]bool{}
	for _, t := range file.Topics {
		if t.ID == "" || seen[t.ID] {
			return nil, fmt.Errorf("topic %q: empty or duplicate id", t.ID)
		}
		seen[t.ID] = true
		r := topicRule{Topic: t}
		for _, x := range t.Terms {
			x = strings.ToLower(collapseSpace(x))
			prefix := strings.HasSuffix(x, "*")
			if x = strings.TrimSuffix(x, "*"); x != "" {
				r.terms = append(r.terms, term{x, prefix})
			}
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// termsRegexp compiles phrases into one case-insensitive, whole-word
// alternation; a trailing * matches any word ending ("technolog*").
func termsRegexp(terms []string) *rx {
	alts := make([]string, 0, len(terms))
	for _, t := range terms {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		prefix := strings.HasSuffix(t, "*")
		t = strings.TrimSuffix(t, "*")
		p := regexp.QuoteMeta(t)
		p = strings.ReplaceAll(p, " ", `\s+`)
		if prefix {
			p += `[\w-]*`
		}
		if isWordByte(t[len(t)-1]) {
			p += `\b`
		}
		if isWordByte(t[0]) {
			p = `\b` + p
		}
		alts = append(alts, p)
	}
	if len(alts) == 0 {
		return mustRx(`$^`)
	}
	return mustRx(`(?i)(?:` + strings.Join(alts, "|") + `)`)
}

func isWordByte(b byte) bool {
	return b == '_' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}

// Topics returns the taxonomy of the default rules in file order.
func Topics() []Topic { return DefaultRules().Topics() }

// Topics returns the taxonomy in file order.
func (r *Rules) Topics() []Topic {
	rules := r.topics
	out := make([]Topic, len(rules))
	for i, r := range rules {
		out[i] = Topic{ID: r.ID, Label: r.Label, Terms: append([]string(nil), r.Terms...)}
	}
	return out
}

// TopicLabel returns the display label of topic id in the default rules, or
// id itself when the taxonomy does not know it.
func TopicLabel(id string) string { return DefaultRules().TopicLabel(id) }

// TopicLabel returns the display label of topic id, or id itself when the
// taxonomy does not know it.
func (r *Rules) TopicLabel(id string) string {
	for _, t := range r.topics {
		if t.ID == id {
			return t.Label
		}
	}
	return id
}

// topicsOf returns the ids of the topics whose terms occur in text, in
// taxonomy order.
//
// Plain substring search with boundary checks, not one regular expression
// per topic: it is most of the parser's time otherwise.
func (r *Rules) topicsOf(text string) []string {
	lower, ok := lowerCollapsedASCII(text)
	if !ok {
		lower = strings.ToLower(collapseSpace(text))
	}
	found := make([]bool, len(r.topics))
	// terms that start with a word byte start at a word start: look them
	// up by their first byte at each word start (one pass over the text);
	// the others are searched for one by one
	ti := r.topicIdx
	for i := 0; i < len(lower); i++ {
		c := lower[i]
		if !isWordByte(c) || i > 0 && isWordByte(lower[i-1]) {
			continue
		}
		cands := ti.short[c]
		if i+1 < len(lower) {
			if c2 := lower[i+1]; ti.second[c][c2/64]&(1<<(c2%64)) != 0 {
				cands = ti.byTwo[[2]byte{c, c2}]
			}
		}
		for _, ref := range cands {
			if found[ref.topic] || !strings.HasPrefix(lower[i:], ref.t.s) {
				continue
			}
			end := i + len(ref.t.s)
			if ref.t.prefix || end == len(lower) || !isWordByte(ref.t.s[len(ref.t.s)-1]) || !isWordByte(lower[end]) {
				found[ref.topic] = true
			}
		}
	}
	for _, ref := range ti.other {
		if !found[ref.topic] && hasTerm(lower, ref.t) {
			found[ref.topic] = true
		}
	}
	out := []string{}
	for i, tr := range r.topics {
		if found[i] {
			out = append(out, tr.ID)
		}
	}
	return out
}

// lowerCollapsedASCII is strings.ToLower(collapseSpace(s)) in one pass
// and one allocation for a text of ASCII bytes only; ok is false for any
// other text (where spaces and case are Unicode's).
func lowerCollapsedASCII(s string) (string, bool) {
	var b strings.Builder
	b.Grow(len(s))
	space := false // a space is pending before the next word
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 0x80:
			return "", false
		case c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r':
			space = b.Len() > 0
			continue
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteByte(c)
	}
	return b.String(), true
}

// topicIndex holds the topic terms by their first byte, for topicsOf.
type topicIndex struct {
	// terms starting with a word byte, by their first two bytes (second
	// has the second bytes of each first byte: most words start no term
	// and are not looked up), and those of one byte
	byTwo  map[[2]byte][]topicTerm
	second [256][4]uint64
	short  [256][]topicTerm
	other  []topicTerm // terms starting with another byte
}

type topicTerm struct {
	topic int
	t     term
}

func indexTopics(rules []topicRule) *topicIndex {
	ti := &topicIndex{byTwo: map[[2]byte][]topicTerm{}}
	for i, tr := range rules {
		for _, t := range tr.terms {
			switch {
			case isWordByte(t.s[0]) && len(t.s) == 1:
				ti.short[t.s[0]] = append(ti.short[t.s[0]], topicTerm{i, t})
				for c2 := range 256 { // a one-byte term goes with any second byte too
					k := [2]byte{t.s[0], byte(c2)}
					ti.byTwo[k] = append(ti.byTwo[k], topicTerm{i, t})
					ti.second[t.s[0]][c2/64] |= 1 << (c2 % 64)
				}
			case isWordByte(t.s[0]):
				k := [2]byte{t.s[0], t.s[1]}
				ti.byTwo[k] = append(ti.byTwo[k], topicTerm{i, t})
				ti.second[t.s[0]][t.s[1]/64] |= 1 << (t.s[1] % 64)
			default:
				ti.other = append(ti.other, topicTerm{i, t})
			}
		}
	}
	return ti
}

func hasTerm(s string, t term) bool {
	for from := 0; from < len(s); {
		i := strings.Index(s[from:], t.s)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(t.s)
		okStart := i == 0 || !isWordByte(t.s[0]) || !isWordByte(s[i-1])
		okEnd := t.prefix || end == len(s) || !isWordByte(t.s[len(t.s)-1]) || !isWordByte(s[end])
		if okStart && okEnd {
			return true
		}
		from = i + 1
	}
	return false
}
