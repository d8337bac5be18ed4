package indexer

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"dialoguesearch/failure"
)

// show prints a parsed query compactly: and(...), or(...), not(...),
// field:"phrase", word*, word~N.
func show(n node) string {
	switch n := n.(type) {
	case nil:
		return "<empty>"
	case *orNode:
		return "or(" + showAll(n.kids) + ")"
	case *andNode:
		return "and(" + showAll(n.kids) + ")"
	case *notNode:
		return "not(" + show(n.kid) + ")"
	case *termNode:
		s := n.text
		if n.phrase {
			s = `"` + s + `"`
		}
		if n.field != "" {
			s = n.field + ":" + s
		}
		if n.prefix {
			s += "*"
		}
		if n.fuzzy > 0 {
			s += fmt.Sprintf("~%d", n.fuzzy)
		}
		return s
	}
	return "?"
}

func showAll(ns []node) string {
	var parts []string
	for _, n := range ns {
		parts = append(parts, show(n))
	}
	return strings.Join(parts, " ")
}

func TestParseQuery(t *testing.T) {
	tests := []struct{ q, want string }{
		{"", "<empty>"},
		{"   ", "<empty>"},
		{"OPCON", "OPCON"},
		{"extended deterrence", "and(extended deterrence)"},
		{`"extended deterrence" NCG`, `and("extended deterrence" NCG)`},
		{"+NCG -Japan", "and(NCG not(Japan))"},
		{"OPCON OR NCG", "or(OPCON NCG)"},
		{"a b OR c d", "or(and(a b) and(c d))"},
		{"a AND b OR c", "or(and(a b) c)"},
		{"(OPCON OR NCG) AND NOT transition", "and(or(OPCON NCG) not(transition))"},
		{"NOT NOT a", "not(not(a))"},
		{"speaker:Austin", "speaker:Austin"},
		{`topic:"OPCON transition"`, `topic:"OPCON transition"`},
		{"Speaker:Austin", "speaker:Austin"},
		{"speaker:(Austin OR Shin)", "or(speaker:Austin speaker:Shin)"},
		{"-speaker:Austin", "not(speaker:Austin)"},
		{"deter*", "deter*"},
		{"deterence~", "deterence~2"},
		{"deterence~1", "deterence~1"},
		{"U.S.-ROK alliance", "and(U.S.-ROK alliance)"},
		{"10:30", "10:30"},
		{"and or not", "and(and or not)"}, // lower case: words, not operators
		{"a && b || c", "or(and(a b) c)"},
	}
	for _, tt := range tests {
		n, err := parseQuery(tt.q)
		if err != nil {
			t.Errorf("parseQuery(%q): %v", tt.q, err)
			continue
		}
		if got := show(n); got != tt.want {
			t.Errorf("parseQuery(%q) = %s, want %s", tt.q, got, tt.want)
		}
	}
}

func TestParseQueryErrors(t *testing.T) {
	tests := []struct{ q, want string }{
		{`"extended deterrence`, `unterminated phrase: the quote is never closed at position 1`},
		{`NCG "`, `unterminated phrase: the quote is never closed at position 5`},
		{"(OPCON OR NCG", `the "(" is never closed at position 1`},
		{"OPCON)", `unmatched ")" at position 6`},
		{"()", "empty parentheses at position 1"},
		{"OPCON OR", "OR needs a term after it at position 7"},
		{"OR OPCON", "OR needs a term before it at position 1"},
		{"AND OPCON", "AND needs a term before it at position 1"},
		{"OPCON AND", "AND needs a term after it at position 7"},
		{"OPCON AND OR NCG", "AND needs a term after it at position 7"},
		{"NOT", "NOT needs a term after it at position 1"},
		{"a - b", `"-" must be followed by a word, a phrase or a group at position 3`},
		{"speaker:", `field "speaker" needs a value after the colon at position 1`},
		{"speaker: Austin", `field "speaker" needs a value after the colon at position 1`},
		{"colour:red", `unknown field "colour"`},
		{"d*", `prefix "d*" is too short`},
		{"*", `prefix "*" is too short`},
		{"de*er", "wildcards are only supported at the end of a word"},
		{"deter~3", `fuzziness "~3" must be 1 or 2`},
		{`""`, "empty phrase at position 1"},
		{strings.Repeat("a ", MaxQueryLength), "query is too long"},
	}
	for _, tt := range tests {
		_, err := parseQuery(tt.q)
		if err == nil {
			t.Errorf("parseQuery(%q): no error, want %q", tt.q, tt.want)
			continue
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("parseQuery(%q) error = %q, want it to contain %q", tt.q, err, tt.want)
		}
		var fe *failure.Error
		if failure.KindOf(err) != failure.BadInput || !errorsAs(err, &fe) || fe.Param != "q" {
			t.Errorf("parseQuery(%q) error %v is not BadInput with Param q", tt.q, err)
		}
		if ValidateQuery(tt.q) == nil {
			t.Errorf("ValidateQuery(%q) = nil, want an error", tt.q)
		}
	}
}

func errorsAs(err error, target **failure.Error) bool {
	return errors.As(err, target)
}
