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
func termsRegexp(terms []string) *regexp.Regexp {
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
		return regexp.MustCompile(`$^`)
	}
	return regexp.MustCompile(`(?i)(?:` + strings.Join(alts, "|") + `)`)
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
	lower := strings.ToLower(collapseSpace(text))
	out := []string{}
	for _, tr := range r.topics {
		for _, t := range tr.terms {
			if hasTerm(lower, t) {
				out = append(out, tr.ID)
				break
			}
		}
	}
	return out
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
