package lineage

import (
	"slices"
	"strconv"
	"strings"
)

// maxEdits bounds the word diff: two paragraphs further apart than this
// many insertions and deletions are not compared further (they are not the
// same clause, or one of them is enormous). It keeps one comparison at
// O((n+m) * maxEdits).
const maxEdits = 1500

// lcs returns the matched positions (i in a, j in b) of a shortest edit
// script between a and b (Myers' O((N+M)D) algorithm), or ok=false when it
// needs more than maxD edits.
func lcs(a, b []int32, maxD int) (pairs [][2]int32, ok bool) {
	var d differ
	return d.lcs(a, b, maxD)
}

// differ holds the buffers of lcs, reused from one diff to the next.
type differ struct {
	v     []int32
	trace []int32 // the furthest x on diagonals -d..d after d edits, at d*d
}

func (df *differ) lcs(a, b []int32, maxD int) (pairs [][2]int32, ok bool) {
	// common prefix and suffix: most paragraphs of a series change little
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	d, ok := df.myers(ma, mb, maxD)
	if !ok {
		return nil, false
	}
	pairs = make([][2]int32, 0, pre+suf+min(len(ma), len(mb)))
	for i := 0; i < pre; i++ {
		pairs = append(pairs, [2]int32{int32(i), int32(i)})
	}
	mid := len(pairs)
	pairs = df.backtrack(pairs, d, ma, mb)
	for k := mid; k < len(pairs); k++ {
		pairs[k][0] += int32(pre)
		pairs[k][1] += int32(pre)
	}
	for i := 0; i < suf; i++ {
		pairs = append(pairs, [2]int32{int32(len(a) - suf + i), int32(len(b) - suf + i)})
	}
	return pairs, true
}

// myers runs the forward pass and returns the number of edits, keeping
// the trace for backtrack, or ok=false beyond maxD.
func (df *differ) myers(a, b []int32, maxD int) (int, bool) {
	n, m := len(a), len(b)
	if n == 0 || m == 0 {
		return -1, n+m <= maxD
	}
	if maxD > n+m {
		maxD = n + m
	}
	off := maxD + 1
	if len(df.v) < 2*maxD+3 {
		df.v = make([]int32, 2*maxD+3)
	}
	v := df.v[:2*maxD+3]
	clear(v)
	df.trace = df.trace[:0]
	for d := 0; d <= maxD; d++ {
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = int(v[off+k+1])
			} else {
				x = int(v[off+k-1]) + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = int32(x)
			if x >= n && y >= m {
				df.trace = append(df.trace, v[off-d:off+d+1]...)
				return d, true
			}
		}
		// keep only the diagonals d can reach
		df.trace = append(df.trace, v[off-d:off+d+1]...)
	}
	return 0, false
}

// backtrack appends the matched positions of the diff whose forward pass
// took d edits (d = -1: one side empty, nothing matches).
func (df *differ) backtrack(out [][2]int32, d int, a, b []int32) [][2]int32 {
	if d < 0 {
		return out
	}
	start := len(out)
	x, y := len(a), len(b)
	for ; d > 0; d-- {
		prev := df.trace[(d-1)*(d-1) : d*d] // diagonals -(d-1)..d-1 after d-1 edits
		at := func(k int) int { return int(prev[k+d-1]) }
		k := x - y
		pk := k - 1
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			pk = k + 1
		}
		px := at(pk)
		py := px - pk
		for x > px && y > py {
			x--
			y--
			out = append(out, [2]int32{int32(x), int32(y)})
		}
		x, y = px, py
	}
	for x > 0 && y > 0 {
		x--
		y--
		out = append(out, [2]int32{int32(x), int32(y)})
	}
	slices.Reverse(out[start:])
	return out
}

// Op is one step of an edit script between two paragraphs' tokens.
type Op struct {
	// Kind: '=' the same words, '~' the same after normalisation or not
	// compared (56th for 55th, a new office holder's name), '-' only in the
	// older paragraph, '+' only in the newer.
	Kind     byte
	Old, New int // tokens consumed from each side
}

// Script is an edit script, stored compactly: "=12-3+4~1.1=20".
type Script string

func encodeOps(ops []Op) Script {
	var b strings.Builder
	for _, o := range ops {
		b.WriteByte(o.Kind)
		switch o.Kind {
		case '=', '-':
			b.WriteString(strconv.Itoa(o.Old))
		case '+':
			b.WriteString(strconv.Itoa(o.New))
		default:
			b.WriteString(strconv.Itoa(o.Old))
			b.WriteByte('.')
			b.WriteString(strconv.Itoa(o.New))
		}
	}
	return Script(b.String())
}

// Ops decodes the script; a malformed script gives nil.
func (s Script) Ops() []Op {
	var ops []Op
	str := string(s)
	for len(str) > 0 {
		k := str[0]
		str = str[1:]
		i := 0
		for i < len(str) && (str[i] >= '0' && str[i] <= '9' || str[i] == '.') {
			i++
		}
		num := str[:i]
		str = str[i:]
		var o Op
		o.Kind = k
		switch k {
		case '=', '-', '+':
			c, err := strconv.Atoi(num)
			if err != nil {
				return nil
			}
			if k == '=' {
				o.Old, o.New = c, c
			} else if k == '-' {
				o.Old = c
			} else {
				o.New = c
			}
		case '~':
			l, r, ok := strings.Cut(num, ".")
			x, err1 := strconv.Atoi(l)
			y, err2 := strconv.Atoi(r)
			if !ok || err1 != nil || err2 != nil {
				return nil
			}
			o.Old, o.New = x, y
		default:
			return nil
		}
		ops = append(ops, o)
	}
	return ops
}

// script turns matched compared positions into an edit script over all the
// tokens of both paragraphs.
func script(a, b *para, pairs [][2]int32) Script {
	var ops []Op
	push := func(k byte, o, n int) {
		if o == 0 && n == 0 {
			return
		}
		if l := len(ops) - 1; l >= 0 && ops[l].Kind == k {
			ops[l].Old += o
			ops[l].New += n
			return
		}
		ops = append(ops, Op{Kind: k, Old: o, New: n})
	}
	// gap emits the tokens before the next match: compared ones are
	// deletions or insertions, the others normalised-away changes.
	compared := func(p *para) []bool {
		c := make([]bool, len(p.tokens))
		for _, i := range p.seq {
			c[i] = true
		}
		return c
	}
	ca, cb := compared(a), compared(b)
	oi, nj := 0, 0
	gap := func(ot, nt int) {
		for ; oi < ot; oi++ {
			if ca[oi] {
				push('-', 1, 0)
			} else {
				push('~', 1, 0)
			}
		}
		for ; nj < nt; nj++ {
			if cb[nj] {
				push('+', 0, 1)
			} else {
				push('~', 0, 1)
			}
		}
	}
	for _, p := range pairs {
		ot, nt := int(a.seq[p[0]]), int(b.seq[p[1]])
		gap(ot, nt)
		if a.tokens[ot].Word() == b.tokens[nt].Word() {
			push('=', 1, 1)
		} else {
			push('~', 1, 1)
		}
		oi, nj = ot+1, nt+1
	}
	gap(len(a.tokens), len(b.tokens))
	return encodeOps(ops)
}

// Piece is a run of text in a rendered word diff.
type Piece struct {
	// Op: '=' unchanged, '-' deleted, '+' inserted, '~' changed in what
	// does not count (Text is the new wording, Old the old one; either may
	// be empty, as when "Secretary Austin" became "the Secretary").
	Op   string `json:"op"`
	Text string `json:"text"`
	Old  string `json:"old,omitempty"`
}

// Render applies script to the two texts and returns the word diff; a
// script that does not fit the texts (they changed since it was made)
// gives the whole old text deleted and the whole new text inserted.
func Render(oldText, newText string, s Script) []Piece {
	ot, nt := split(oldText, false), split(newText, false)
	ops := s.Ops()
	so, sn := 0, 0
	for _, o := range ops {
		so += o.Old
		sn += o.New
	}
	if ops == nil || so != len(ot) || sn != len(nt) {
		var out []Piece
		if oldText != "" {
			out = append(out, Piece{Op: "-", Text: oldText})
		}
		if newText != "" {
			out = append(out, Piece{Op: "+", Text: newText})
		}
		return out
	}
	// the tokens cut the texts without gaps: a run of them is a substring
	offsets := func(ts []Token) []int {
		off := make([]int, len(ts)+1)
		for k, t := range ts {
			off[k+1] = off[k] + len(t.Text)
		}
		return off
	}
	oo, no := offsets(ot), offsets(nt)
	var out []Piece
	i, j := 0, 0
	for _, o := range ops {
		p := Piece{Op: string(o.Kind)}
		switch o.Kind {
		case '=', '+':
			p.Text = newText[no[j]:no[j+o.New]]
		case '-':
			p.Text = oldText[oo[i]:oo[i+o.Old]]
		case '~':
			p.Text = newText[no[j]:no[j+o.New]]
			p.Old = oldText[oo[i]:oo[i+o.Old]]
			if strings.TrimSpace(p.Text) == strings.TrimSpace(p.Old) {
				p.Op, p.Old = "=", ""
			}
		}
		i += o.Old
		j += o.New
		if l := len(out) - 1; l >= 0 && out[l].Op == p.Op && p.Op != "~" {
			out[l].Text += p.Text
			continue
		}
		out = append(out, p)
	}
	return out
}
