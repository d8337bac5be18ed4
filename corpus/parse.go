package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"dialoguesearch/failure"
)

// meetingVerbRe marks sentences that say when and where a meeting happened.
var meetingVerbRe = regexp.MustCompile(`\b(?:held|convened|met|took\s+place|concluded|hosted|co-chaired|at\s+the)\b`)

// leadVerbRe marks sentences that say who led the delegations.
var leadVerbRe = regexp.MustCompile(`\b(?:led|convened|co-chaired|headed|hosted|met|presided)\b`)

// parseBytes is Parse after reading.
func (r *Rules) parseBytes(b []byte, name string) (*Record, error) {
	isHTML := looksHTML(name, b)
	text, err := decodeText(b, name, isHTML)
	if err != nil {
		return nil, err
	}
	fm, body := splitFrontMatter(text)
	var htmlTitle string
	if isHTML {
		body, htmlTitle = htmlToText(body)
	}
	lines, dropped := r.removeNoise(normalizeLines(body))
	blocks := splitBlocks(lines)

	// Datelines ("April 11, 2024", "date 2024-10-31") are metadata.
	var pubDate Date
	var pubText string
	kept := blocks[:0]
	for _, bl := range blocks {
		if d, ok := dateline(bl); ok {
			if pubDate == "" {
				pubDate, pubText = d, bl
			}
			continue
		}
		kept = append(kept, bl)
	}
	blocks = kept

	title := fm["title"]
	if title == "" {
		title = htmlTitle
	}
	if title == "" && len(blocks) > 1 && titleLike(blocks[0]) {
		title, blocks = blocks[0], blocks[1:]
	} else if title != "" && len(blocks) > 0 && r.cleanTitle(blocks[0]) == r.cleanTitle(title) {
		blocks = blocks[1:]
	}
	title = r.cleanTitle(title)

	paras := assemble(blocks)
	if len(paras) == 0 && len(blocks) > 0 {
		// Nothing but heading-like lines: they are the text.
		for i, b := range blocks {
			paras = append(paras, Paragraph{N: i + 1, Text: b, Speakers: []string{}, Sides: []string{}, Topics: []string{}})
		}
	}
	if len(paras) == 0 {
		return nil, fileError(failure.Unprocessable, ErrNoText, name, "no paragraphs of text left after removing web noise")
	}

	rec := &Record{
		Source:     name,
		SourceURL:  firstOf(fm["source_url"], fm["url"]),
		Title:      title,
		Principals: []Person{},
		Glossary:   map[string]string{},
		Paragraphs: paras,
	}
	r.extractMeeting(rec, fm)
	meetSent, context := r.meetingSentences(rec)
	if err := r.extractDate(rec, fm, meetSent, context, pubDate, pubText); err != nil {
		return nil, fileError(failure.Unprocessable, err, name, "%v", err)
	}
	r.extractLocation(rec, fm, meetSent, context)
	rec.Kind = firstOf(fm["kind"], r.kindOf(allText(rec), rec.Title, strings.Join(dropped, "\n"), path.Base(name)))
	rec.Principals = r.principals(rec, meetSent, context)
	if v := fm["principals"]; v != "" {
		rec.Principals = r.frontMatterPeople(v)
	}
	var sentences []string
	sentences = append(sentences, rec.Title)
	for _, p := range rec.Paragraphs {
		sentences = append(sentences, splitSentences(p.Text)...)
	}
	rec.Glossary = mineAcronyms(sentences)
	for i := range rec.Paragraphs {
		p := &rec.Paragraphs[i]
		p.Speakers, p.Sides = r.attribute(p.Text, rec.Principals)
		p.Topics = r.topicsOf(p.Section + "\n" + p.Text)
	}
	if rec.Title == "" {
		rec.Title = synthesizedTitle(rec)
	}
	rec.ID = firstOf(slugify(fm["id"]), r.recordID(rec))
	return rec, nil
}

func firstOf(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return strings.TrimSpace(x)
		}
	}
	return ""
}

func allText(rec *Record) string {
	var b strings.Builder
	for _, p := range rec.Paragraphs {
		b.WriteString(p.Text)
		b.WriteString("\n\n")
	}
	return b.String()
}

// titleLike says whether the first block is a headline rather than text.
func titleLike(b string) bool {
	if len(b) > 250 || startsLower(b) || numberedRe.MatchString(b) || len(strings.Fields(b)) > 30 {
		return false
	}
	return !strings.HasSuffix(b, ".") || strings.HasSuffix(b, "U.S.")
}

// assemble turns blocks into paragraphs: headings become the section of the
// paragraphs under them, a block starting in lowercase continues the
// previous paragraph, numbered paragraphs keep their number.
func assemble(blocks []string) []Paragraph {
	paras := []Paragraph{}
	var cont [][]string // continuation blocks of each paragraph
	section := ""
	afterHeading := false
	for _, b := range blocks {
		if isHeading(b) {
			section = b
			afterHeading = true
			continue
		}
		if startsLower(b) && len(paras) > 0 && !afterHeading {
			cont[len(paras)-1] = append(cont[len(paras)-1], b)
			continue
		}
		afterHeading = false
		p := Paragraph{Section: section, Speakers: []string{}, Sides: []string{}, Topics: []string{}}
		if m := numberedRe.FindStringSubmatch(b); m != nil {
			p.Number, b = m[1], m[2]
		}
		b = bulletRe.ReplaceAllString(b, "")
		if strings.TrimSpace(b) == "" {
			continue
		}
		p.Text = b
		paras = append(paras, p)
		cont = append(cont, nil)
	}
	for i := range paras {
		paras[i].N = i + 1
		if len(cont[i]) > 0 {
			paras[i].Text += " " + strings.Join(cont[i], " ")
		}
	}
	return paras
}

// extractMeeting finds the record's meeting: in the title first, then in the
// first paragraphs (a mention with an ordinal, else any in the first one).
func (r *Rules) extractMeeting(rec *Record, fm frontMatter) {
	if s := fm["series"]; s != "" {
		n, _ := strconv.Atoi(fm["number"])
		if se := r.seriesByID(s); se != nil {
			rec.Meeting = meetingOf(se, n)
		} else {
			rec.Meeting = Meeting{Series: s, Number: n, Name: s}
			if n > 0 {
				rec.Meeting.Name = ordinalSuffix(n) + " " + s
			}
		}
		if fm["meeting"] != "" {
			rec.Meeting.Name = fm["meeting"]
		}
		return
	}
	pick := func(ms []meetingMention, needNumber bool) bool {
		for _, m := range ms {
			if !needNumber || m.number > 0 {
				rec.Meeting = meetingOf(m.series, m.number)
				return true
			}
		}
		return false
	}
	if ms := r.findMeetings(rec.Title); pick(ms, true) || pick(ms, false) {
		return
	}
	for i, p := range rec.Paragraphs {
		if i >= 3 {
			break
		}
		if pick(r.findMeetings(p.Text), true) {
			return
		}
	}
	if len(rec.Paragraphs) > 0 {
		pick(r.findMeetings(rec.Paragraphs[0].Text), false)
	}
}

// meetingSentences returns the sentence that names the record's meeting in
// the first paragraphs, and the sentences of the first paragraphs that say
// where, when or by whom a meeting was held.
func (r *Rules) meetingSentences(rec *Record) (meeting string, context []string) {
	for i, p := range rec.Paragraphs {
		if i >= 3 {
			break
		}
		for _, s := range splitSentences(p.Text) {
			if meeting == "" && rec.Meeting.Series != "" {
				for _, m := range r.findMeetings(s) {
					if m.series.ID == rec.Meeting.Series && (m.number == rec.Meeting.Number || m.number == 0) {
						meeting = s
						break
					}
				}
				if meeting == s {
					continue
				}
			}
			if meetingVerbRe.MatchString(s) || leadVerbRe.MatchString(s) {
				context = append(context, s)
			}
		}
	}
	return meeting, context
}

// extractDate sets the record date: the front matter's, else the meeting
// date the text states, else the dateline, else a year inferred from
// evidence for a month and day without one, else none, saying why.
func (r *Rules) extractDate(rec *Record, fm frontMatter, meetSent string, context []string, pubDate Date, pubText string) error {
	if d := fm["date"]; d != "" {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return fmt.Errorf("front matter date %q is not YYYY-MM-DD", d)
		}
		rec.Date, rec.DateNote = Date(d), "from the front matter"
		if fm["date_inferred"] == "true" {
			rec.DateInferred = true
		}
		if n := fm["date_note"]; n != "" {
			rec.DateNote = n
		}
		return nil
	}
	sents := append([]string{meetSent}, context...)
	for _, s := range sents {
		if ds := fullDates(s); len(ds) > 0 {
			rec.Date = ds[0].date
			rec.DateNote = fmt.Sprintf("meeting date stated in the text: %q", ds[0].text)
			if pubDate != "" && pubDate != rec.Date {
				rec.DateNote += fmt.Sprintf("; the dateline %q (publication) differs and is not used", pubText)
			}
			return nil
		}
	}
	if pubDate != "" {
		rec.Date, rec.DateNote = pubDate, fmt.Sprintf("from the dateline %q", pubText)
		return nil
	}
	for _, s := range sents {
		mds := monthDays(s)
		if len(mds) == 0 {
			continue
		}
		md := mds[0]
		y, why := r.yearEvidence(allText(rec), rec.Meeting)
		if y == 0 {
			rec.DateNote = fmt.Sprintf("no date: the text gives %q without a year, and nothing in it shows the year", md.text)
			return nil
		}
		d, ok := mkDate(y, md.month, md.day)
		if !ok {
			rec.DateNote = fmt.Sprintf("no date: %q with inferred year %d is not a date", md.text, y)
			return nil
		}
		rec.Date, rec.DateInferred = d, true
		rec.DateNote = fmt.Sprintf("year inferred: the text gives %q without a year; %s", md.text, why)
		if strings.ContainsAny(md.text, "-–") {
			rec.DateNote += "; the first day of the meeting is used"
		}
		return nil
	}
	if len(rec.Paragraphs) > 0 {
		if ds := fullDates(rec.Paragraphs[0].Text); len(ds) > 0 {
			rec.Date = ds[0].date
			rec.DateNote = fmt.Sprintf("first date stated in the text: %q", ds[0].text)
			return nil
		}
	}
	rec.DateNote = "no date: the text states none"
	return nil
}

func (r *Rules) extractLocation(rec *Record, fm frontMatter, meetSent string, context []string) {
	if l := fm["location"]; l != "" {
		rec.Location = l
		return
	}
	for _, s := range append([]string{meetSent}, append(context, rec.Title)...) {
		if p := r.placeIn(s); p != "" {
			rec.Location = p
			return
		}
	}
}

// principals are the people who led the delegations: the first person of
// each side named in the sentences that say who led or met (U.S. first).
func (r *Rules) principals(rec *Record, meetSent string, context []string) []Person {
	var us, rok *Person
	for _, s := range append([]string{meetSent}, context...) {
		if s != meetSent && !leadVerbRe.MatchString(s) {
			continue
		}
		for _, m := range r.peopleIn(s) {
			p := m.Person
			switch {
			case p.Side == SideUS && us == nil:
				us = &p
			case p.Side == SideROK && rok == nil:
				rok = &p
			}
		}
	}
	out := []Person{}
	if us != nil {
		out = append(out, *us)
	}
	if rok != nil {
		out = append(out, *rok)
	}
	return out
}

// attribute returns the speakers and sides of a paragraph: in each sentence,
// the people, references ("the Secretary", "the two leaders") and sides
// ("the U.S. side", "both sides") before its first reporting verb.
func (r *Rules) attribute(text string, principals []Person) (speakers, sides []string) {
	pd := r.people
	speakers, sides = []string{}, []string{}
	haveSide := map[string]bool{}
	addSpeaker := func(p Person) {
		for _, s := range speakers {
			if s == p.Name {
				return
			}
		}
		speakers = append(speakers, p.Name)
		if p.Side == SideUS || p.Side == SideROK {
			haveSide[p.Side] = true
		}
	}
	principal := func(side string) {
		for _, p := range principals {
			if side == "both" || p.Side == side {
				addSpeaker(p)
			}
		}
	}
	for _, s := range splitSentences(text) {
		loc := pd.verbRe.FindStringIndex(s)
		if loc == nil {
			continue
		}
		subj := []byte(s[:loc[0]])
		mask := func(a, b int) {
			for i := a; i < b; i++ {
				subj[i] = '#'
			}
		}
		for _, m := range r.peopleIn(string(subj)) {
			addSpeaker(m.Person)
			mask(m.start, m.end)
		}
		for _, l := range pd.refRe.FindAllIndex(subj, -1) {
			// "the Secretary of State ..." names someone else
			if strings.HasPrefix(string(subj[l[1]:]), " of ") {
				continue
			}
			principal(pd.refOf[strings.ToLower(collapseSpace(string(subj[l[0]:l[1]])))])
			mask(l[0], l[1])
		}
		for _, l := range pd.sideRe.FindAllIndex(subj, -1) {
			switch side := pd.sideOf[strings.ToLower(collapseSpace(string(subj[l[0]:l[1]])))]; side {
			case "both":
				haveSide[SideUS], haveSide[SideROK] = true, true
			case SideUS, SideROK:
				haveSide[side] = true
			}
		}
	}
	for _, p := range r.surnameSpeakers(text, principals) {
		addSpeaker(p)
	}
	if len(haveSide) == 0 {
		// A joint record speaks for both sides unless a paragraph says otherwise.
		haveSide[SideUS], haveSide[SideROK] = true, true
	}
	for _, s := range []string{SideUS, SideROK} {
		if haveSide[s] {
			sides = append(sides, s)
		}
	}
	return speakers, sides
}

// surnameSpeakers finds principals the people data does not know, named
// later by surname alone ("Yeo said", "Gen. Shea noted"), as speakers: the
// name must come right before a reporting verb.
func (r *Rules) surnameSpeakers(text string, principals []Person) []Person {
	pd := r.people
	type hit struct {
		pos int
		p   Person
	}
	var hits []hit
	for _, p := range principals {
		if _, known := r.canonicalName(p.Name); known {
			continue
		}
		toks := strings.Fields(p.Name)
		if len(toks) < 2 {
			continue
		}
		surname := toks[len(toks)-1]
		if pd.surname[toks[0]] {
			surname = toks[0]
		}
		re := regexp.MustCompile(`\b` + regexp.QuoteMeta(surname) + `\s+(?:also\s+|further\s+)?(?:` + alternation(pd.Verbs) + `)\b`)
		if loc := re.FindStringIndex(text); loc != nil {
			hits = append(hits, hit{loc[0], p})
		}
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].pos < hits[j].pos })
	out := make([]Person, len(hits))
	for i, h := range hits {
		out[i] = h.p
	}
	return out
}

// frontMatterPeople reads "Lloyd J. Austin III; Kim Yong Hyun (ROK)": names
// separated by semicolons, each with an optional side in parentheses; known
// spellings become canonical names.
func (r *Rules) frontMatterPeople(v string) []Person {
	out := []Person{}
	for _, part := range strings.Split(v, ";") {
		part = strings.TrimSpace(part)
		side := ""
		if i := strings.LastIndex(part, "("); i > 0 && strings.HasSuffix(part, ")") {
			side, part = strings.TrimSpace(part[i+1:len(part)-1]), strings.TrimSpace(part[:i])
		}
		if part == "" {
			continue
		}
		p, ok := r.canonicalName(part)
		if !ok {
			p = Person{Name: part}
		}
		if side != "" {
			p.Side = side
		}
		out = append(out, p)
	}
	return out
}

func synthesizedTitle(rec *Record) string {
	var parts []string
	if rec.Meeting.Name != "" {
		parts = append(parts, rec.Meeting.Name)
	}
	if rec.Kind != "" {
		words := strings.Fields(rec.Kind)
		for i, w := range words {
			r := []rune(w)
			words[i] = strings.ToUpper(string(r[0])) + string(r[1:])
		}
		parts = append(parts, strings.Join(words, " "))
	}
	if len(parts) == 0 {
		t := rec.Paragraphs[0].Text
		if len(t) > 80 {
			t = t[:strings.LastIndex(t[:80], " ")+1] + "…"
		}
		return t
	}
	return strings.Join(parts, " ")
}

// recordID is stable and readable: series-number-date-kind
// ("scm-55-2023-11-13-communique") when the meeting and date are known,
// with a content hash instead where they are not. The kind is part of it
// because one meeting issues several records on one day (a communiqué and
// a fact sheet).
func (r *Rules) recordID(rec *Record) string {
	var parts []string
	if se := r.seriesByID(rec.Meeting.Series); se != nil {
		parts = append(parts, se.Slug)
	} else if rec.Meeting.Series != "" {
		parts = append(parts, slugify(rec.Meeting.Series))
	}
	if rec.Meeting.Number > 0 {
		parts = append(parts, strconv.Itoa(rec.Meeting.Number))
	}
	known := len(parts) > 0 && rec.Date != ""
	if rec.Date != "" {
		parts = append(parts, string(rec.Date))
	}
	if rec.Kind != "" {
		parts = append(parts, r.kindSlug(rec.Kind))
	}
	if !known {
		h := sha256.Sum256([]byte(allText(rec)))
		if len(parts) == 0 {
			parts = append(parts, "rec")
		}
		parts = append(parts, hex.EncodeToString(h[:])[:10])
	}
	return strings.Join(parts, "-")
}
