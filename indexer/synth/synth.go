// Package synth generates a deterministic synthetic corpus from the
// vocabulary and metadata of the real records, for benchmarks: the same
// (n, seed) gives the same records on every machine.
package synth

import (
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"unicode"

	"dialoguesearch/corpus"
)

// Paragraph lengths, in words.
const (
	MinWords = 40
	MaxWords = 120
)

// vocabulary is what the generator learns from the real records.
type vocabulary struct {
	words     []string   // surface forms, most frequent first
	runs      [][]string // sentences of the real text, to copy phrases from
	speakers  []corpus.Person
	topics    []string
	locations []string
	glossary  map[string]string
	sections  []string
}

func learn() *vocabulary {
	recs, _ := corpus.Load(corpus.Default())
	v := &vocabulary{glossary: map[string]string{}}
	count := map[string]int{}
	surface := map[string]string{}
	people := map[string]corpus.Person{}
	locs := map[string]bool{}
	secs := map[string]bool{}
	for _, r := range recs {
		for _, p := range r.Principals {
			people[p.Name] = p
		}
		if r.Location != "" {
			locs[r.Location] = true
		}
		for k, e := range r.Glossary {
			v.glossary[k] = e
		}
		for _, p := range r.Paragraphs {
			if p.Section != "" {
				secs[p.Section] = true
			}
			for _, s := range strings.Split(p.Text, ". ") {
				ws := strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) })
				if len(ws) >= 3 {
					v.runs = append(v.runs, ws)
				}
				for _, w := range ws {
					w = strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
					if w == "" {
						continue
					}
					k := strings.ToLower(w)
					count[k]++
					if _, ok := surface[k]; !ok {
						surface[k] = w
					}
				}
			}
		}
	}
	for k := range count {
		v.words = append(v.words, k)
	}
	sort.Slice(v.words, func(i, j int) bool {
		if count[v.words[i]] != count[v.words[j]] {
			return count[v.words[i]] > count[v.words[j]]
		}
		return v.words[i] < v.words[j]
	})
	for i, k := range v.words {
		v.words[i] = surface[k]
	}
	names := make([]string, 0, len(people))
	for n := range people {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		v.speakers = append(v.speakers, people[n])
	}
	for _, t := range corpus.Topics() {
		v.topics = append(v.topics, t.ID)
	}
	for l := range locs {
		v.locations = append(v.locations, l)
	}
	sort.Strings(v.locations)
	for s := range secs {
		v.sections = append(v.sections, s)
	}
	sort.Strings(v.sections)
	if len(v.locations) == 0 {
		v.locations = []string{"Seoul", "Washington, D.C."}
	}
	return v
}

// series are the meeting series records are spread over, with their kinds.
var series = []struct{ name, kind, short string }{
	{"SCM", corpus.KindJointCommunique, "communique"},
	{"KIDD", corpus.KindJointPressStatement, "statement"},
	{"MCM", corpus.KindJointPressStatement, "statement"},
	{"NCG", corpus.KindFactSheet, "fact-sheet"},
	{"Defense Ministerial Meeting", corpus.KindPressRelease, "release"},
}

// Generate returns records holding n paragraphs in all (20 to 60 per
// record): words drawn from the real records' vocabulary with a Zipf
// distribution, a third of each paragraph copied as runs of real text so
// phrases occur, 40 to 120 words per paragraph, and metadata (series,
// meeting, year 2000-2025, location, speakers, sides, topics, glossary)
// spread over the real values. The same n and seed give the same records.
func Generate(n int, seed int64) []*corpus.Record {
	v := learn()
	rng := rand.New(rand.NewSource(seed))
	zipf := rand.NewZipf(rng, 1.07, 2, uint64(len(v.words)-1))
	var recs []*corpus.Record
	number := map[string]int{}
	for made := 0; made < n; {
		s := series[rng.Intn(len(series))]
		number[s.name]++
		year := 2000 + rng.Intn(26)
		date := corpus.Date(fmt.Sprintf("%04d-%02d-%02d", year, 1+rng.Intn(12), 1+rng.Intn(28)))
		num := number[s.name]
		name := fmt.Sprintf("%s %s", ordinal(num), s.name)
		if s.name == "Defense Ministerial Meeting" {
			num, name = 0, s.name
		}
		id := fmt.Sprintf("synth-%s-%d-%s-%s", strings.ToLower(strings.ReplaceAll(s.name, " ", "-")), number[s.name], date, s.short)
		r := &corpus.Record{
			ID: id, Source: "synth/" + id + ".txt", Title: "Synthetic " + s.kind + " of the " + name,
			Kind: s.kind, Date: date, Meeting: corpus.Meeting{Series: s.name, Number: num, Name: name},
			Location: v.locations[rng.Intn(len(v.locations))], Glossary: map[string]string{},
		}
		// Two to four principals, one side each at least.
		k := 2 + rng.Intn(3)
		for _, i := range rng.Perm(len(v.speakers))[:min(k, len(v.speakers))] {
			r.Principals = append(r.Principals, v.speakers[i])
		}
		acr := sortedKeys(v.glossary)
		for _, i := range rng.Perm(len(acr))[:min(3, len(acr))] {
			r.Glossary[acr[i]] = v.glossary[acr[i]]
		}
		paras := 20 + rng.Intn(41)
		if paras > n-made {
			paras = n - made
		}
		for i := 1; i <= paras; i++ {
			p := corpus.Paragraph{N: i, Number: fmt.Sprint(i), Text: v.paragraph(rng, zipf)}
			if len(v.sections) > 0 && rng.Intn(3) == 0 {
				p.Section = v.sections[rng.Intn(len(v.sections))]
			}
			for _, sp := range r.Principals {
				if rng.Intn(3) == 0 {
					p.Speakers = append(p.Speakers, sp.Name)
					if !contains(p.Sides, sp.Side) && sp.Side != "" {
						p.Sides = append(p.Sides, sp.Side)
					}
				}
			}
			if len(v.topics) > 0 {
				for _, t := range rng.Perm(len(v.topics))[:1+rng.Intn(min(3, len(v.topics)))] {
					p.Topics = append(p.Topics, v.topics[t])
				}
			}
			r.Paragraphs = append(r.Paragraphs, p)
		}
		made += paras
		recs = append(recs, r)
	}
	return recs
}

func (v *vocabulary) paragraph(rng *rand.Rand, zipf *rand.Zipf) string {
	want := MinWords + rng.Intn(MaxWords-MinWords+1)
	words := make([]string, 0, want+8)
	for len(words) < want {
		if rng.Intn(3) == 0 && len(v.runs) > 0 {
			run := v.runs[rng.Intn(len(v.runs))]
			start := rng.Intn(len(run))
			end := min(len(run), start+3+rng.Intn(6), start+want-len(words))
			words = append(words, run[start:end]...)
			continue
		}
		words = append(words, v.words[zipf.Uint64()])
	}
	if len(words) > 0 {
		w := []rune(words[0])
		w[0] = unicode.ToUpper(w[0])
		words[0] = string(w)
	}
	return strings.Join(words, " ") + "."
}

func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return fmt.Sprintf("%d%s", n, suffix)
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
