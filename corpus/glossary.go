package corpus

import (
	"sort"
	"strings"
	"sync"
)

var (
	synonymsOnce sync.Once
	synonyms     [][]string
	curatedOnce  sync.Once
	curated      map[string]string
	curatedOrder []string
)

// Synonyms returns the curated synonym groups of synonyms.txt: each group is
// a list of terms that mean the same ("DPRK", "North Korea", "Democratic
// People's Republic of Korea"), preferred form first. The caller may keep
// the result; it is a fresh copy.
func Synonyms() [][]string {
	synonymsOnce.Do(func() {
		for _, line := range dataLines("synonyms.txt") {
			var group []string
			for _, t := range strings.Split(line, " = ") {
				if t = strings.TrimSpace(t); t != "" {
					group = append(group, t)
				}
			}
			if len(group) > 1 {
				synonyms = append(synonyms, group)
			}
		}
	})
	out := make([][]string, len(synonyms))
	for i, g := range synonyms {
		out[i] = append([]string(nil), g...)
	}
	return out
}

func loadCurated() {
	curatedOnce.Do(func() {
		curated = map[string]string{}
		for _, line := range dataLines("acronyms.txt") {
			acr, exp, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			acr, exp = strings.TrimSpace(acr), strings.TrimSpace(exp)
			if acr == "" || exp == "" {
				continue
			}
			if _, dup := curated[acr]; !dup {
				curatedOrder = append(curatedOrder, acr)
			}
			curated[acr] = exp
		}
	})
}

// CuratedAcronyms returns the acronyms of acronyms.txt, acronym -> expansion.
func CuratedAcronyms() map[string]string {
	loadCurated()
	out := make(map[string]string, len(curated))
	for k, v := range curated {
		out[k] = v
	}
	return out
}

// Acronyms returns every acronym known for recs: the curated ones of
// acronyms.txt merged with the definitions mined from the records'
// glossaries. The key is the acronym as written ("OPCON", "DoD"); the value
// lists its distinct expansions (compared case-insensitively), the curated
// one first, then mined ones by how many records define them (ties in
// alphabetical order). The indexer uses it for synonym expansion.
func Acronyms(recs []*Record) map[string][]string {
	loadCurated()
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
