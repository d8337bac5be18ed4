package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2/analysis/lang/en"

	"dialoguesearch/bench/internal/mix"
	"dialoguesearch/indexer/synth"
)

// bleveStopWords is the stop list our analyzer uses (bleve's stop_en, the
// Snowball list in Lucene's format): the Lucene driver gets the same.
func bleveStopWords() []string {
	var ws []string
	for _, line := range strings.Split(string(en.EnglishStopWords), "\n") {
		if i := strings.IndexByte(line, '|'); i >= 0 {
			line = line[:i]
		}
		if f := strings.Fields(line); len(f) > 0 {
			ws = append(ws, f[0])
		}
	}
	return ws
}

// Class sizes of the mix; they add up to 1,000.
var classes = []struct {
	name string
	n    int
}{
	{"frequent", 120}, {"mid", 120}, {"rare", 100}, {"pair", 140}, {"phrase", 110},
	{"acronym", 80}, {"boolean", 110}, {"field", 80}, {"drilldown", 140},
}

// Queries returns the fixed mix: it depends on the vocabulary and seed only.
func Queries(v *synth.Vocab, seed uint64) []mix.Query {
	r := rand.New(rand.NewPCG(seed, 2))
	// Content words: no stop words, no numbers, no acronyms (they have
	// their own class), at least 3 letters, in frequency order.
	var content []string
	for _, w := range v.Words {
		lw := strings.ToLower(w)
		if v.Stop[lw] || len(lw) < 3 || !allLetters(lw) || isAcronym(w) {
			continue
		}
		content = append(content, lw)
	}
	band := func(lo, hi int) string {
		hi = min(hi, len(content))
		return content[lo+r.IntN(hi-lo)]
	}
	frequent := func() string { return band(0, 40) }
	mid := func() string { return band(100, 500) }
	rare := func() string { return band(len(content)*3/4, len(content)) }
	phrases := commonPhrases(v)
	var acronyms [][2]string
	for _, a := range synth.Acronyms {
		if v.Freq[strings.ToLower(a[0])] > 0 {
			acronyms = append(acronyms, a)
		}
	}
	term := func(w string) mix.Clause { return mix.Clause{Any: [][]string{{w}}} }
	var qs []mix.Query
	add := func(class, q string, cl []mix.Clause, filters map[string][]string) {
		qs = append(qs, mix.Query{ID: len(qs) + 1, Class: class, Q: q, Clauses: cl, Filters: filters})
	}
	years := []string{"2019", "2020", "2021", "2022", "2023", "2024", "2015", "2010"}
	series := []string{"SCM", "KIDD", "MCM", "NCG"}
	for _, c := range classes {
		for range c.n {
			switch c.name {
			case "frequent", "mid", "rare":
				w := map[string]func() string{"frequent": frequent, "mid": mid, "rare": rare}[c.name]()
				add(c.name, w, []mix.Clause{term(w)}, nil)
			case "pair":
				a, b := frequent(), mid()
				if r.IntN(2) == 0 {
					b = frequent()
				}
				if a == b {
					b = mid()
				}
				add(c.name, a+" "+b, []mix.Clause{term(a), term(b)}, nil)
			case "phrase":
				p := phrases[r.IntN(len(phrases))]
				ws := strings.Fields(p)
				add(c.name, `"`+p+`"`, []mix.Clause{{Any: [][]string{ws}}}, nil)
			case "acronym":
				a := acronyms[r.IntN(len(acronyms))]
				cl := mix.Clause{Any: [][]string{{strings.ToLower(a[0])}, phraseWords(a[1])}}
				q := a[0]
				if r.IntN(3) == 0 { // acronym plus a word
					w := frequent()
					q += " " + w
					add(c.name, q, []mix.Clause{cl, term(w)}, nil)
					continue
				}
				add(c.name, q, []mix.Clause{cl}, nil)
			case "boolean":
				a, b, d := frequent(), mid(), mid()
				switch r.IntN(4) {
				case 0:
					add(c.name, a+" OR "+b, []mix.Clause{{Any: [][]string{{a}, {b}}}}, nil)
				case 1:
					add(c.name, a+" -"+b, []mix.Clause{term(a), {Any: [][]string{{b}}, Not: true}}, nil)
				case 2:
					add(c.name, "("+b+" OR "+d+") "+a, []mix.Clause{{Any: [][]string{{b}, {d}}}, term(a)}, nil)
				default:
					add(c.name, a+" AND NOT "+b, []mix.Clause{term(a), {Any: [][]string{{b}}, Not: true}}, nil)
				}
			case "field":
				w := frequent()
				if r.IntN(2) == 0 {
					w = mid()
				}
				if r.IntN(2) == 0 {
					s := series[r.IntN(len(series))]
					add(c.name, w+" series:"+s, []mix.Clause{term(w), {Field: "series", Value: s}}, nil)
				} else {
					y := years[r.IntN(len(years))]
					add(c.name, w+" year:"+y, []mix.Clause{term(w), {Field: "year", Value: y}}, nil)
				}
			case "drilldown":
				w := frequent()
				if r.IntN(3) == 0 {
					w = mid()
				}
				f := map[string][]string{}
				switch r.IntN(5) {
				case 0:
					f["year"] = []string{years[r.IntN(len(years))], years[r.IntN(len(years))]}
				case 1:
					f["series"] = []string{series[r.IntN(len(series))]}
				case 2:
					f["topic"] = []string{synth.TopicList[r.IntN(6)]}
				case 3:
					f["speaker"] = []string{synth.USPeople[r.IntN(6)], synth.ROKPeople[r.IntN(6)]}
				default:
					f["series"] = []string{series[r.IntN(len(series))]}
					f["topic"] = []string{synth.TopicList[r.IntN(6)]}
					f["year"] = []string{years[r.IntN(len(years))]}
				}
				for k, vs := range f {
					slices.Sort(vs)
					f[k] = slices.Compact(vs)
				}
				add(c.name, w, []mix.Clause{term(w)}, f)
			}
		}
	}
	// Make sure the named examples are in the mix.
	qs[len(qs)-1] = mix.Query{ID: len(qs), Class: "phrase", Q: `"extended deterrence"`, Clauses: []mix.Clause{{Any: [][]string{{"extended", "deterrence"}}}}}
	qs[len(qs)-2] = mix.Query{ID: len(qs) - 1, Class: "acronym", Q: "OPCON", Clauses: []mix.Clause{{Any: [][]string{{"opcon"}, {"operational", "control"}}}}}
	return qs
}

func allLetters(s string) bool {
	for _, r := range s {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

func isAcronym(w string) bool {
	return len(w) >= 2 && strings.ToUpper(w) == w && allLetters(w)
}

// phraseWords splits a phrase into the words every tokenizer agrees on,
// dropping stop words (position gaps are kept by every engine).
func phraseWords(p string) []string {
	var ws []string
	for _, w := range synth.Tokenize(p) {
		if len([]rune(w)) < 2 { // the generator drops one-letter words too
			continue
		}
		ws = append(ws, strings.ToLower(w))
	}
	return ws
}

// commonPhrases are the most frequent two- and three-word runs of content
// words in the real records.
func commonPhrases(v *synth.Vocab) []string {
	count := map[string]int{}
	ok := func(w string) bool {
		lw := strings.ToLower(w)
		return !v.Stop[lw] && len(lw) >= 3 && allLetters(lw) && !isAcronym(w)
	}
	for _, run := range v.Runs {
		for i := 0; i+1 < len(run); i++ {
			if ok(run[i]) && ok(run[i+1]) {
				count[strings.ToLower(run[i]+" "+run[i+1])]++
				if i+2 < len(run) && ok(run[i+2]) {
					count[strings.ToLower(run[i]+" "+run[i+1]+" "+run[i+2])] += 0
				}
			}
		}
	}
	var ps []string
	for p, c := range count {
		if c >= 2 {
			ps = append(ps, p)
		}
	}
	slices.SortFunc(ps, func(a, b string) int {
		if count[a] != count[b] {
			return count[b] - count[a]
		}
		return strings.Compare(a, b)
	})
	ps = ps[:min(80, len(ps))]
	if !slices.Contains(ps, "extended deterrence") {
		ps = append(ps, "extended deterrence")
	}
	return ps
}

func writeQueries(dir string, qs []mix.Query, words map[string]int) error {
	jf, err := os.Create(filepath.Join(dir, "queries.jsonl"))
	if err != nil {
		return err
	}
	defer jf.Close()
	tf, err := os.Create(filepath.Join(dir, "queries.tsv"))
	if err != nil {
		return err
	}
	defer tf.Close()
	xf, err := os.Create(filepath.Join(dir, "queries.txt"))
	if err != nil {
		return err
	}
	defer xf.Close()
	jw, tw, xw := bufio.NewWriter(jf), bufio.NewWriter(tf), bufio.NewWriter(xf)
	for _, q := range qs {
		b, err := json.Marshal(q)
		if err != nil {
			return err
		}
		jw.Write(b)
		jw.WriteByte('\n')
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", q.ID, q.Class, mix.EncodeClauses(q.Clauses), mix.EncodeFilters(q))
		fmt.Fprintf(xw, "%s", q.Q)
		for _, f := range q.FilterFacets() {
			fmt.Fprintf(xw, "\t%s=%s", f, strings.Join(q.Filters[f], "|"))
		}
		xw.WriteByte('\n')
	}
	for _, w := range []*bufio.Writer{jw, tw, xw} {
		if err := w.Flush(); err != nil {
			return err
		}
	}
	var vocab strings.Builder
	for w := range words {
		vocab.WriteString(w + "\n")
	}
	if err := os.WriteFile(filepath.Join(dir, "vocab.txt"), []byte(vocab.String()), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "stopwords.txt"), []byte(strings.Join(bleveStopWords(), "\n")+"\n"), 0o644)
}
