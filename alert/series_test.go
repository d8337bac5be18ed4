package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"dialoguesearch/alert/alerttest"
	"dialoguesearch/corpus"
	"dialoguesearch/indexer"
)

// seriesEditions returns the shipped records and the lineage test editions
// (56th and 57th SCM communiqués), by meeting number.
func seriesEditions(t *testing.T) ([]*corpus.Record, map[int]*corpus.Record) {
	t.Helper()
	shipped, problems := corpus.Load(corpus.Default())
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	eds := map[int]*corpus.Record{}
	files, _ := filepath.Glob("../lineage/testdata/editions/*.txt")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := corpus.Parse(bytes.NewReader(b), filepath.Base(f))
		if err != nil {
			t.Fatal(err)
		}
		eds[r.Meeting.Number] = r
	}
	for _, r := range shipped {
		if r.Meeting.Series == "SCM" && r.Meeting.Number == 55 {
			eds[55] = r
		}
	}
	return shipped, eds
}

// A series watch gets, for a new edition, a change report (dropped, new,
// reworded with word diffs, tracked phrases gone) through the webhook,
// email and Atom; a record of another kind and an older edition indexed
// late report nothing.
func TestSeriesWatchReportsANewEdition(t *testing.T) {
	shipped, eds := seriesEditions(t)
	idx, err := indexer.NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	ctx := context.Background()
	if _, err := idx.Sync(ctx, append(slices.Clone(shipped), eds[56]), nil); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	var payloads []WebhookPayload
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var p WebhookPayload
		if err := json.Unmarshal(b, &p); err != nil {
			t.Errorf("webhook body: %v", err)
		}
		mu.Lock()
		payloads = append(payloads, p)
		mu.Unlock()
	}))
	defer hook.Close()
	smtpSrv := alerttest.StartSMTP(t)
	var clk clock
	clk.set(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	svc, err := Open(t.TempDir(), Config{
		BaseURL: "http://search.example", Now: clk.now, WebhookAllowPrivate: true,
		Mail: MailConfig{Addr: smtpSrv.Addr, Username: smtpSrv.User, Password: smtpSrv.Password, From: "alerts@x.test", TLS: smtpSrv.ClientTLS},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	v, err := svc.Create(Input{Settings: Settings{Search: Search{Series: "SCM", Track: []string{"counter-unmanned aircraft systems", "extended deterrence"}}, WebhookURL: hook.URL, Email: "analyst@example.org"}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Name != "Changes in SCM" || v.Series != "SCM" || len(v.Track) != 2 {
		t.Fatalf("view %+v", v)
	}
	// The address confirms first (double opt-in): the confirmation is mail 1.
	confirmByMail(t, svc, smtpSrv.WaitFor(t, 1, 5*time.Second)[0], v.ID)
	// a plain query alert alongside: series watches do not disturb it
	q, err := svc.Create(Input{Settings: Settings{Search: Search{Query: "hospitality"}}})
	if err != nil {
		t.Fatal(err)
	}

	// the 57th arrives
	st, err := idx.Upsert(ctx, []*corpus.Record{eds[57]})
	if err != nil {
		t.Fatal(err)
	}
	n, err := svc.OnIndexed(ctx, idx, st.NewParagraphs)
	if err != nil {
		t.Fatal(err)
	}
	ms, total, err := svc.store.Matches(v.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	items := map[string][]string{}
	for _, m := range ms {
		items[m.Section] = append(items[m.Section], corpus.ParagraphID(m.RecordID, m.N))
	}
	want := map[string][]string{
		ItemTrackedGone: {"scm-56-2024-10-30-communique-p28"},
		ItemDropped:     {"scm-56-2024-10-30-communique-p28"},
		ItemRestored:    {"scm-57-2025-11-04-communique-p29"},
		ItemReworded:    {"scm-57-2025-11-04-communique-p1", "scm-57-2025-11-04-communique-p11", "scm-57-2025-11-04-communique-p31"},
	}
	for k, w := range want {
		got := items[k]
		slices.Sort(got)
		if !slices.Equal(got, w) {
			t.Errorf("%s: %v, want %v", k, got, w)
		}
	}
	if total != 6 || n < total {
		t.Errorf("report of %d items (OnIndexed said %d), want 6: %v", total, n, items)
	}
	for _, m := range ms {
		if m.Section == ItemReworded && m.N == 11 && (!strings.Contains(m.Text, "{+keep+}") || !strings.Contains(m.SnippetHTML, "<del>[-continue-]</del>")) {
			t.Errorf("reworded item without its diff: %q / %q", m.Text, m.SnippetHTML)
		}
	}
	if qn, _ := svc.store.MatchCount(q.ID); qn != 1 {
		t.Errorf("query alert: %d matches, want 1 (the hospitality paragraph of the 57th)", qn)
	}

	// delivered: webhook, email, Atom
	clk.add(time.Minute)
	if rep, err := svc.DeliverDue(ctx); err != nil || rep.Sent < 2 {
		t.Fatalf("deliveries: %+v %v", rep, err)
	}
	mu.Lock()
	if len(payloads) != 1 || len(payloads[0].Matches) != 6 {
		t.Errorf("webhook: %d payloads", len(payloads))
	} else if payloads[0].Matches[0].Section != ItemTrackedGone {
		t.Errorf("webhook: first item %q, want the tracked phrase", payloads[0].Matches[0].Section)
	}
	mu.Unlock()
	msgs := smtpSrv.WaitFor(t, 2, 5*time.Second)
	if body := string(msgs[1].Data); !containsAll(body, "tracked phrase gone", "counter-unmanned aircraft systems", "[-continue-]", "{+keep+}", "changes between editions of SCM") {
		t.Errorf("email:\n%s", body)
	}
	a, _ := svc.store.Alert(v.ID)
	var feed bytes.Buffer
	if err := writeFeed(&feed, a, ms, "http://search.example"); err != nil {
		t.Fatal(err)
	}
	if !containsAll(feed.String(), "tracked phrase gone", "&lt;del&gt;[-continue-]&lt;/del&gt;") {
		t.Errorf("feed lacks the report:\n%.2000s", feed.String())
	}

	// no false "dropped": an older edition indexed late (the 54th) and a
	// record of another kind (a press release of the 57th) report nothing
	old := *eds[55]
	old.ID, old.Meeting.Number, old.Meeting.Name, old.Date = "scm-54-2022-11-03-communique", 54, "54th SCM", "2022-11-03"
	old.Paragraphs = slices.Clone(old.Paragraphs[:20])
	release := &corpus.Record{ID: "scm-57-2025-11-04-release", Title: "57th SCM press release", Kind: corpus.KindPressRelease,
		Date: "2025-11-04", Meeting: corpus.Meeting{Series: "SCM", Number: 57, Name: "57th SCM"},
		Paragraphs: []corpus.Paragraph{{N: 1, Text: "Secretary Hegseth met Minister Ahn in Seoul for the 57th SCM."}}}
	for _, r := range []*corpus.Record{&old, release} {
		st, err := idx.Upsert(ctx, []*corpus.Record{r})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.OnIndexed(ctx, idx, st.NewParagraphs); err != nil {
			t.Fatal(err)
		}
		if _, n, _ := svc.store.Matches(v.ID, 0, 1); n != total {
			t.Errorf("%s: the series watch now holds %d items, want still %d", r.ID, n, total)
		}
	}
	// the same edition again: nothing new
	if _, err := svc.OnIndexed(ctx, idx, st.NewParagraphs); err != nil {
		t.Fatal(err)
	}
	if _, n, _ := svc.store.Matches(v.ID, 0, 1); n != total {
		t.Errorf("a second run added items: %d", n)
	}
}

func TestSeriesWatchValidation(t *testing.T) {
	svc, err := Open(t.TempDir(), Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	if _, err := svc.Create(Input{Settings: Settings{Search: Search{Track: []string{"extended deterrence"}, Query: "x"}}}); err == nil {
		t.Error("tracked phrases without a series accepted")
	}
	many := make([]string, MaxTracked+1)
	for i := range many {
		many[i] = strings.Repeat("x", i+1)
	}
	if _, err := svc.Create(Input{Settings: Settings{Search: Search{Series: "SCM", Track: many}}}); err == nil {
		t.Error("too many tracked phrases accepted")
	}
	var in Input
	if err := json.Unmarshal([]byte(`{"watch":"SCM","track":["extended deterrence"]}`), &in); err != nil {
		t.Fatal(err)
	}
	v, err := svc.Create(in)
	if err != nil || v.Series != "SCM" || len(v.Track) != 1 {
		t.Fatalf("create from JSON: %+v %v", v, err)
	}
	// "series" stays the facet filter it always was
	if err := json.Unmarshal([]byte(`{"q":"OPCON","series":"SCM"}`), &in); err != nil {
		t.Fatal(err)
	}
	v, err = svc.Create(in)
	if err != nil || v.Series != "" || !slices.Equal(v.Filters["series"], []string{"SCM"}) {
		t.Fatalf("series filter: %+v %v", v, err)
	}
}
