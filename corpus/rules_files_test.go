package corpus

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

func TestLoadRulesOverridesDataFiles(t *testing.T) {
	dir := fstest.MapFS{
		"people.json": {Data: []byte(`{"people": [{"name": "Jane Roe", "side": "U.S.", "title": "Secretary of Defense", "aliases": ["Secretary Roe"]}],
			"references": [{"phrase": "the Secretary", "resolve": "U.S."}], "sides": [], "verbs": ["stressed", "met"], "titles": ["Secretary"], "side_words": [], "korean_surnames": []}`)},
		"topics.json":  {Data: []byte(`{"topics": [{"id": "shipbuilding", "label": "Shipbuilding", "terms": ["shipbuilding", "shipyard*"]}]}`)},
		"synonyms.txt": {Data: []byte("MASGA = Make American Shipbuilding Great Again\n")},
	}
	rules, err := LoadRules(dir)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := rules.Parse(strings.NewReader("Readout\n\nSecretary Roe met the delegation in Seoul on November 4, 2025.\n\nThe Secretary stressed cooperation at shipyards.\n\nNews Zone\n"), "r.txt")
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.Paragraphs[1].Speakers; !reflect.DeepEqual(got, []string{"Jane Roe"}) {
		t.Errorf("speakers with the user's people.json = %v", got)
	}
	if got := rec.Paragraphs[1].Topics; !reflect.DeepEqual(got, []string{"shipbuilding"}) {
		t.Errorf("topics with the user's topics.json = %v", got)
	}
	if len(rec.Paragraphs) != 2 {
		t.Errorf("embedded noise.txt not used: %q", texts(rec))
	}
	if got := rules.Synonyms(); len(got) != 1 || got[0][0] != "MASGA" {
		t.Errorf("synonyms = %v", got)
	}
	if rules.TopicLabel("opcon") != "opcon" || TopicLabel("opcon") != "OPCON transition" {
		t.Error("a user's taxonomy must replace the default one, and leave the default rules alone")
	}
	// the default rules still know the default people
	if sp, _ := DefaultRules().attribute("Secretary Roe stressed it.", &Record{}, nil); len(sp) != 0 {
		t.Errorf("default rules changed: %v", sp)
	}
}

func TestLoadRulesReportsBrokenFile(t *testing.T) {
	for name, data := range map[string]string{
		"noise.txt":    "line: ([unclosed\n",
		"topics.json":  `{"topics": [`,
		"acronyms.txt": "no colon here\n",
	} {
		_, err := LoadRules(fstest.MapFS{name: {Data: []byte(data)}})
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: err = %v, want one naming the file", name, err)
		}
	}
}
