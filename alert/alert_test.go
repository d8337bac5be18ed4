package alert

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"dialoguesearch/failure"
)

func TestInputDecodeAndPatch(t *testing.T) {
	var in Input
	body := `{"name":" OPCON ","q":"OPCON","speaker":["Lloyd J. Austin III"],"topic":"OPCON transition","year":[],"from":"2024-01-01","email":"a@example.org","frequency":"weekly"}`
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	a := &Alert{}
	in.Set = nil
	if err := in.apply(a, false); err != nil {
		t.Fatal(err)
	}
	if a.Name != "OPCON" || a.Query != "OPCON" || a.From != "2024-01-01" || a.Frequency != Weekly ||
		!slices.Equal(a.Filters["speaker"], []string{"Lloyd J. Austin III"}) || !slices.Equal(a.Filters["topic"], []string{"OPCON transition"}) {
		t.Fatalf("created %+v", a)
	}
	if _, ok := a.Filters["year"]; ok {
		t.Error("an empty facet was kept")
	}

	// A PATCH changes only what it names: here one facet and the name.
	var patch Input
	if err := json.Unmarshal([]byte(`{"topic":["NCG"],"name":"renamed"}`), &patch); err != nil {
		t.Fatal(err)
	}
	if err := patch.apply(a, false); err != nil {
		t.Fatal(err)
	}
	if a.Name != "renamed" || a.Query != "OPCON" || a.Frequency != Weekly || a.Email != "a@example.org" ||
		!slices.Equal(a.Filters["speaker"], []string{"Lloyd J. Austin III"}) || !slices.Equal(a.Filters["topic"], []string{"NCG"}) {
		t.Fatalf("patched %+v", a)
	}
	var drop Input
	json.Unmarshal([]byte(`{"speaker":null}`), &drop)
	if err := drop.apply(a, false); err != nil || a.Filters["speaker"] != nil {
		t.Fatalf("removing a facet: %v %+v", err, a.Filters)
	}

	for body, param := range map[string]string{
		`{"q":"x","speakers":["A"]}`: "speakers",
		`{"q":1}`:                    "q",
		`{"q":"x","topic":[1]}`:      "topic",
		`[1,2]`:                      "body",
		`{"q":"x","active":"yes"}`:   "active",
	} {
		var bad Input
		err := json.Unmarshal([]byte(body), &bad)
		var fe *failure.Error
		if err == nil || !errors.As(err, &fe) || fe.Param != param {
			t.Errorf("%s: err %v, want BadInput naming %q", body, err, param)
		}
	}
}
