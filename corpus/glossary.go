package corpus

import (
	"fmt"
	"sort"
	"strings"
)

// parseSynonyms reads synonyms.txt: one group a line, " = " between terms.
func parseSynonyms(b []byte) [][]string {
	var out [][]string
	for _, line := range textLines(b) {
		var group []string
		for _, t := range strings.Split(line, " = ") {
			if t = strings.TrimSpace(t); t != "" {
				group = append(group, t)
			}
		}
		if len(group) > 1 {
			out = append(out, group)
		}
	}
	return out
}

// parseCurated reads acronyms.txt: "ACRONYM: expansion" lines.
func parseCurated(b []byte) (map[string]string, error) {
	out := map[string]string{}
	for _, line := range textLines(b) {
		acr, exp, ok := strings.Cut(line, ":")
		acr, exp = strings.TrimSpace(acr), strings.TrimSpace(exp)
		if !ok || acr == "" || exp == "" {
			return nil, fmt.Errorf("line %q is not ACRONYM: expansion", line)
		}
		out[acr] = exp
	}
	return out, nil
}

// Synonyms returns the curated synonym groups of the default rules
// (synonyms.txt): each group is a list of terms that mean the same ("DPRK",
// "North Korea", "Democratic People's Republic of Korea"), preferred form
// first. The caller may keep the result; it is a fresh copy.
func Synonyms() [][]string { return DefaultRules().Synonyms() }

// Synonyms returns the rules' curated synonym groups; see the package-level
// Synonyms.
//
// After the curated groups come one group per known person: the full
// spellings of their name (people.json aliases and the rule-made variants,
// without titles), so that a search by any spelling finds all of them.
func (r *Rules) Synonyms() [][]string {
	out := make([][]string, len(r.synonyms), len(r.synonyms)+len(r.people.People))
	for i, g := range r.synonyms {
		out[i] = append([]string(nil), g...)
	}
	return append(out, r.people.nameGroups()...)
}

// CuratedAcronyms returns the acronyms of the default rules (acronyms.txt),
// acronym -> expansion.
func CuratedAcronyms() map[string]string { return DefaultRules().CuratedAcronyms() }

// CuratedAcronyms returns the rules' curated acronyms.
func (r *Rules) CuratedAcronyms() map[string]string {
	out := make(map[string]string, len(r.curated))
	for k, v := range r.curated {
		out[k] = v
	}
	return out
}

// Acronyms returns every acronym known for recs: the curated ones of the
// default rules (acronyms.txt) merged with the definitions mined from the
// records' glossaries. The key is the acronym as written ("OPCON", "DoD");
// the value lists its distinct expansions (compared case-insensitively), the
// curated one first, then mined ones by how many records define them (ties
// in alphabetical order). The indexer uses it for synonym expansion.
func Acronyms(recs []*Record) map[string][]string { return DefaultRules().Acronyms(recs) }

// Acronyms is the package-level Acronyms with these rules' curated acronyms.
func (r *Rules) Acronyms(recs []*Record) map[string][]string {
	curated := r.curated
	counts := map[string]map[string]int{} // acronym -> lower(expansion) -> records
	spelled := map[string]string{}        // lower(expansion) -> first spelling seen
	for _, r := range recs {
		if r == nil {
			continue
		}
		for acr, exp := range r.Glossary {
			if acr == "" || exp == "" {
				continue
			}
			k := strings.ToLower(exp)
			if counts[acr] == nil {
				counts[acr] = map[string]int{}
			}
			counts[acr][k]++
			if _, ok := spelled[k]; !ok {
				spelled[k] = exp
			}
		}
	}
	out := map[string][]string{}
	for acr, exp := range curated {
		out[acr] = []string{exp}
	}
	for acr, m := range counts {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if m[keys[i]] != m[keys[j]] {
				return m[keys[i]] > m[keys[j]]
			}
			return keys[i] < keys[j]
		})
		for _, k := range keys {
			if !containsFold(out[acr], k) {
				out[acr] = append(out[acr], spelled[k])
			}
		}
	}
	return out
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
