package indexer

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
)

func TestCollapseRepeats(t *testing.T) {
	for _, tc := range []struct{ in, same string }{
		{strings.Repeat("alliance OR ", 80) + "alliance", "alliance"},
		{"alliance OR Alliance OR deterrence OR alliance", "alliance OR deterrence"},
		{"(a1 OR b1) OR (b1 OR a1 OR c1)", "a1 OR b1 OR c1"},
		{"alliance alliance alliance deterrence", "alliance deterrence"},
		{`"extended deterrence" NCG "extended deterrence"`, `"extended deterrence" NCG`},
		{"de* OR de* OR de*", "de*"},
		{"NOT japan NOT japan alliance", "NOT japan alliance"},
		// Words apart in an AND stay: "korea north korea" holds the
		// synonym run "north korea".
		{"korea north korea", "korea north korea"},
	} {
		in, err := parseQuery(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		want, err := parseQuery(tc.same)
		if err != nil {
			t.Fatal(err)
		}
		if got, w := nodeKey(collapse(in)), nodeKey(want); got != w {
			t.Errorf("collapse(%.40q) = %s, want %s", tc.in, got, w)
		}
	}
}

// A query within the length limit but over the cost budget is refused with
// a 400 naming q and saying what to change; repeats do not count.
func TestQueryCostBudget(t *testing.T) {
	x := shippedIndex(t)
	ctx := context.Background()
	var words []string
	for i := 0; i < MaxClauses+1; i++ {
		words = append(words, "w"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	for _, tc := range []struct{ q, says string }{
		{strings.Join(words, " OR "), "terms"},
		{strings.Join(words, " "), "terms"},
	} {
		_, err := x.Search(ctx, Request{Query: tc.q})
		if failure.KindOf(err) != failure.BadInput || !strings.Contains(failure.Message(err), tc.says) {
			t.Errorf("%.50q: err %v, want BadInput about %s", tc.q, err, tc.says)
		}
		var fe *failure.Error
		if errors.As(err, &fe) && fe.Param != "q" {
			t.Errorf("%.50q: param %q", tc.q, fe.Param)
		}
		// what needs no index is checked without one too (an alert's query)
		if verr := ValidateQuery(tc.q); failure.Message(verr) != failure.Message(err) {
			t.Errorf("ValidateQuery(%.50q) = %v, the search said %v", tc.q, verr, err)
		}
	}
	// The same word a thousand characters long is one clause.
	res, err := x.Search(ctx, Request{Query: strings.TrimSuffix(strings.Repeat("alliance OR ", 83), " OR ")})
	if err != nil {
		t.Fatal(err)
	}
	one, _ := x.Search(ctx, Request{Query: "alliance"})
	if res.Total != one.Total || res.Total == 0 {
		t.Errorf("repeated: %d hits, alone %d", res.Total, one.Total)
	}
	// Prefixes that expand to more words than the budget, together.
	var text []string
	for i := 0; i < MaxExpansions+10; i++ {
		text = append(text, fmt.Sprintf("zq%04d", i))
	}
	big, err := NewMemory()
	if err != nil {
		t.Fatal(err)
	}
	defer big.Close()
	rec, err := corpus.Parse(strings.NewReader("Word list\n\nThe sides met on May 5, 2024 in Seoul. "+strings.Join(text, " ")+"\n"), "words.txt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := big.Sync(ctx, []*corpus.Record{rec}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := big.Search(ctx, Request{Query: "zq00* OR zq01*"}); err != nil {
		t.Errorf("200 expansions: %v", err)
	}
	if _, err := big.Search(ctx, Request{Query: "zq0* OR zq1*"}); failure.KindOf(err) != failure.BadInput || !strings.Contains(failure.Message(err), "prefix") {
		t.Errorf("%d expansions: %v, want BadInput about prefix terms", MaxExpansions+10, err)
	}
	if c, err := x.cost(ctx, x.bi, mustCollapse(t, "alliance OR deterrence OR de*")); err != nil || c.clauses != 3 || c.expansions == 0 || c.postings == 0 {
		t.Errorf("cost = %+v, %v", c, err)
	}
}

func mustCollapse(t *testing.T, q string) node {
	t.Helper()
	n, err := parseQuery(q)
	if err != nil {
		t.Fatal(err)
	}
	return collapse(n)
}

// A search whose context has ended stops with Unavailable, whatever stage
// it is in, and never answers with partial hits.
func TestSearchHonoursContext(t *testing.T) {
	x := shippedIndex(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := x.Search(ctx, Request{Query: "alliance OR deterrence", Size: 100})
	if err == nil || failure.KindOf(err) != failure.Unavailable || res != nil {
		t.Errorf("cancelled search: %v, %v", res, err)
	}
	ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if _, err := x.Search(ctx, Request{}); failure.KindOf(err) != failure.Unavailable {
		t.Errorf("search past its deadline: %v", err)
	}
}

// Expensive searches wait for a slot; one whose time runs out while
// waiting is a 503 that says why.
func TestExpensiveSearchesWaitForASlot(t *testing.T) {
	var h heavySlots
	var releases []func()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		release, err := h.acquire(ctx)
		cancel()
		if err != nil {
			if failure.KindOf(err) != failure.Unavailable || !strings.Contains(failure.Message(err), "busy") {
				t.Errorf("err = %v", err)
			}
			break
		}
		releases = append(releases, release)
		if len(releases) > 64 {
			t.Fatal("no limit on expensive searches")
		}
	}
	releases[0]()
	release, err := h.acquire(context.Background())
	if err != nil {
		t.Fatalf("a freed slot is not reused: %v", err)
	}
	release()
}
