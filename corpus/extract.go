package corpus

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// recordContext is what the extraction steps share about one record.
type recordContext struct {
	rec      *Record
	header   []string
	meetSent string
	context  []string
	// bySurname maps a surname to the people named in full in the record,
	// so that "Minister Kihara" resolves to the Kihara of the record.
	bySurname map[string]Person
	parties   map[string]bool // sides named in the title and first paragraphs
}

func (r *Rules) newRecordContext(rec *Record, pg page) *recordContext {
	ctx := &recordContext{rec: rec, header: pg.header, bySurname: map[string]Person{}, parties: map[string]bool{}}
	scan := []string{rec.Title}
	for _, p := range rec.Paragraphs {
		scan = append(scan, p.Text)
	}
	for i, s := range scan {
		// known people anywhere; people found by their title in the title
		// and first paragraphs, where a record introduces its speakers
		// (titled detection on every paragraph cost a fifth of the parse)
		ms := r.knownMentions(s)
		if i <= 3 {
			ms = r.fullPeopleIn(s)
		}
		for _, m := range ms {
			for _, sn := range surnamesOf(m.Name) {
				if _, ok := ctx.bySurname[sn]; !ok {
					ctx.bySurname[sn] = m.Person
				}
			}
		}
	}
	head := rec.Title
	for i, p := range rec.Paragraphs {
		if i >= 2 {
			break
		}
		head += "\n" + p.Text
	}
	for i, re := range r.people.sideWordRe {
		if re.MatchString(head) {
			ctx.parties[r.people.SideWords[i].Side] = true
		}
	}
	return ctx
}

// surnamesOf returns the words a person may be called by with a title:
// the family name (first for a Korean or Japanese name written family
// first, else last).
func surnamesOf(name string) []string {
	toks := strings.Fields(strings.TrimSuffix(strings.TrimSuffix(name, " Jr."), " III"))
	if len(toks) < 2 {
		return nil
	}
	return []string{toks[0], toks[len(toks)-1]}
}

// dialogueLike says whether a record's text is about a dialogue at all:
// it names a meeting series, a person, or a side ("the two sides").
func (r *Rules) dialogueLike(rec *Record, ctx *recordContext) bool {
	if len(r.findMeetings(rec.Title)) > 0 || len(ctx.bySurname) > 0 {
		return true
	}
	for _, p := range rec.Paragraphs {
		if r.meetings.dialogueRe.MatchString(p.Text) || len(r.findMeetings(p.Text)) > 0 || r.people.sideRe.MatchString(p.Text) ||
			len(r.peopleIn(p.Text, ctx)) > 0 {
			return true
		}
	}
	return false
}

// extractMeeting finds the record's meeting: in the title first, then in
// the first paragraphs (a mention with an ordinal, else any in the first
// one). A meeting spoken of as future ("looked forward to the 55th SCM")
// is not the record's.
func (r *Rules) extractMeeting(rec *Record, ctx *recordContext) {
	pick := func(ms []meetingMention, needNumber bool, where string) bool {
		for _, m := range ms {
			if m.future || needNumber && m.number == 0 {
				continue
			}
			rec.Meeting = meetingOf(m.series, m.number)
			rec.Evidence["series"] = Evidence{Text: m.text, How: Stated, Note: "named in the " + where}
			if m.number > 0 {
				rec.Evidence["number"] = Evidence{Text: m.text, How: Stated}
			}
			return true
		}
		return false
	}
	// each text is looked at twice (with an ordinal, then any): found once
	titleMs := r.findMeetings(rec.Title)
	if pick(titleMs, true, "title") {
		return
	}
	paraMs := make([][]meetingMention, min(3, len(rec.Paragraphs)))
	for i := range paraMs {
		paraMs[i] = r.findMeetings(rec.Paragraphs[i].Text)
		if pick(paraMs[i], true, "text") {
			return
		}
	}
	if pick(titleMs, false, "title") {
		return
	}
	for i, ms := range paraMs {
		if i >= 2 {
			break
		}
		if pick(ms, false, "text") {
			return
		}
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
				for _, m := range r.findMeetingsOf(s, rec.Meeting.Series) {
					if m.series.ID == rec.Meeting.Series && (m.number == rec.Meeting.Number || m.number == 0) && !m.future {
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

// extractDate sets the record date: the meeting date the text states
// (with the year from evidence when the text leaves it out), else the
// publication date, else none, saying why.
func (r *Rules) extractDate(rec *Record, ctx *recordContext, pg page) {
	sents := append([]string{ctx.meetSent}, ctx.context...)
	text := allText(rec) + "\n" + strings.Join(ctx.header, "\n")
	pub, pubText := pg.pubDate, pg.pubText
	var pubDate Date
	if pubText != "" {
		pub = r.resolveNumeric(rec, pub, text)
		if pub.hasYear() && !pub.ambiguous {
			pubDate, _ = mkDate(pub.year, pub.month, pub.day)
		}
	}
	if pubDate == "" {
		if y, m, d := urlDate(rec.SourceURL); y > 0 && m > 0 && d > 0 {
			pubDate, _ = mkDate(y, m, d)
			pubText = rec.SourceURL
		}
	}
	set := func(m dateMention, how, note string) bool {
		d, ok := mkDate(m.year, m.month, m.day)
		if !ok {
			return false
		}
		rec.Date, rec.DateInferred, rec.DateNote = d, how == Inferred, note
		if m.endDay > 0 {
			y := m.year
			if m.endMonth < m.month {
				y++
			}
			rec.DateEnd, _ = mkDate(y, m.endMonth, m.endDay)
		}
		rec.Evidence["date"] = Evidence{Text: m.text, How: how, Note: note}
		return true
	}
	// 1. A date in the sentences about the meeting.
	for _, s := range sents {
		if s == "" {
			continue
		}
		for _, m := range findDates(s) {
			m = r.resolveNumeric(rec, m, text)
			if m.ambiguous {
				rec.DateNote = fmt.Sprintf("no date: %q could be day first or month first, and the record does not show which its publisher uses", m.text)
				rec.Evidence["date"] = Evidence{Text: m.text, How: Inferred, Note: rec.DateNote}
				return
			}
			if m.hasYear() {
				note := fmt.Sprintf("meeting date stated in the text: %q", m.text)
				if pubText != "" && pubDate != "" {
					if d, _ := mkDate(m.year, m.month, m.day); d != pubDate {
						note += fmt.Sprintf("; the dateline %q (publication) differs and is not used", pubText)
					}
				}
				if set(m, Stated, note) {
					return
				}
				continue
			}
			if y, why := r.yearFor(rec, m, pubDate, pubText, text); y > 0 {
				m.year = y
				note := fmt.Sprintf("year inferred: the text gives %q without a year; %s", m.text, why)
				if m.endDay > 0 {
					note += "; the first day of the meeting is used"
				}
				if set(m, Inferred, note) {
					return
				}
			}
			rec.DateNote = fmt.Sprintf("no date: the text gives %q without a year, and nothing in it shows the year", m.text)
			rec.Evidence["date"] = Evidence{Text: m.text, How: Inferred, Note: rec.DateNote}
			return
		}
		// "held ... on Friday": the weekday before the publication date.
		if ws := weekdays(s); len(ws) > 0 && pubDate != "" {
			w := ws[0]
			if d, ok := onWeekday(pubDate, w.weekday); ok {
				rec.Date, rec.DateInferred = d, true
				rec.DateNote = fmt.Sprintf("inferred: the text says %q, the %s on or before the publication date %q", w.text, w.weekday, pubText)
				if w.endWeekday >= 0 {
					t, _ := d.Time()
					for i := 1; i < 7; i++ {
						if t.AddDate(0, 0, i).Weekday() == w.endWeekday {
							rec.DateEnd = Date(t.AddDate(0, 0, i).Format(time.DateOnly))
							break
						}
					}
				}
				rec.Evidence["date"] = Evidence{Text: w.text, How: Inferred, Note: rec.DateNote}
				return
			}
		}
	}
	// 2. The publication date.
	if pubText != "" {
		if pub.ambiguous {
			rec.DateNote = fmt.Sprintf("no date: the publication date %q could be day first or month first, and the record does not show which its publisher uses", pubText)
			rec.Evidence["date"] = Evidence{Text: pubText, How: Inferred, Note: rec.DateNote}
			return
		}
		if pubDate != "" {
			rec.Date, rec.DateNote = pubDate, fmt.Sprintf("from the dateline %q", pubText)
			rec.Evidence["date"] = Evidence{Text: pubText, How: Stated, Note: "publication date; the text states no meeting date"}
			return
		}
		if y, why := r.yearFor(rec, pub, "", "", text); y > 0 {
			pub.year = y
			if set(pub, Inferred, fmt.Sprintf("year inferred: the dateline %q gives no year; %s", pubText, why)) {
				return
			}
		}
	}
	// 3. The first full date of the first paragraph.
	if len(rec.Paragraphs) > 0 {
		for _, m := range findDates(rec.Paragraphs[0].Text) {
			if m.hasYear() && !m.ambiguous && set(m, Stated, fmt.Sprintf("first date stated in the text: %q", m.text)) {
				return
			}
		}
	}
	rec.DateNote = "no date: the text states none"
}

// resolveNumeric settles a numeric date that could be day first or month
// first by the publisher's convention, when the record shows it.
func (r *Rules) resolveNumeric(rec *Record, m dateMention, text string) dateMention {
	if !m.ambiguous {
		return m
	}
	dayFirst, _, ok := r.dayFirstConvention(text, rec.SourceURL)
	if !ok {
		return m
	}
	m.ambiguous = false
	if dayFirst {
		m.month, m.day = time.Month(m.day), int(m.month)
	}
	return m
}

// yearFor finds the year of a date given without one: from the publication
// date (the meeting is at most a few days before it), the year in the
// source URL, the meeting ordinal's known year, or "this year's Nth ...".
func (r *Rules) yearFor(rec *Record, m dateMention, pubDate Date, pubText, text string) (int, string) {
	if pubDate != "" {
		y := pubDate.Year()
		t, _ := pubDate.Time()
		if d, ok := mkDate(y, m.month, m.day); ok {
			if dt, _ := d.Time(); dt.After(t.AddDate(0, 0, 14)) {
				y--
			}
		}
		return y, fmt.Sprintf("the publication date is %q", pubText)
	}
	if y, why := r.yearEvidence(text, rec.Meeting); y > 0 {
		return y, why
	}
	if y, _, _ := urlDate(rec.SourceURL); y > 0 {
		return y, fmt.Sprintf("the source URL %s has the year %d in its path", rec.SourceURL, y)
	}
	return 0, ""
}

// extractLocation sets the meeting place: none for a meeting held by
// video; else the place named in the sentences about the meeting, or in
// the title.
func (r *Rules) extractLocation(rec *Record, meetSent string, context []string) {
	for _, s := range append([]string{meetSent, rec.Title}, context...) {
		if loc := r.meetings.videoRe.FindString(s); loc != "" {
			rec.Evidence["location"] = Evidence{Text: loc, How: Stated, Note: "held by video: no place"}
			return
		}
	}
	for _, s := range append([]string{meetSent}, append(context, rec.Title)...) {
		if p := r.placeIn(s); p != "" {
			rec.Location = p
			rec.Evidence["location"] = Evidence{Text: s, How: Stated}
			return
		}
	}
}

// firstPersonRe is a release in the minister's own voice: "Today I met with".
var firstPersonRe = mustRx(`(?:^|\s)I\s+(?:met|hosted|held|welcomed|visited|convened|co-chaired|travelled|traveled)\b`)

// principals are the people who led the delegations: in the sentences
// that say who met, led or held the meeting, the first person of each side
// (the first two of each side for a series with two leaders a side, such
// as a 2+2), U.S. first, then the others in the order named.
func (r *Rules) principals(rec *Record, ctx *recordContext, pg page) []Person {
	per := 1
	if se := r.seriesByID(rec.Meeting.Series); se != nil && se.PrincipalsPerSide > 0 {
		per = se.PrincipalsPerSide
	}
	bySide := map[string][]Person{}
	var order []string
	var evidence []string
	add := func(p Person) {
		if p.Side == "" {
			p.Side = r.otherParty(ctx)
		}
		if p.Side != SideUS && p.Side != SideROK && p.Side != SideJapan && p.Side != SideAustralia {
			return
		}
		for _, q := range bySide[p.Side] {
			if q.Name == p.Name {
				return
			}
		}
		if len(bySide[p.Side]) >= per {
			return
		}
		if len(bySide[p.Side]) == 0 {
			order = append(order, p.Side)
		}
		bySide[p.Side] = append(bySide[p.Side], p)
	}
	for _, s := range append([]string{ctx.meetSent}, ctx.context...) {
		if s == "" || s != ctx.meetSent && !leadVerbRe.MatchString(s) && !meetingVerbRe.MatchString(s) {
			continue
		}
		n := len(order)
		if firstPersonRe.MatchString(s) {
			// the author of the release, named in its header
			for _, l := range ctx.header {
				if ms := r.knownMentions(l); len(ms) > 0 {
					add(ms[0].Person)
					break
				}
			}
		}
		for _, m := range r.peopleIn(s, ctx) {
			add(m.Person)
		}
		if len(order) > n || len(bySide) > 0 && len(evidence) == 0 {
			evidence = append(evidence, s)
		}
	}
	out := []Person{}
	for _, p := range bySide[SideUS] {
		out = append(out, p)
	}
	for _, side := range order {
		if side != SideUS {
			out = append(out, bySide[side]...)
		}
	}
	if len(out) > 0 {
		rec.Evidence["principals"] = Evidence{Text: strings.Join(evidence, " "), How: Stated}
	}
	return out
}

// otherParty is the side of a person whose title does not say it: the one
// party of the record besides the United States.
func (r *Rules) otherParty(ctx *recordContext) string {
	var other []string
	for s := range ctx.parties {
		if s != SideUS {
			other = append(other, s)
		}
	}
	if len(other) == 1 {
		return other[0]
	}
	return ""
}

// attribute returns the speakers and the voice of a paragraph. In each
// sentence the people, references ("the Secretary", "the two leaders") and
// sides ("the U.S. side", "both sides") before its first reporting verb
// speak. The voice is one party when only that party speaks, joint when
// several do or a reference names them together, and for a paragraph that
// attributes nothing: reported in a news report, joint otherwise (the
// records are joint documents or one side's account of a joint meeting).
func (r *Rules) attribute(text string, rec *Record, ctx *recordContext) (speakers, voice []string) {
	pd := r.people
	principals := rec.Principals
	speakers = []string{}
	sides := map[string]bool{}
	joint := false
	addSpeaker := func(p Person) {
		for _, s := range speakers {
			if s == p.Name {
				return
			}
		}
		speakers = append(speakers, p.Name)
		if p.Side != "" {
			sides[p.Side] = true
		}
	}
	principal := func(side string) {
		if side == "both" {
			joint = true
		}
		for _, p := range principals {
			if side == "both" || p.Side == side {
				addSpeaker(p)
			}
		}
	}
	for _, s := range splitSentences(text) {
		v := pd.verbs.index(s)
		if v < 0 {
			continue
		}
		subj := []byte(s[:v])
		mask := func(a, b int) {
			for i := a; i < b; i++ {
				subj[i] = '#'
			}
		}
		for _, m := range r.peopleIn(string(subj), ctx) {
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
				joint = true
			case "":
			default:
				sides[side] = true
			}
		}
	}
	for _, p := range r.surnameSpeakers(text, principals) {
		addSpeaker(p)
	}
	switch {
	case len(sides) == 1 && !joint:
		for s := range sides {
			voice = []string{s}
		}
	case joint || len(sides) > 1:
		voice = []string{VoiceJoint}
	case rec.Kind == KindNewsReport:
		voice = []string{VoiceReported}
	default:
		voice = []string{VoiceJoint}
	}
	if rec.Kind == KindNewsReport && voice[0] == VoiceJoint {
		// a story's account of what both sides did is the reporter's
		voice = []string{VoiceReported}
	}
	return speakers, voice
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
		i := strings.Index(text, surname+" ")
		for i >= 0 {
			rest := text[i+len(surname)+1:]
			rest = strings.TrimPrefix(strings.TrimPrefix(rest, "also "), "further ")
			if pd.verbs.index(" "+rest) == 0 && (i == 0 || !isLetter(text[i-1])) {
				hits = append(hits, hit{i, p})
				break
			}
			j := strings.Index(text[i+1:], surname+" ")
			if j < 0 {
				break
			}
			i += 1 + j
		}
	}
	for i := 1; i < len(hits); i++ {
		for j := i; j > 0 && hits[j].pos < hits[j-1].pos; j-- {
			hits[j], hits[j-1] = hits[j-1], hits[j]
		}
	}
	out := make([]Person, len(hits))
	for i, h := range hits {
		out[i] = h.p
	}
	return out
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// applyFrontMatter sets the fields the front matter or the sidecar file
// gives, over what was extracted.
func (r *Rules) applyFrontMatter(rec *Record, fm frontMatter) error {
	set := func(field, v string) {
		rec.Evidence[field] = Evidence{Text: v, How: Set, Note: "front matter or sidecar file"}
	}
	if rec.Evidence == nil {
		rec.Evidence = map[string]Evidence{}
	}
	if v := fm["title"]; v != "" {
		rec.Title = v
	}
	if d := fm["date"]; d != "" {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return fmt.Errorf("front matter date %q is not YYYY-MM-DD", d)
		}
		rec.Date, rec.DateInferred, rec.DateNote = Date(d), fm["date_inferred"] == "true", firstOf(fm["date_note"], "from the front matter")
		set("date", d)
	}
	if d := fm["date_end"]; d != "" {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return fmt.Errorf("front matter date_end %q is not YYYY-MM-DD", d)
		}
		rec.DateEnd = Date(d)
	}
	if v := fm["kind"]; v != "" {
		rec.Kind = v
	}
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
		set("series", s)
		set("number", fm["number"])
	} else if n := fm["number"]; n != "" {
		rec.Meeting.Number, _ = strconv.Atoi(n)
		if se := r.seriesByID(rec.Meeting.Series); se != nil {
			rec.Meeting = meetingOf(se, rec.Meeting.Number)
		}
		set("number", n)
	}
	if fm["meeting"] != "" {
		rec.Meeting.Name = fm["meeting"]
	}
	if l, ok := fm["location"]; ok {
		rec.Location = l
		set("location", l)
	}
	if v := fm["principals"]; v != "" {
		rec.Principals = r.frontMatterPeople(v)
		set("principals", v)
	}
	return nil
}

// review lists the record's missing and uncertain fields.
func (r *Rules) review(rec *Record) {
	var out []string
	if rec.Date == "" {
		out = append(out, "date missing")
	} else if rec.DateInferred && rec.Evidence["date"].How != Set {
		out = append(out, "date inferred")
	}
	if rec.Meeting.Series == "" {
		out = append(out, "series missing")
	}
	if se := r.seriesByID(rec.Meeting.Series); se != nil && rec.Meeting.Number == 0 && (len(se.Ordinals) > 0 || se.YearOffset > 0) {
		out = append(out, "ordinal missing")
	}
	if rec.Location == "" && rec.Evidence["location"].Text == "" {
		out = append(out, "location missing")
	}
	if len(rec.Principals) == 0 {
		out = append(out, "principals missing")
	}
	for _, p := range rec.Principals {
		if p.Side == "" {
			out = append(out, "side of "+p.Name+" unknown")
		}
	}
	rec.Review = append(rec.Review, out...)
}

// defenseTitleRe is the title of a defense minister or secretary.
var defenseTitleRe = mustRx(`(?i)\b(?:secretary\s+of\s+(?:defense|war)|defen[cs]e\s+(?:minister|secretary)|minister\s+(?:of|for)\s+(?:national\s+)?defen[cs]e)\b`)

// readoutMeetRe says the record is about a meeting: "Meeting With",
// "met with", "held talks".
var readoutMeetRe = mustRx(`(?i)\b(?:meeting\s+with|met\s+(?:today\s+|virtually\s+)?with|held\s+(?:a\s+)?(?:bilateral\s+)?(?:talks|meeting)|meets\s+with)\b`)

// inferDefenseMinisterial names the series of a record about a meeting of
// two defense ministers that does not name one (a readout of "Secretary
// Austin's Meeting With Japanese Minister of Defense Kihara"): a bilateral
// defense ministers' meeting, inferred from the two principals' titles.
func (r *Rules) inferDefenseMinisterial(rec *Record) {
	if rec.Meeting.Series != "" || len(rec.Principals) != 2 || rec.Principals[0].Side == rec.Principals[1].Side {
		return
	}
	for _, p := range rec.Principals {
		if !defenseTitleRe.MatchString(p.Title) {
			return
		}
	}
	lead := rec.Title
	if len(rec.Paragraphs) > 0 {
		lead += "\n" + rec.Paragraphs[0].Text
	}
	loc := readoutMeetRe.FindString(lead)
	if loc == "" {
		return
	}
	se := r.seriesByID("dmm")
	if se == nil {
		return
	}
	rec.Meeting = meetingOf(se, 0)
	rec.Evidence["series"] = Evidence{Text: loc, How: Inferred, Note: "two defense ministers met: " + rec.Principals[0].Name + ", " + rec.Principals[1].Name}
}
