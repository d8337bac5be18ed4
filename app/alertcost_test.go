package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"dialoguesearch/alert"
	"dialoguesearch/failure"
	"dialoguesearch/indexer"
)

// An alert's query gets a search's budget when it is saved: a query over
// the term limit, or whose prefix terms expand to more words of the index
// than a search may, is refused with the message a search gives (400
// naming q), on creation and on edit; a query within it is saved.
func TestAlertQueryHasTheSearchBudget(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var words []string
	for i := range indexer.MaxExpansions + 10 {
		words = append(words, fmt.Sprintf("zq%04d", i))
	}
	rec := "Word list\n\nThe two sides met on May 5, 2024 in Seoul. " + strings.Join(words, " ") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "words.txt"), []byte(rec), 0o644); err != nil {
		t.Fatal(err)
	}
	a := openApp(t, Config{DataDir: t.TempDir(), CorpusDir: dir})
	if _, err := a.Build(ctx, nil); err != nil {
		t.Fatal(err)
	}
	idx, err := a.Index()
	if err != nil {
		t.Fatal(err)
	}
	svc, err := a.Alerts()
	if err != nil {
		t.Fatal(err)
	}
	var many []string
	for i := range indexer.MaxClauses + 1 {
		many = append(many, fmt.Sprintf("word%d", i))
	}
	for _, tc := range []struct{ q, says string }{
		{"zq0* OR zq1*", "prefix"},            // 1,010 words: over MaxExpansions
		{strings.Join(many, " OR "), "terms"}, // 65 terms
		{strings.Join(many, " "), "terms"},    // 65 terms, AND
	} {
		_, serr := idx.Search(ctx, indexer.Request{Query: tc.q})
		_, err := svc.Create(alert.Input{Settings: alert.Settings{Search: alert.Search{Query: tc.q}}})
		var fe *failure.Error
		if failure.KindOf(err) != failure.BadInput || !errors.As(err, &fe) || fe.Param != "q" || !strings.Contains(failure.Message(err), tc.says) {
			t.Errorf("alert %.40q: %v; want a 400 naming q about %s", tc.q, err, tc.says)
		}
		if failure.Message(err) != failure.Message(serr) {
			t.Errorf("alert %.40q says %q, the search %q", tc.q, failure.Message(err), failure.Message(serr))
		}
	}
	v, err := svc.Create(alert.Input{Settings: alert.Settings{Search: alert.Search{Query: "zq00* OR zq01*"}}})
	if err != nil {
		t.Fatalf("a query within the budget: %v", err)
	}
	_, err = svc.Update(v.ID, v.ManageToken, alert.Input{Settings: alert.Settings{Search: alert.Search{Query: "zq0* OR zq1*"}}, Set: map[string]bool{"q": true}})
	if failure.KindOf(err) != failure.BadInput || !strings.Contains(failure.Message(err), "prefix") {
		t.Errorf("editing the query past the budget: %v; want a 400 about prefix terms", err)
	}
}
