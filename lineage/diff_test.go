package lineage

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// lcsLen is the textbook dynamic programme, for checking myers.
func lcsLen(a, b []int32) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				cur[j] = prev[j-1] + 1
			} else {
				cur[j] = max(cur[j-1], prev[j])
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func TestLCSMatchesDynamicProgramme(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 500; trial++ {
		a := make([]int32, r.IntN(30))
		b := make([]int32, r.IntN(30))
		for i := range a {
			a[i] = int32(r.IntN(5))
		}
		for i := range b {
			b[i] = int32(r.IntN(5))
		}
		pairs, ok := lcs(a, b, len(a)+len(b))
		if !ok {
			t.Fatalf("lcs(%v, %v) gave up", a, b)
		}
		if got, want := len(pairs), lcsLen(a, b); got != want {
			t.Fatalf("lcs(%v, %v) matched %d, want %d", a, b, got, want)
		}
		pi, pj := int32(-1), int32(-1)
		for _, p := range pairs {
			if p[0] <= pi || p[1] <= pj || a[p[0]] != b[p[1]] {
				t.Fatalf("lcs(%v, %v): bad pair %v in %v", a, b, p, pairs)
			}
			pi, pj = p[0], p[1]
		}
	}
}

func TestLCSGivesUpBeyondItsBound(t *testing.T) {
	a := make([]int32, 5000)
	b := make([]int32, 5000)
	for i := range a {
		a[i], b[i] = int32(i), int32(i+100000)
	}
	if _, ok := lcs(a, b, 100); ok {
		t.Fatal("lcs of two unrelated 5,000-token sequences within 100 edits")
	}
}

func TestRenderRebuildsBothTexts(t *testing.T) {
	old := "The 55th SCM was held in Seoul on November 13, 2023. Secretary Austin and Minister Shin led their delegations."
	new := "The 56th SCM was held in Washington on October 30, 2024. The Secretary and the Minister led their respective delegations."
	nm := names{"austin": true, "shin": true}
	l := NewLinker()
	a, b := l.prepare(1, Tokens(old), nil, nm), l.prepare(1, Tokens(new), nil, nm)
	pairs, ok := lcs(a.ids, b.ids, 1000)
	if !ok {
		t.Fatal("no diff")
	}
	s := script(a, b, pairs)
	pieces := Render(old, new, s)
	var o, n strings.Builder
	var ins, del []string
	for _, p := range pieces {
		switch p.Op {
		case "=":
			o.WriteString(p.Text)
			n.WriteString(p.Text)
		case "-":
			o.WriteString(p.Text)
			del = append(del, strings.TrimSpace(p.Text))
		case "+":
			n.WriteString(p.Text)
			ins = append(ins, strings.TrimSpace(p.Text))
		case "~":
			n.WriteString(p.Text)
		}
	}
	if n.String() != new {
		t.Errorf("new text from the diff:\n%q\nwant\n%q", n.String(), new)
	}
	if got, want := strings.Join(del, "|"), "Seoul"; got != want {
		t.Errorf("deleted %q, want %q (script %s)", got, want, s)
	}
	if got, want := strings.Join(ins, "|"), "Washington|respective"; got != want {
		t.Errorf("inserted %q, want %q (script %s)", got, want, s)
	}
}
