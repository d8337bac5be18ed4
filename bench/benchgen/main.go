// Command benchgen writes the benchmark inputs: a deterministic synthetic
// corpus of N paragraphs built from the vocabulary of the real records
// (records-N.jsonl for our engine, paras-N.tsv and facets-N.tsv for the
// peers) and the fixed mix of 1,000 queries (queries.jsonl, queries.tsv,
// queries.txt), which depends on the vocabulary only, not on N.
//
//	go run ./bench/benchgen -n 100000 -out bench/out
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"dialoguesearch/bench/internal/mix"
	"dialoguesearch/corpus"
)

func main() {
	n := flag.Int("n", 100000, "paragraphs to generate")
	out := flag.String("out", "bench/out", "output directory")
	seed := flag.Uint64("seed", 7, "random seed")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	v, err := loadVocab(corpus.Default())
	if err != nil {
		log.Fatal(err)
	}
	recs := Generate(v, *n, *seed)
	if err := writeRecords(filepath.Join(*out, fmt.Sprintf("records-%d.jsonl", *n)), recs); err != nil {
		log.Fatal(err)
	}
	if err := writePeerFiles(*out, *n, recs); err != nil {
		log.Fatal(err)
	}
	qs := Queries(v, *seed)
	if err := writeQueries(*out, qs, v.freq); err != nil {
		log.Fatal(err)
	}
	words := 0
	for _, r := range recs {
		for _, p := range r.Paragraphs {
			words += len(strings.Fields(p.Text))
		}
	}
	fmt.Printf("benchgen: %d records, %d paragraphs, %d words, vocabulary %d, %d queries -> %s\n",
		len(recs), *n, words, len(v.words), len(qs), *out)
}

// vocab is what the generator learns from the real records.
type vocab struct {
	words []string       // surface form, most frequent first
	freq  map[string]int // lower-case -> count
	runs  [][]string     // the real text as sentences of words (to copy phrases from)
	stop  map[string]bool
}

// tokenize splits on anything that is not a letter or digit, so every
// engine's tokenizer sees the same words.
func tokenize(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

func loadVocab(fsys fs.FS) (*vocab, error) {
	v := &vocab{freq: map[string]int{}, stop: map[string]bool{}}
	for _, w := range strings.Fields(stopWords) {
		v.stop[w] = true
	}
	surface := map[string]map[string]int{}
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		// Sentences: split at sentence punctuation, keep words only.
		for _, sent := range strings.FieldsFunc(string(b), func(r rune) bool { return strings.ContainsRune(".;:!?\n()“”\"", r) }) {
			var run []string
			for _, w := range tokenize(sent) {
				if len([]rune(w)) < 2 {
					continue
				}
				lw := strings.ToLower(w)
				v.freq[lw]++
				if surface[lw] == nil {
					surface[lw] = map[string]int{}
				}
				surface[lw][w]++
				run = append(run, w)
			}
			if len(run) >= 2 {
				v.runs = append(v.runs, run)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for lw, forms := range surface {
		best := ""
		for f, c := range forms {
			if best == "" || c > forms[best] || (c == forms[best] && f < best) {
				best = f
			}
		}
		_ = lw
		v.words = append(v.words, best)
	}
	slices.SortFunc(v.words, func(a, b string) int {
		fa, fb := v.freq[strings.ToLower(a)], v.freq[strings.ToLower(b)]
		if fa != fb {
			return fb - fa
		}
		return strings.Compare(a, b)
	})
	return v, nil
}

// Metadata spread: meeting series with their numbering and first year,
// principals per side, topics, places.
var (
	seriesList = []struct {
		name, long string
		first      int // year of meeting 1
		perYear    int
		weight     int
	}{
		{"SCM", "Security Consultative Meeting", 1968, 1, 30},
		{"KIDD", "Korea-U.S. Integrated Defense Dialogue", 2011, 2, 25},
		{"MCM", "Military Committee Meeting", 1978, 1, 15},
		{"NCG", "Nuclear Consultative Group", 2023, 2, 10},
		{"EDSCG", "Extended Deterrence Strategy and Consultation Group", 2016, 1, 8},
		{"Defense Ministerial Meeting", "", 2000, 1, 12},
	}
	usPeople  = []string{"Lloyd J. Austin III", "Mark T. Esper", "James N. Mattis", "Ashton B. Carter", "Chuck Hagel", "Leon E. Panetta", "Robert M. Gates", "Donald H. Rumsfeld", "Ely Ratner", "Siddharth Mohandas", "Randall G. Schriver", "David F. Helvey", "Kelly E. Magsamen", "Heino Klinck", "Mark W. Lippert", "Paul J. LaCamera", "Charles Q. Brown Jr.", "Mark A. Milley", "Joseph F. Dunford Jr.", "Martin E. Dempsey"}
	rokPeople = []string{"Shin Won-sik", "Lee Jong-sup", "Suh Wook", "Jeong Kyeong-doo", "Song Young-moo", "Han Min-koo", "Kim Kwan-jin", "Kim Tae-young", "Cho Chang-rae", "Heo Tae-keun", "Yeo Suk-joo", "Chung Suk-hwan", "Kim Seon-ho", "Yoo Jeh-seung", "Kim Myung-soo", "Kim Seung-kyum", "Won In-choul", "Park Han-ki", "Lee Sun-jin", "Jung Seung-jo"}
	topicList = []string{"extended deterrence", "OPCON transition", "missile defense", "nuclear", "cyber", "space", "exercises", "DPRK", "USFK", "UNC", "trilateral cooperation", "defense industry", "alliance", "regional security", "host-nation support", "NCG", "sanctions", "maritime security", "science and technology", "personnel exchange"}
	placeList = []string{"Seoul", "Washington, D.C.", "Singapore", "the Pentagon", "Pyeongtaek", "Honolulu", "Busan", "Tokyo", "Camp Humphreys", "Jeju"}
	kindList  = []string{corpus.KindJointCommunique, corpus.KindJointPressStatement, corpus.KindFactSheet, corpus.KindPressRelease, corpus.KindNewsReport}
	sections  = []string{"", "Deterrence", "Alliance", "Regional Security", "Combined Defense", "Cooperation", "Conclusion"}
)

// Acronyms with their expansions, kept when both forms occur in the real
// records (the generator copies runs of real text, so both keep occurring).
var acronymList = [][2]string{
	{"OPCON", "operational control"},
	{"DPRK", "Democratic People's Republic of Korea"},
	{"NCG", "Nuclear Consultative Group"},
	{"ROK", "Republic of Korea"},
	{"SCM", "Security Consultative Meeting"},
	{"KIDD", "Korea-U.S. Integrated Defense Dialogue"},
	{"USFK", "U.S. Forces Korea"},
	{"UNC", "United Nations Command"},
	{"TDS", "Tailored Deterrence Strategy"},
	{"EDSCG", "Extended Deterrence Strategy and Consultation Group"},
	{"MCM", "Military Committee Meeting"},
	{"CFC", "Combined Forces Command"},
	{"SEWS", "Shared Early Warning System"},
	{"COTP", "Conditions-based Wartime OPCON Transition Plan"},
	{"FOC", "Full Operational Capability"},
	{"WMD", "weapons of mass destruction"},
	{"MND", "Ministry of National Defense"},
	{"UFS", "Ulchi Freedom Shield"},
	{"CMWG", "Counter-Missile Working Group"},
	{"TTX", "Table-top-exercise"},
}

// Generate returns n paragraphs grouped in records, the same for the same
// vocabulary, n and seed.
func Generate(v *vocab, n int, seed uint64) []*corpus.Record {
	r := rand.New(rand.NewPCG(seed, 1))
	zipf := rand.NewZipf(r, 1.07, 2, uint64(len(v.words)-1))
	topicZipf := rand.NewZipf(r, 1.2, 1, uint64(len(topicList)-1))
	var recs []*corpus.Record
	meetingNo := map[string]int{}
	year := map[string]int{}
	for done := 0; done < n; {
		s := pickWeighted(r)
		se := seriesList[s]
		meetingNo[se.name]++
		no := meetingNo[se.name]
		y := se.first + (no-1)/se.perYear
		if y > 2025 { // wrap around: keep every year in 1968..2025
			y = 2025 - (y-2025)%(2025-se.first+1)
		}
		year[se.name] = y
		month, day := 1+r.IntN(12), 1+r.IntN(28)
		date := corpus.Date(fmt.Sprintf("%04d-%02d-%02d", y, month, day))
		name := se.name
		number := 0
		if se.name != "Defense Ministerial Meeting" {
			number = no
			name = ordinal(no) + " " + se.name
		}
		kind := kindList[r.IntN(len(kindList))]
		rec := &corpus.Record{
			ID:       fmt.Sprintf("synth-%s-%04d-%s", strings.ToLower(strings.ReplaceAll(se.name, " ", "-")), no, date),
			Source:   "benchgen",
			Title:    name + " " + titleCase(kind),
			Kind:     kind,
			Date:     date,
			Meeting:  corpus.Meeting{Series: se.name, Number: number, Name: name},
			Location: placeList[r.IntN(len(placeList))],
			Glossary: map[string]string{},
		}
		us, rok := usPeople[r.IntN(len(usPeople))], rokPeople[r.IntN(len(rokPeople))]
		rec.Principals = []corpus.Person{{Name: us, Side: corpus.SideUS, Title: "Secretary of Defense"}, {Name: rok, Side: corpus.SideROK, Title: "Minister of National Defense"}}
		k := min(5+r.IntN(36), n-done)
		section := ""
		for i := 1; i <= k; i++ {
			if r.IntN(6) == 0 {
				section = sections[r.IntN(len(sections))]
			}
			p := corpus.Paragraph{N: i, Section: section, Text: paragraphText(v, r, zipf)}
			if r.IntN(3) > 0 {
				p.Number = strconv.Itoa(i)
			}
			switch r.IntN(4) {
			case 1:
				p.Speakers, p.Sides = []string{us}, []string{corpus.SideUS}
			case 2:
				p.Speakers, p.Sides = []string{rok}, []string{corpus.SideROK}
			case 3:
				p.Speakers, p.Sides = []string{us, rok}, []string{corpus.SideUS, corpus.SideROK}
			}
			nt := r.IntN(4)
			for range nt {
				t := topicList[topicZipf.Uint64()]
				if !slices.Contains(p.Topics, t) {
					p.Topics = append(p.Topics, t)
				}
			}
			slices.Sort(p.Topics)
			for _, a := range acronymList {
				if strings.Contains(p.Text, a[0]) {
					rec.Glossary[a[0]] = a[1]
				}
			}
			rec.Paragraphs = append(rec.Paragraphs, p)
		}
		done += k
		recs = append(recs, rec)
	}
	return recs
}

func pickWeighted(r *rand.Rand) int {
	total := 0
	for _, s := range seriesList {
		total += s.weight
	}
	x := r.IntN(total)
	for i, s := range seriesList {
		if x < s.weight {
			return i
		}
		x -= s.weight
	}
	return 0
}

// paragraphText is 40-120 words: Zipf-drawn words, with runs of 2-6 words
// copied from the real records so that phrases ("extended deterrence")
// and acronym expansions keep occurring.
func paragraphText(v *vocab, r *rand.Rand, zipf *rand.Zipf) string {
	target := 40 + r.IntN(81)
	ws := make([]string, 0, target+6)
	sentence := 0
	add := func(w string) {
		if sentence == 0 {
			rs := []rune(w)
			w = string(unicode.ToUpper(rs[0])) + string(rs[1:])
		}
		ws = append(ws, w)
		sentence++
	}
	for len(ws) < target {
		if r.IntN(3) == 0 {
			run := v.runs[r.IntN(len(v.runs))]
			l := min(2+r.IntN(5), len(run), target-len(ws))
			start := r.IntN(len(run) - l + 1)
			for _, w := range run[start : start+l] {
				add(w)
			}
		} else {
			add(v.words[zipf.Uint64()])
		}
		if sentence >= 8 && r.IntN(10) == 0 {
			ws[len(ws)-1] += "."
			sentence = 0
		}
	}
	return strings.TrimSuffix(strings.Join(ws, " "), ".") + "."
}

func ordinal(n int) string {
	suf := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suf = "st"
	case n%10 == 2:
		suf = "nd"
	case n%10 == 3:
		suf = "rd"
	}
	return strconv.Itoa(n) + suf
}

func titleCase(s string) string {
	ws := strings.Fields(s)
	for i, w := range ws {
		rs := []rune(w)
		ws[i] = string(unicode.ToUpper(rs[0])) + string(rs[1:])
	}
	return strings.Join(ws, " ")
}

func writeRecords(path string, recs []*corpus.Record) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	enc := json.NewEncoder(w)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writePeerFiles writes paras-N.tsv (docno, id, text, then the facets,
// multi-values joined with |) and facets-N.tsv (docno, facet, value).
func writePeerFiles(dir string, n int, recs []*corpus.Record) error {
	pf, err := os.Create(filepath.Join(dir, fmt.Sprintf("paras-%d.tsv", n)))
	if err != nil {
		return err
	}
	defer pf.Close()
	ff, err := os.Create(filepath.Join(dir, fmt.Sprintf("facets-%d.tsv", n)))
	if err != nil {
		return err
	}
	defer ff.Close()
	pw, fw := bufio.NewWriterSize(pf, 1<<20), bufio.NewWriterSize(ff, 1<<20)
	doc := 0
	for _, r := range recs {
		for _, p := range r.Paragraphs {
			doc++
			vals := FacetValues(r, p)
			fmt.Fprintf(pw, "%d\t%s\t%s", doc, corpus.ParagraphID(r.ID, p.N), p.Text)
			for _, f := range mix.Facets {
				fmt.Fprintf(pw, "\t%s", strings.Join(vals[f], "|"))
				for _, v := range vals[f] {
					fmt.Fprintf(fw, "%d\t%s\t%s\n", doc, f, v)
				}
			}
			pw.WriteByte('\n')
		}
	}
	if err := pw.Flush(); err != nil {
		return err
	}
	if err := fw.Flush(); err != nil {
		return err
	}
	if err := pf.Close(); err != nil {
		return err
	}
	return ff.Close()
}

// FacetValues are a paragraph's facet values as the peers index them:
// record metadata copied onto the paragraph, as the indexer does.
func FacetValues(r *corpus.Record, p corpus.Paragraph) map[string][]string {
	m := map[string][]string{
		"series":   {r.Meeting.Series},
		"meeting":  {r.Meeting.Name},
		"speaker":  p.Speakers,
		"topic":    p.Topics,
		"location": {r.Location},
		"side":     p.Sides,
		"kind":     {r.Kind},
	}
	if y := r.Date.Year(); y != 0 {
		m["year"] = []string{strconv.Itoa(y)}
	}
	for k, vs := range m {
		var keep []string
		for _, v := range vs {
			if v != "" {
				keep = append(keep, v)
			}
		}
		m[k] = keep
	}
	return m
}
