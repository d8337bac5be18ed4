package alert

import (
	"bytes"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"
)

func TestFeedIsValidAtom(t *testing.T) {
	a := testAlert()
	m1, m2 := testMatch(2), testMatch(1)
	m2.ParagraphID, m2.N, m2.Title = "2026-01-01-scm-57-p9", 9, `Title with <b>&"quotes"`
	var buf bytes.Buffer
	if err := writeFeed(&buf, a, []Match{m1, m2}, "http://search.example"); err != nil {
		t.Fatal(err)
	}
	fp := gofeed.NewParser()
	feed, err := fp.Parse(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("gofeed: %v\n%s", err, buf.String())
	}
	if feed.FeedType != "atom" {
		t.Fatalf("feed type %q", feed.FeedType)
	}
	if !strings.Contains(feed.Title, "OPCON watch") {
		t.Errorf("feed title %q", feed.Title)
	}
	if len(feed.Items) != 2 {
		t.Fatalf("%d entries, want 2", len(feed.Items))
	}
	it := feed.Items[0]
	if it.Link != "http://search.example/records/2026-01-01-scm-57#p3" {
		t.Errorf("entry link %q", it.Link)
	}
	if !strings.Contains(it.Content, "<mark>operational control</mark>") {
		t.Errorf("entry content lacks the highlighted snippet: %q", it.Content)
	}
	for _, want := range []string{"57th SCM Joint Communiqué", "2026-01-01"} {
		if !strings.Contains(it.Title+it.Content, want) {
			t.Errorf("entry lacks %q: %q / %q", want, it.Title, it.Content)
		}
	}
	if it.GUID == feed.Items[1].GUID {
		t.Error("two entries share an id")
	}
	if feed.Items[1].Title != `Title with <b>&"quotes", ¶9 (2026-01-01)` {
		t.Errorf("escaped title came back as %q", feed.Items[1].Title)
	}
	if it.UpdatedParsed == nil || it.PublishedParsed == nil {
		t.Error("entry dates did not parse")
	}
}
