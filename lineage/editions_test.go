package lineage

import (
	"fmt"
	"testing"
)

func TestPlan(t *testing.T) {
	entries := []Entry{
		{ID: "scm56", Kind: "c", Series: "SCM", Number: 56, Date: "2024-10-30", Paragraphs: 30},
		{ID: "scm54", Kind: "c", Series: "SCM", Number: 54, Date: "2022-11-03", Paragraphs: 20},
		{ID: "scm55", Kind: "c", Series: "SCM", Number: 55, Date: "2023-11-13", Paragraphs: 31},
		{ID: "scm56fs", Kind: "fs", Series: "SCM", Number: 56, Date: "2024-10-30", Paragraphs: 5},
		{ID: "scm55pr", Kind: "pr", Series: "SCM", Date: "2023-11-13", Paragraphs: 3},            // no ordinal, dated like the 55th
		{ID: "scm56b", Kind: "c", Series: "SCM", Number: 56, Date: "2024-10-31", Paragraphs: 12}, // claims the 56th too
		{ID: "scm57pr", Kind: "pr", Series: "SCM", Number: 57, Paragraphs: 3},
		{ID: "scm-x", Kind: "c", Series: "SCM"},                                      // no ordinal, no date
		{ID: "ncg1", Kind: "s", Series: "NCG", Date: "2023-07-18", Paragraphs: 4},    // a series of one
		{ID: "kidd-b", Kind: "s", Series: "KIDD", Date: "2024-04-11", Paragraphs: 4}, // dates only
		{ID: "kidd-a", Kind: "s", Series: "KIDD", Date: "2018-07-26", Paragraphs: 4}, //
		{ID: "none", Kind: "c", Paragraphs: 4},                                       // no series
	}
	got := Plan(entries)
	want := map[string]string{
		"scm54":   "ed 0 prev  next scm55",
		"scm55":   "ed 1 prev scm54 next scm56",
		"scm55pr": "ed 1 prev scm54 cross next scm57pr",
		"scm56":   "ed 2 prev scm55 next ",
		"scm56b":  "ed 2 prev scm55 next  dup scm56",
		"scm56fs": "ed 2 prev scm55 cross next ",
		"scm57pr": "ed 3 prev scm55pr next ",
		"scm-x":   "ed -1 prev  next ",
		"ncg1":    "ed 0 prev  next ",
		"kidd-a":  "ed 0 prev  next kidd-b",
		"kidd-b":  "ed 1 prev kidd-a next ",
	}
	for id, w := range want {
		p, ok := got[id]
		if !ok {
			t.Errorf("%s: no place", id)
			continue
		}
		s := fmt.Sprintf("ed %d prev %s", p.Edition, p.Prev)
		if p.CrossKind {
			s += " cross"
		}
		s += " next " + p.Next
		if p.Duplicate != "" {
			s += " dup " + p.Duplicate
		}
		if s != w {
			t.Errorf("%s: %q, want %q", id, s, w)
		}
	}
	if _, ok := got["none"]; ok {
		t.Error("a record without a series has a place")
	}
	if got["scm-x"].Note == "" || got["scm56b"].Note == "" {
		t.Error("unplaced and duplicate records carry no note")
	}
}

type mapGraph map[Ref][]Edge

func (g mapGraph) Incoming(r Ref) ([]Edge, error) {
	var out []Edge
	for _, e := range g[r] {
		if e.To == r {
			out = append(out, e)
		}
	}
	return out, nil
}

func (g mapGraph) Outgoing(r Ref) ([]Edge, error) {
	var out []Edge
	for _, e := range g[r] {
		if e.From == r {
			out = append(out, e)
		}
	}
	return out, nil
}

func TestWalkIsBounded(t *testing.T) {
	g := mapGraph{}
	add := func(e Edge) {
		g[e.From] = append(g[e.From], e)
		g[e.To] = append(g[e.To], e)
	}
	// a chain of 100 editions, a split at the 3rd
	for i := 0; i < 100; i++ {
		add(Edge{From: Ref{fmt.Sprint(i), 1}, To: Ref{fmt.Sprint(i + 1), 1}, Kind: Reworded})
	}
	add(Edge{From: Ref{"3", 1}, To: Ref{"4", 2}, Kind: Split})
	nodes, edges, err := Walk(g, Ref{"2", 1}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes) != 102 || len(edges) != 101 {
		t.Errorf("walk: %d paragraphs, %d links; want 102, 101", len(nodes), len(edges))
	}
	nodes, edges, _ = Walk(g, Ref{"50", 1}, 10)
	if len(nodes) != 10 {
		t.Errorf("bounded walk: %d paragraphs, want 10", len(nodes))
	}
	for _, e := range edges {
		if !containsRef(nodes, e.From) || !containsRef(nodes, e.To) {
			t.Errorf("bounded walk keeps a link %v to a paragraph it did not return", e)
		}
	}
}

func containsRef(rs []Ref, r Ref) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}
