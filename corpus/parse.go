package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"

	"dialoguesearch/failure"
)

// meetingVerbRe marks sentences that say when and where a meeting happened.
var meetingVerbRe = wordsRx("held", "convened", "met", "took place", "concluded", "hosted", "co-chaired", "at the")

// leadVerbRe marks sentences that say who led the delegations.
var leadVerbRe = wordsRx("led", "convened", "co-chaired", "co-led", "headed", "hosted", "welcomed", "met", "presided", "held", "issued", "signed")

// parseBytes is Parse after reading; side holds the fields of a sidecar
// file (nil when there is none), which win over everything else.
func (r *Rules) parseBytes(b []byte, name string, side frontMatter) (*Record, error) {
	isHTML := looksHTML(name, b)
	text, err := decodeText(b, name, isHTML)
	if err != nil {
		return nil, err
	}
	fm, body := splitFrontMatter(text)
	if fm == nil {
		fm = frontMatter{}
	}
	for k, v := range side {
		fm[k] = v
	}
	var htmlTitle string
	var content []block // the main content an extractor found in HTML
	if isHTML {
		var page string
		page, htmlTitle = htmlToText(body)
		if c := mainContent(body, fm["source_url"]); c != "" {
			cl, _ := r.removeNoise(normalizeLines(c))
			content = r.splitBlocks(cl)
		}
		body = page
	}
	lines, dropped := r.removeNoise(normalizeLines(body))
	blocks := r.splitBlocks(lines)

	pg := r.layout(blocks, content)
	pg.dropped = append(pg.dropped, dropped...)

	title := firstOf(fm["title"], pg.fieldTitle)
	if title == "" && htmlTitle != "" && r.headlineScore(r.cleanTitle(htmlTitle)) > 0 {
		title = htmlTitle
	}
	if title == "" {
		title = pg.headline
	}
	title = r.cleanTitle(title)
	bodyBlocks := pg.body
	if len(bodyBlocks) > 0 && title != "" && r.cleanTitle(bodyBlocks[0].text) == title {
		bodyBlocks = bodyBlocks[1:]
	}
	texts := make([]string, len(bodyBlocks))
	for i, bl := range bodyBlocks {
		texts[i] = r.splitGlued(bl.text)
	}
	paras := assemble(texts)
	if len(paras) == 0 {
		// Nothing but heading-like lines: they are the text.
		for _, bl := range blocks {
			if t := r.cleanTitle(bl.text); t == title && len(blocks) > 1 || r.boardField(bl.text) != "" {
				continue
			}
			paras = append(paras, Paragraph{N: len(paras) + 1, Text: bl.text, Speakers: []string{}, Sides: []string{}, Topics: []string{}})
		}
	}
	if len(paras) == 0 {
		return nil, fileError(failure.Unprocessable, ErrNoText, name, "no paragraphs of text left after removing web noise")
	}
	paras = splitLong(paras)

	rec := &Record{
		Source:     name,
		SourceURL:  firstOf(fm["source_url"], fm["url"]),
		Title:      title,
		Principals: []Person{},
		Glossary:   map[string]string{},
		Paragraphs: paras,
		Evidence:   map[string]Evidence{},
	}
	ctx := r.newRecordContext(rec, pg)
	if !pg.isRecord || !r.dialogueLike(rec, ctx) {
		rec.Review = append(rec.Review, NoteNotRecord)
		if len(pg.body) == 0 {
			rec.Paragraphs = paras
		}
		if rec.Title == "" {
			rec.Title = synthesizedTitle(rec)
		}
		for i := range rec.Paragraphs {
			rec.Paragraphs[i].Topics = r.topicsOf(rec.Paragraphs[i].Section + "\n" + rec.Paragraphs[i].Text)
		}
		if err := r.applyFrontMatter(rec, fm); err != nil {
			return nil, fileError(failure.Unprocessable, err, name, "%v", err)
		}
		rec.ID = firstOf(slugify(fm["id"]), r.recordID(rec))
		return rec, nil
	}
	r.extractMeeting(rec, ctx)
	meetSent, context := r.meetingSentences(rec)
	ctx.meetSent, ctx.context = meetSent, context
	r.extractDate(rec, ctx, pg)
	r.extractLocation(rec, meetSent, context)
	rec.Kind = r.kindOf(allText(rec), rec.Title, strings.Join(pg.dropped, "\n"), path.Base(name))
	rec.Principals = r.principals(rec, ctx, pg)
	r.inferDefenseMinisterial(rec)
	var sentences []string
	sentences = append(sentences, rec.Title)
	for _, p := range rec.Paragraphs {
		sentences = append(sentences, splitSentences(p.Text)...)
	}
	rec.Glossary = mineAcronyms(sentences)
	for i := range rec.Paragraphs {
		p := &rec.Paragraphs[i]
		p.Speakers, p.Sides = r.attribute(p.Text, rec, ctx)
		p.Topics = r.topicsOf(p.Section + "\n" + p.Text)
	}
	if err := r.applyFrontMatter(rec, fm); err != nil {
		return nil, fileError(failure.Unprocessable, err, name, "%v", err)
	}
	if rec.Title == "" {
		rec.Title = synthesizedTitle(rec)
	}
	r.review(rec)
	rec.ID = firstOf(slugify(fm["id"]), r.recordID(rec))
	return rec, nil
}

// page is a saved page split into what surrounds the record and the record.
type page struct {
	body       []block
	header     []string // lines before the body: labels, headline, dates, bylines
	headline   string
	fieldTitle string // a board's "Title" field
	pubDate    dateMention
	pubText    string
	dropped    []string
	isRecord   bool
}

// layout finds the body by structure (findBody, or the extractor's content
// for HTML), and reads the header before it: the headline, the
// publication date, board fields.
func (r *Rules) layout(blocks, content []block) page {
	var pg page
	s, e := findBody(blocks)
	var header []block
	if s >= 0 {
		header = blocks[:s]
		pg.body = blocks[s : e+1]
		for _, b := range blocks[e+1:] {
			pg.dropped = append(pg.dropped, b.text)
		}
		// A sentence-like banner or note above the headline joins the run
		// when little separates them: the body starts after a headline in
		// its first blocks.
		for i := 0; i < len(pg.body)-1 && i < 4; i++ {
			b := pg.body[i]
			if startsLower(pg.body[i+1].text) || len(splitSentences(b.text)) > 1 {
				continue // a paragraph a page break split, not a headline
			}
			if !sentenceLike(b.text) && r.headlineScore(r.cleanTitle(b.text)) >= 3 {
				j := i + 1 // its date line and labels come with it
				for j < len(pg.body)-1 && !sentenceLike(pg.body[j].text) {
					j++
				}
				header = append(header[:len(header):len(header)], pg.body[:j]...)
				pg.body = pg.body[j:]
				break
			}
		}
		if head, rest := splitHeadFromBody(pg.body[0]); head != nil {
			pg.header = append(pg.header, head...)
			pg.body = append([]block{rest}, pg.body[1:]...)
		}
	} else {
		header = blocks
	}
	var hl []string
	for _, b := range header {
		hl = append(hl, headLines(b)...)
	}
	pg.header = append(hl, pg.header...)
	if len(content) > 0 {
		if cs, ce := findBody(content); cs >= 0 {
			pg.body = content[cs : ce+1]
			if s < 0 {
				s = 0
			}
		}
	}
	pg.isRecord = s >= 0
	bestScore := 0
	for i, l := range pg.header {
		if name := r.boardField(l); name != "" {
			switch name {
			case "title":
				for _, f := range r.noise.field {
					if f.name == "title" {
						if m := f.re.FindStringSubmatch(l); m != nil && len(m) > 1 {
							pg.fieldTitle = strings.TrimSpace(m[1])
						}
					}
				}
			case "date":
				if ds := findDates(l); len(ds) > 0 {
					pg.pubDate, pg.pubText = ds[0], l
				}
			}
			pg.dropped = append(pg.dropped, l)
			continue
		}
		if d, ok := datelineOf(l); ok {
			// the date line nearest the body is the record's
			pg.pubDate, pg.pubText = d, l
			pg.dropped = append(pg.dropped, l)
			continue
		}
		// the nearest headline to the body wins a tie
		if sc := r.headlineScore(r.cleanTitle(l)); sc > 0 && sc >= bestScore {
			pg.headline, bestScore = l, sc
			_ = i
		}
		pg.dropped = append(pg.dropped, l)
	}
	if pg.pubText == "" && len(pg.body) > 0 {
		// a news dateline opens the first paragraph: "SEOUL, Oct. 30 (Yonhap) --"
		if m := newsDatelineRe.FindStringSubmatch(pg.body[0].text); m != nil {
			if ds := findDates(m[0]); len(ds) > 0 {
				pg.pubDate, pg.pubText = ds[0], strings.TrimSpace(m[0])
			}
		}
	}
	return pg
}

// newsDatelineRe is the dateline of a wire story: "SEOUL, Oct. 30 (Yonhap) --".
var newsDatelineRe = mustRx(`^[A-Z][A-Z .,'-]{2,40},\s+[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?\s*(?:\([^)]{2,30}\))?\s*(?:--|—|–)`)

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
	n := 0
	for _, p := range rec.Paragraphs {
		n += len(p.Text) + 2
	}
	b.Grow(n)
	for _, p := range rec.Paragraphs {
		b.WriteString(p.Text)
		b.WriteString("\n\n")
	}
	return b.String()
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
		if num, text, ok := numbered(b); ok {
			p.Number, b = num, text
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

// MaxParagraph is the longest paragraph kept whole, in bytes. Real
// paragraphs are under 3 KB; a longer run of text (a file that is one
// line, a page whose text has no paragraph breaks) is cut into paragraphs
// of at most this size, at a sentence end when there is one (else at a
// space), so that the work and memory spent on one paragraph (people,
// meetings, topics, snippets) stay bounded.
const MaxParagraph = 16 << 10

// splitLong cuts paragraphs over MaxParagraph (see there) and numbers
// the paragraphs again; the first piece keeps the printed number.
func splitLong(paras []Paragraph) []Paragraph {
	long := false
	for _, p := range paras {
		if len(p.Text) > MaxParagraph {
			long = true
			break
		}
	}
	if !long {
		return paras
	}
	out := make([]Paragraph, 0, len(paras))
	for _, p := range paras {
		text := p.Text
		for len(text) > MaxParagraph {
			cut := cutPoint(text[:MaxParagraph+1])
			piece := p
			if piece.Text = strings.TrimSpace(text[:cut]); piece.Text != "" {
				out = append(out, piece)
				p.Number = ""
			}
			text = strings.TrimSpace(text[cut:])
		}
		if text != "" {
			p.Text = text
			out = append(out, p)
		}
	}
	for i := range out {
		out[i].N = i + 1
	}
	return out
}

// cutPoint returns where to cut s (a paragraph's first MaxParagraph+1
// bytes) so that the first piece is at most MaxParagraph bytes: after the
// last sentence end in its second half, else at its last space, else at
// the last rune boundary.
func cutPoint(s string) int {
	limit := len(s) - 1
	for i := limit; i > limit/2; i-- {
		if s[i] == ' ' && (s[i-1] == '.' || s[i-1] == '!' || s[i-1] == '?') {
			return i
		}
	}
	if i := strings.LastIndexByte(s[:limit], ' '); i > 0 {
		return i
	}
	i := limit
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	if i == 0 {
		return limit
	}
	return i
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
