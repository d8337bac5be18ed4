// Package synth generates the one synthetic corpus of the project, for the
// benchmarks (bench/benchgen writes it for every engine) and for the
// indexer's and alert's tests and Go benchmarks: paragraphs of 40-120 words
// drawn from the vocabulary of the shipped records (Zipf, s = 1.07), one
// word in three part of a run of real text so phrases and acronym
// expansions occur, and metadata spread over 6 meeting series with their
// numbering and years, 40 principals, 20 topics, 10 places and the 5 record
// kinds. The same vocabulary, n and seed give the same records.
package synth

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"dialoguesearch/corpus"
)

// Options change what GenerateWith makes.
type Options struct {
	// Editions makes each meeting of a series start from the previous
	// meeting's text, as the real series do year to year (issue 15,
	// lineage): about 70% of the paragraphs carried over unchanged, 15%
	// reworded, 15% dropped, and 10-30% new ones added.
	Editions bool
}

var (
	defaultOnce  sync.Once
	defaultVocab *Vocab
	defaultErr   error
)

// Default is the vocabulary of the shipped records (corpus.Default()),
// learned once.
func Default() *Vocab {
	defaultOnce.Do(func() { defaultVocab, defaultErr = Learn(corpus.Default()) })
	if defaultErr != nil {
		panic("synth: the shipped records: " + defaultErr.Error())
	}
	return defaultVocab
}

// Generate returns records holding n paragraphs, from the vocabulary of
// the shipped records; the same n and seed give the same records.
func Generate(n int, seed int64) []*corpus.Record {
	return Default().Generate(n, uint64(seed))
}

// StopWords are never query terms: the Snowball English list (bleve's
// stop_en) plus the extra words of PostgreSQL's english list. SQLite FTS5
// keeps stop words, the others drop them.
const StopWords = `i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
she her hers herself it its itself they them their theirs themselves what which who whom this that these
those am is are was were be been being have has had having do does did doing would should could ought
i'm you're he's she's it's we're they're i've you've we've they've i'd you'd he'd she'd we'd they'd i'll
you'll he'll she'll we'll they'll isn't aren't wasn't weren't hasn't haven't hadn't doesn't don't didn't
won't wouldn't shan't shouldn't can't cannot couldn't mustn't let's that's who's what's here's there's
when's where's why's how's a an the and but if or because as until while of at by for with about against
between into through during before after above below to from up down in out on off over under again
further then once here there when where why how all any both each few more most other some such no nor
not only own same so than too very
can don just now will`

// Vocab is what the generator learns from the real records.
type Vocab struct {
	Words []string       // surface form, most frequent first
	Freq  map[string]int // lower-case -> count
	Runs  [][]string     // the real text as sentences of words (to copy phrases from)
	Stop  map[string]bool
}

// Tokenize splits on anything that is not a letter or digit, so every
// engine's tokenizer sees the same words.
func Tokenize(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// Learn reads the record files of fsys (the shipped records:
// corpus.Default()) for their words, their frequencies and their sentences.
func Learn(fsys fs.FS) (*Vocab, error) {
	v := &Vocab{Freq: map[string]int{}, Stop: map[string]bool{}}
	for _, w := range strings.Fields(StopWords) {
		v.Stop[w] = true
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
			for _, w := range Tokenize(sent) {
				if len([]rune(w)) < 2 {
					continue
				}
				lw := strings.ToLower(w)
				v.Freq[lw]++
				if surface[lw] == nil {
					surface[lw] = map[string]int{}
				}
				surface[lw][w]++
				run = append(run, w)
			}
			if len(run) >= 2 {
				v.Runs = append(v.Runs, run)
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
		v.Words = append(v.Words, best)
	}
	slices.SortFunc(v.Words, func(a, b string) int {
		fa, fb := v.Freq[strings.ToLower(a)], v.Freq[strings.ToLower(b)]
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
	SeriesList = []struct {
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
	USPeople  = []string{"Lloyd J. Austin III", "Mark T. Esper", "James N. Mattis", "Ashton B. Carter", "Chuck Hagel", "Leon E. Panetta", "Robert M. Gates", "Donald H. Rumsfeld", "Ely Ratner", "Siddharth Mohandas", "Randall G. Schriver", "David F. Helvey", "Kelly E. Magsamen", "Heino Klinck", "Mark W. Lippert", "Paul J. LaCamera", "Charles Q. Brown Jr.", "Mark A. Milley", "Joseph F. Dunford Jr.", "Martin E. Dempsey"}
	ROKPeople = []string{"Shin Won-sik", "Lee Jong-sup", "Suh Wook", "Jeong Kyeong-doo", "Song Young-moo", "Han Min-koo", "Kim Kwan-jin", "Kim Tae-young", "Cho Chang-rae", "Heo Tae-keun", "Yeo Suk-joo", "Chung Suk-hwan", "Kim Seon-ho", "Yoo Jeh-seung", "Kim Myung-soo", "Kim Seung-kyum", "Won In-choul", "Park Han-ki", "Lee Sun-jin", "Jung Seung-jo"}
	TopicList = []string{"extended deterrence", "OPCON transition", "missile defense", "nuclear", "cyber", "space", "exercises", "DPRK", "USFK", "UNC", "trilateral cooperation", "defense industry", "alliance", "regional security", "host-nation support", "NCG", "sanctions", "maritime security", "science and technology", "personnel exchange"}
	PlaceList = []string{"Seoul", "Washington, D.C.", "Singapore", "the Pentagon", "Pyeongtaek", "Honolulu", "Busan", "Tokyo", "Camp Humphreys", "Jeju"}
	KindList  = []string{corpus.KindJointCommunique, corpus.KindJointPressStatement, corpus.KindFactSheet, corpus.KindPressRelease, corpus.KindNewsReport}
	sections  = []string{"", "Deterrence", "Alliance", "Regional Security", "Combined Defense", "Cooperation", "Conclusion"}
)

// Acronyms with their expansions, kept when both forms occur in the real
// records (the generator copies runs of real text, so both keep occurring).
var Acronyms = [][2]string{
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
func (v *Vocab) Generate(n int, seed uint64) []*corpus.Record {
	return v.GenerateWith(n, seed, Options{})
}

// GenerateWith is Generate with options; the zero Options give Generate's
// records.
func (v *Vocab) GenerateWith(n int, seed uint64, o Options) []*corpus.Record {
	r := rand.New(rand.NewPCG(seed, 1))
	zipf := rand.NewZipf(r, 1.07, 2, uint64(len(v.Words)-1))
	topicZipf := rand.NewZipf(r, 1.2, 1, uint64(len(TopicList)-1))
	er := rand.New(rand.NewPCG(seed, 3)) // edition choices, apart so that Options{} gives Generate's records
	prev := map[string][]string{}        // series -> texts of its last meeting
	var recs []*corpus.Record
	meetingNo := map[string]int{}
	year := map[string]int{}
	for done := 0; done < n; {
		s := pickWeighted(r)
		se := SeriesList[s]
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
		kind := KindList[r.IntN(len(KindList))]
		rec := &corpus.Record{
			ID:       fmt.Sprintf("synth-%s-%04d-%s", strings.ToLower(strings.ReplaceAll(se.name, " ", "-")), no, date),
			Source:   "benchgen",
			Title:    name + " " + titleCase(kind),
			Kind:     kind,
			Date:     date,
			Meeting:  corpus.Meeting{Series: se.name, Number: number, Name: name},
			Location: PlaceList[r.IntN(len(PlaceList))],
			Glossary: map[string]string{},
		}
		us, rok := USPeople[r.IntN(len(USPeople))], ROKPeople[r.IntN(len(ROKPeople))]
		rec.Principals = []corpus.Person{{Name: us, Side: corpus.SideUS, Title: "Secretary of Defense"}, {Name: rok, Side: corpus.SideROK, Title: "Minister of National Defense"}}
		var carried []string // texts from the previous edition ("" = new)
		if o.Editions && prev[se.name] != nil {
			carried = nextEdition(v, er, zipf, prev[se.name])
		}
		k := min(5+r.IntN(36), n-done)
		if carried != nil {
			k = min(len(carried), n-done)
		}
		var texts []string
		section := ""
		for i := 1; i <= k; i++ {
			if r.IntN(6) == 0 {
				section = sections[r.IntN(len(sections))]
			}
			text := ""
			if i <= len(carried) {
				text = carried[i-1]
			}
			if text == "" {
				text = paragraphText(v, r, zipf)
			}
			texts = append(texts, text)
			p := corpus.Paragraph{N: i, Section: section, Text: text}
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
				t := TopicList[topicZipf.Uint64()]
				if !slices.Contains(p.Topics, t) {
					p.Topics = append(p.Topics, t)
				}
			}
			slices.Sort(p.Topics)
			for _, a := range Acronyms {
				if strings.Contains(p.Text, a[0]) {
					rec.Glossary[a[0]] = a[1]
				}
			}
			rec.Paragraphs = append(rec.Paragraphs, p)
		}
		done += k
		recs = append(recs, rec)
		if o.Editions {
			prev[se.name] = texts
		}
	}
	return recs
}

// MaxEditionParagraphs bounds the paragraphs of a generated edition: the
// largest shipped records have about 50.
const MaxEditionParagraphs = 60

// nextEdition is the paragraph texts of a series' next meeting made from
// the previous one's: about 70% carried over unchanged, 15% reworded, 15%
// dropped, then 10-30% new paragraphs ("" in the result) inserted at random
// places.
func nextEdition(v *Vocab, er *rand.Rand, zipf *rand.Zipf, prev []string) []string {
	var out []string
	for _, t := range prev {
		switch x := er.IntN(100); {
		case x < 70:
			out = append(out, t)
		case x < 85:
			out = append(out, reword(v, er, zipf, t))
		}
	}
	// Records of a series keep the size real ones have (a communiqué of
	// 5-60 paragraphs), not one that grows by the new paragraphs of every
	// meeting since the first: at MaxEditionParagraphs, paragraphs picked at
	// random are dropped too, and fewer are added.
	for len(out) >= MaxEditionParagraphs {
		out = slices.Delete(out, er.IntN(len(out)), 1)
	}
	add := max(1, len(prev)*(10+er.IntN(21))/100)
	add = min(add, MaxEditionParagraphs-len(out))
	for range add {
		i := er.IntN(len(out) + 1)
		out = slices.Insert(out, i, "")
	}
	return out
}

// reword replaces about one word in eight with another word of the
// vocabulary, keeping the length and sentence ends.
func reword(v *Vocab, er *rand.Rand, zipf *rand.Zipf, t string) string {
	ws := strings.Fields(t)
	for i, w := range ws {
		if i == 0 || strings.HasSuffix(w, ".") || er.IntN(8) != 0 {
			continue
		}
		ws[i] = v.Words[zipf.Uint64()]
	}
	return strings.Join(ws, " ")
}

func pickWeighted(r *rand.Rand) int {
	total := 0
	for _, s := range SeriesList {
		total += s.weight
	}
	x := r.IntN(total)
	for i, s := range SeriesList {
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
func paragraphText(v *Vocab, r *rand.Rand, zipf *rand.Zipf) string {
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
			run := v.Runs[r.IntN(len(v.Runs))]
			l := min(2+r.IntN(5), len(run), target-len(ws))
			start := r.IntN(len(run) - l + 1)
			for _, w := range run[start : start+l] {
				add(w)
			}
		} else {
			add(v.Words[zipf.Uint64()])
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
