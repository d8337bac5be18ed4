package alert

import (
	"context"
	"fmt"
	"html"
	"strings"

	"dialoguesearch/corpus"
	"dialoguesearch/indexer"
	"dialoguesearch/lineage"
)

// Series watches (issue 15): an alert with a Series watches the editions of
// a meeting series. When a new edition enters the index, it gets a change
// report against the previous edition of the same kind, from the links the
// index stored: clauses dropped, new, reworded (with word diffs), and the
// tracked phrases the previous edition had that this one lacks. The report
// is one match per item, so it goes out like any match: Atom, webhook,
// email.
//
// No false "dropped": a record whose predecessor is of another kind (no
// earlier record of its kind), or that is not the latest edition of its
// kind (an older edition indexed late), gets no report.

// Limits on a series watch.
const (
	MaxTracked      = 20
	MaxTrackedchars = 200
)

// Report items, in Match.Section.
const (
	ItemDropped      = "dropped"
	ItemNew          = "new"
	ItemReworded     = "reworded"
	ItemSplit        = "split"
	ItemMerged       = "merged"
	ItemRestored     = "restored"
	ItemTrackedGone  = "tracked phrase gone"
	maxReportMatches = 500
)

// LineageSource gives the stored place and links of a record:
// *indexer.Index is one.
type LineageSource interface {
	History(id string) (*indexer.History, error)
	Compare(a, b string) (*indexer.Comparison, error)
}

// seriesReports delivers change reports to the active series watches for
// the records of newParas that are new editions. It returns the number of
// report items recorded.
func (s *Service) seriesReports(ctx context.Context, src RecordSource, newParas []indexer.Hit) (int, error) {
	ls, ok := src.(LineageSource)
	if !ok || len(newParas) == 0 {
		return 0, nil
	}
	alerts, err := s.store.Alerts()
	if err != nil {
		return 0, err
	}
	bySeries := map[string][]*Alert{}
	for _, a := range alerts {
		if a.Active && a.Series != "" {
			bySeries[strings.ToLower(a.Series)] = append(bySeries[strings.ToLower(a.Series)], a)
		}
	}
	if len(bySeries) == 0 {
		return 0, nil
	}
	seen := map[string]bool{}
	found := map[string][]Match{}
	for _, h := range newParas {
		if seen[h.RecordID] || len(bySeries[strings.ToLower(h.Meeting.Series)]) == 0 {
			continue
		}
		seen[h.RecordID] = true
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		hist, err := ls.History(h.RecordID)
		if err != nil {
			return 0, fmt.Errorf("alert: history of %s: %w", h.RecordID, err)
		}
		// only a new latest edition compared with one of its own kind
		if hist.Prev == nil || hist.CrossKind || hist.Next != nil {
			continue
		}
		cmp, err := ls.Compare(hist.Prev.ID, h.RecordID)
		if err != nil {
			return 0, fmt.Errorf("alert: compare %s: %w", h.RecordID, err)
		}
		if cmp.Swapped || cmp.CrossKind {
			continue
		}
		prev, err := src.Record(hist.Prev.ID)
		if err != nil {
			return 0, fmt.Errorf("alert: record %s: %w", hist.Prev.ID, err)
		}
		rec, err := src.Record(h.RecordID)
		if err != nil {
			return 0, fmt.Errorf("alert: record %s: %w", h.RecordID, err)
		}
		for _, a := range bySeries[strings.ToLower(h.Meeting.Series)] {
			found[a.ID] = append(found[a.ID], changeReport(a, cmp, prev, rec)...)
		}
	}
	if len(found) == 0 {
		return 0, nil
	}
	added, err := s.store.record(nil, found, s.cfg.Now().UTC())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, ms := range added {
		n += len(ms)
	}
	return n, nil
}

// changeReport is the report of alert a on the new edition rec (cmp: its
// comparison with prev).
func changeReport(a *Alert, cmp *indexer.Comparison, prev, rec *corpus.Record) []Match {
	var out []Match
	item := func(kind string, r *corpus.Record, n int, text, snippet string) {
		if len(out) >= maxReportMatches {
			return
		}
		var p corpus.Paragraph
		for _, q := range r.Paragraphs {
			if q.N == n {
				p = q
			}
		}
		out = append(out, Match{
			matchRef: matchRef{
				ParagraphID: corpus.ParagraphID(r.ID, n),
				// one item per alert, edition and change: a re-run finds it recorded
				TextHash: textHash("series\x00" + a.ID + "\x00" + rec.ID + "\x00" + kind + "\x00" + corpus.ParagraphID(r.ID, n) + "\x00" + text),
				RecordID: r.ID, N: n, SnippetHTML: snippet, Expansions: []string{},
			},
			paraText: paraText{
				Title: r.Title, Date: r.Date, Meeting: r.Meeting, Section: kind,
				Speakers: corpus.NonNil(p.Speakers), Topics: corpus.NonNil(p.Topics), Text: text,
			},
		})
	}
	// tracked phrases first: they are what the watcher asked about
	for _, ph := range a.Track {
		at := phraseIn(prev, ph)
		if at == 0 || phraseIn(rec, ph) != 0 {
			continue
		}
		text := fmt.Sprintf("%q was in the %s (¶%d) and is not in the %s.", ph, editionName(prev), at, editionName(rec))
		item(ItemTrackedGone, prev, at, text, html.EscapeString(text))
	}
	for _, r := range cmp.Rows {
		switch r.Kind {
		case lineage.Dropped:
			item(ItemDropped, prev, r.A.N, r.A.Text, "<del>[-"+html.EscapeString(r.A.Text)+"-]</del>")
		case lineage.New:
			item(ItemNew, rec, r.B.N, r.B.Text, "<ins>{+"+html.EscapeString(r.B.Text)+"+}</ins>")
		case string(lineage.Restored):
			item(ItemRestored, rec, r.B.N, r.B.Text, "<ins>{+"+html.EscapeString(r.B.Text)+"+}</ins>")
		case string(lineage.Reworded), string(lineage.Split), string(lineage.Merged):
			text, snippet := diffTexts(r.Diff)
			item(r.Kind, rec, r.B.N, fmt.Sprintf("%s (%s ¶%d, similarity %.0f%%): %s", r.Kind, editionName(prev), r.A.N, r.Similarity*100, text), snippet)
		}
	}
	return out
}

// diffTexts renders a word diff as text ([-deleted-] {+inserted+}) and as
// HTML (<del>/<ins> around the same markers, readable without colour).
func diffTexts(ps []lineage.Piece) (string, string) {
	var t, h strings.Builder
	for _, p := range ps {
		w := strings.TrimRight(p.Text, " \t\r\n")
		sp := p.Text[len(w):]
		switch p.Op {
		case "+":
			t.WriteString("{+" + w + "+}" + sp)
			h.WriteString("<ins>{+" + html.EscapeString(w) + "+}</ins>" + sp)
		case "-":
			t.WriteString("[-" + w + "-]" + sp)
			h.WriteString("<del>[-" + html.EscapeString(w) + "-]</del>" + sp)
		default:
			t.WriteString(p.Text)
			h.WriteString(html.EscapeString(p.Text))
		}
	}
	return t.String(), h.String()
}

// phraseIn returns the first paragraph of r holding phrase (case, spacing
// and typographic quotes ignored), 0 when none does.
func phraseIn(r *corpus.Record, phrase string) int {
	want := foldText(phrase)
	if want == "" {
		return 0
	}
	for _, p := range r.Paragraphs {
		if strings.Contains(foldText(p.Text), want) {
			return p.N
		}
	}
	return 0
}

var foldQuotes = strings.NewReplacer("’", "'", "‘", "'", "“", `"`, "”", `"`, "–", "-", "—", "-")

func foldText(s string) string {
	return strings.Join(strings.Fields(strings.ToLower(foldQuotes.Replace(s))), " ")
}

func editionName(r *corpus.Record) string {
	n := r.Meeting.Name
	if n == "" {
		n = r.Title
	}
	if r.Kind != "" {
		n += " " + r.Kind
	}
	return n
}

// validateSeries checks a series watch's fields.
func validateSeries(a *Alert) error {
	if len([]rune(a.Series)) > 100 {
		return fmt.Errorf("series is longer than 100 characters")
	}
	if len(a.Track) > MaxTracked {
		return fmt.Errorf("at most %d tracked phrases", MaxTracked)
	}
	for _, p := range a.Track {
		if len([]rune(p)) > MaxTrackedchars {
			return fmt.Errorf("a tracked phrase is longer than %d characters", MaxTrackedchars)
		}
	}
	return nil
}
