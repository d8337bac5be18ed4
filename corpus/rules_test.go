package corpus

import (
	"reflect"
	"strings"
	"testing"
)

// parseString parses text as a record file named name and fails the test on
// error.
func parseString(t *testing.T, name, text string) *Record {
	t.Helper()
	rec, err := Parse(strings.NewReader(text), name)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return rec
}

func texts(rec *Record) []string {
	out := make([]string, len(rec.Paragraphs))
	for i, p := range rec.Paragraphs {
		out[i] = p.Text
	}
	return out
}

func TestNoiseRule(t *testing.T) {
	const body = "The two sides met in Seoul on May 2, 2024.\n\n"
	tests := []struct {
		name, in string
		want     []string
	}{
		{"section label before text", "News Zone\n\nPress Release\n\n" + body, []string{"The two sides met in Seoul on May 2, 2024."}},
		{"cookie notice at end", body + "This website uses cookies. By continuing to use this site, you accept our use of cookies.", []string{"The two sides met in Seoul on May 2, 2024."}},
		{"read source", body + "READ SOURCE\n", []string{"The two sides met in Seoul on May 2, 2024."}},
		{"comment form cut with all after it", body + "Leave a Reply\n\nYour email address will not be published. Required fields are marked *\n\nName\n\nEmail", []string{"The two sides met in Seoul on May 2, 2024."}},
		{"hosted-by footer on its own line", body + "Hosted by Defense Media Activity - WEB.mil", []string{"The two sides met in Seoul on May 2, 2024."}},
		{"footer glued to the last line is cut at the seam", "The two sides met in Seoul on May 2, 2024. They pledged support.Hosted by Defense Media Activity - WEB.mil", []string{"The two sides met in Seoul on May 2, 2024. They pledged support."}},
		{"seam phrase inside a sentence is text", "The two sides met in Seoul on May 2, 2024, at a dinner hosted by Minister Shin.", []string{"The two sides met in Seoul on May 2, 2024, at a dinner hosted by Minister Shin."}},
		{"attachment lines and nbsp-only lines", body + "\u00a0\n\nFile\n\n  • (Presentation and Follow-on discussion)\n\nreport.pdf (120 KB)\n", []string{"The two sides met in Seoul on May 2, 2024."}},
		{"immediate release label", "FOR IMMEDIATE RELEASE\n\n" + body, []string{"The two sides met in Seoul on May 2, 2024."}},
		{"share widgets and photo credits", "Share\n\nPrint\n\n" + body + "Photo by Sgt. John Doe\n\nRelated Articles\n\nSubscribe\n\nNext\n", []string{"The two sides met in Seoul on May 2, 2024."}},
		{"heading-like lines only are the text, the one naming a meeting is the title", "Short Note\n\nThe Meeting Went Well", []string{"Short Note"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := parseString(t, "x.txt", tc.in)
			if got := texts(rec); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("paragraphs = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTitleRule(t *testing.T) {
	tests := []struct{ in, want string }{
		{"security\n\n55th Security Consultative Meeting Joint Communique > U.S – Department of Defense\n\nThe 55th SCM was held in Seoul on November 13, 2023.", "55th Security Consultative Meeting Joint Communique"},
		{"Readout of the Meeting | Ministry of National Defense\n\nThe ministers met on May 2, 2024.", "Readout of the Meeting"},
		{"Statement on the Alliance - U.S. Department of Defense\n\nThe ministers met on May 2, 2024.", "Statement on the Alliance"},
		// no headline: one is made from the meeting and kind
		{"date 2024-10-31\n\nAt the 56th Security Consultative Meeting (SCM) on October 30, 2024, the sides agreed.", "56th SCM"},
	}
	for _, tc := range tests {
		if got := parseString(t, "x.txt", tc.in).Title; got != tc.want {
			t.Errorf("title of %.40q = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestHeadingRule(t *testing.T) {
	in := "Joint Statement\n\nThe sides met in Seoul on May 2, 2024.\n\nIMPROVING EXPANDED DETERRENCE\n\nThe sides pledged to deter.\n\nOperational Control\n\nThe sides reviewed OPCON.\n\nThis is a Short sentence.\n\nA second paragraph."
	rec := parseString(t, "x.txt", in)
	type ps struct{ Section, Text string }
	var got []ps
	for _, p := range rec.Paragraphs {
		got = append(got, ps{p.Section, p.Text})
	}
	want := []ps{
		{"", "The sides met in Seoul on May 2, 2024."},
		{"IMPROVING EXPANDED DETERRENCE", "The sides pledged to deter."},
		{"Operational Control", "The sides reviewed OPCON."},
		{"Operational Control", "This is a Short sentence."},
		{"Operational Control", "A second paragraph."},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	for _, h := range []string{"Security Policy", "STRENGTHENING REGIONAL SECURITY COOPERATION", "Extended Deterrence and the NCG"} {
		if !isHeading(h) {
			t.Errorf("isHeading(%q) = false", h)
		}
	}
	for _, h := range []string{"The sides met.", "the importance of x", "7. The Secretary", "In addition, the", "OK"} {
		if isHeading(h) {
			t.Errorf("isHeading(%q) = true", h)
		}
	}
}

func TestContinuationAndNumberRule(t *testing.T) {
	in := "Title Line\n\n1. The Secretary met the Minister in Seoul on May 2, 2024.\n\nThe two leaders also agreed. In addition, the\n\ntwo leaders reaffirmed their commitment.\n\n2. The Minister noted progress.\n\n10) Closing words."
	rec := parseString(t, "x.txt", in)
	type pn struct {
		Number, Text string
	}
	var got []pn
	for _, p := range rec.Paragraphs {
		got = append(got, pn{p.Number, p.Text})
	}
	want := []pn{
		{"1", "The Secretary met the Minister in Seoul on May 2, 2024."},
		{"", "The two leaders also agreed. In addition, the two leaders reaffirmed their commitment."},
		{"2", "The Minister noted progress."},
		{"10", "Closing words."},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	for i, p := range rec.Paragraphs {
		if p.N != i+1 {
			t.Errorf("paragraph %d: N = %d", i+1, p.N)
		}
	}
}

func TestDateRule(t *testing.T) {
	tests := []struct {
		name, in string
		date     Date
		inferred bool
		note     string // substring of DateNote
	}{
		{"dateline", "Statement\n\nApril 11, 2024\n\nThe sides discussed the alliance.", "2024-04-11", false, "dateline"},
		{"On June 2", "Readout\n\nOn June 2, 2024, the ministers convened a meeting in Singapore.", "2024-06-02", false, "June 2, 2024"},
		{"meeting date over publication line", " date 2024-10-31 \n\nAt the 56th Security Consultative Meeting (SCM) on October 30, 2024, the sides agreed.", "2024-10-30", false, "2024-10-31"},
		{"publication line only", "date 2024-10-31\n\nThe sides agreed on many things.", "2024-10-31", false, "date 2024-10-31"},
		{"day month year", "Readout\n\nThe ministers met in Seoul on 13 November 2023 and agreed.", "2023-11-13", false, "13 November 2023"},
		{"abbreviated month", "Readout\n\nThe ministers met in Seoul on Nov. 13, 2023 and agreed.", "2023-11-13", false, "Nov. 13, 2023"},
		{"year inferred from this year's Nth SCM", "Dialogue concluded\n\nThe talks were held July 25-26 in Seoul.\n\nThey highlighted this year's 50th South Korean-U.S. Security Consultative Meeting.", "2018-07-25", true, "50th"},
		{"year inferred from the record's own ordinal", "US, South Korea Conclude 14th Integrated Defense Dialogue\n\nThe talks were held July 25-26 in Seoul.", "2018-07-25", true, "14th KIDD"},
		{"month and day without evidence", "Talks end\n\nThe talks were held July 25-26 in Seoul.", "", false, "without a year"},
		{"no date at all", "Talks end\n\nThe talks went well.", "", false, "no date"},
		{"impossible date ignored", "Talks end\n\nThe talks were held on February 30, 2024 in Seoul.", "", false, "no date"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := parseString(t, "x.txt", tc.in)
			if rec.Date != tc.date || rec.DateInferred != tc.inferred {
				t.Errorf("date = %q inferred %v, want %q inferred %v (note %q)", rec.Date, rec.DateInferred, tc.date, tc.inferred, rec.DateNote)
			}
			if !strings.Contains(rec.DateNote, tc.note) {
				t.Errorf("DateNote = %q, want it to mention %q", rec.DateNote, tc.note)
			}
		})
	}
}

func TestMeetingAndLocationRule(t *testing.T) {
	tests := []struct {
		in       string
		meeting  Meeting
		location string
	}{
		{"Statement\n\nThe DoD and the MND held the 24th Korea-U.S. Integrated Defense Dialogue (KIDD) on April 11, 2024 in Washington.", Meeting{"KIDD", 24, "24th KIDD"}, "Washington"},
		{"Communique\n\n1. The 55th United States (U.S.)-Republic of Korea (ROK) Security Consultative Meeting (SCM) was held in Seoul, ROK, on November 13, 2023.", Meeting{"SCM", 55, "55th SCM"}, "Seoul"},
		{"Results\n\nOn June 2, 2024, the ministers convened the South Korea-U.S. Defense Ministerial Meeting on the sidelines of the Shangri-La Dialogue in Singapore.", Meeting{"Defense Ministerial Meeting", 0, "Defense Ministerial Meeting"}, "Singapore"},
		{"Readout\n\nThe 3rd Nuclear Consultative Group meeting was held in Washington, D.C. on June 10, 2024.", Meeting{"NCG", 3, "3rd NCG"}, "Washington"},
		{"Readout\n\nThe sides met on June 10, 2024 and pledged support for the Washington Declaration.", Meeting{}, ""},
	}
	for _, tc := range tests {
		rec := parseString(t, "x.txt", tc.in)
		if rec.Meeting != tc.meeting || rec.Location != tc.location {
			t.Errorf("%.50q: meeting %+v at %q, want %+v at %q", tc.in, rec.Meeting, rec.Location, tc.meeting, tc.location)
		}
	}
}

func TestNameVariants(t *testing.T) {
	tests := []struct{ alias, name string }{
		{"Lloyd J. Austin III", "Lloyd J. Austin III"},
		{"Secretary Austin", "Lloyd J. Austin III"},
		{"Secretary of State Austin", "Lloyd J. Austin III"},
		{"Shin Won Sik", "Shin Won-sik"},
		{"Shin Won-sik", "Shin Won-sik"},
		{"Minister Shin", "Shin Won-sik"},
		{"DEPMIN Cho", "Cho Chang-rae"},
		{"ASD Ratner", "Ely Ratner"},
		{"Kim Yong-hyun", "Kim Yong Hyun"},
		{"Secretary Mattis", "James N. Mattis"},
		{"Jeong Keyong-doo", "Jeong Kyeong-doo"},
	}
	for _, tc := range tests {
		p, ok := DefaultRules().canonicalName(tc.alias)
		if !ok || p.Name != tc.name {
			t.Errorf("DefaultRules().canonicalName(%q) = %q, %v; want %q", tc.alias, p.Name, ok, tc.name)
		}
		ms := DefaultRules().knownMentions("Yesterday " + tc.alias + " stressed the point.")
		if len(ms) != 1 || ms[0].Name != tc.name {
			t.Errorf("mentions in text with %q = %+v", tc.alias, ms)
		}
	}
}

func TestTitledUnknownPeople(t *testing.T) {
	tests := []struct {
		in   string
		want []Person
	}{
		{"South Korean Deputy Minister for National Defense Policy Yeo Suk-joo and Acting Deputy Assistant Defense Secretary for East Asia Marine Corps Brig. Gen. Roberta Shea led the talks.",
			[]Person{{"Yeo Suk-joo", SideROK, "Deputy Minister for National Defense Policy"}, {"Roberta Shea", SideUS, "Acting Deputy Assistant Defense Secretary for East Asia (Marine Corps Brig. Gen.)"}}},
		{"ROK Vice Minister of National Defense Kim Seon Ho met the delegation.",
			[]Person{{"Kim Seon Ho", SideROK, "Vice Minister of National Defense"}}},
		{"The Secretary and the Minister agreed.", nil},
	}
	for _, tc := range tests {
		var got []Person
		for _, m := range DefaultRules().titledPeople(tc.in) {
			got = append(got, m.Person)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("DefaultRules().titledPeople(%.50q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func TestSpeakersRule(t *testing.T) {
	principals := []Person{{"Lloyd J. Austin III", SideUS, ""}, {"Shin Won-sik", SideROK, ""}}
	tests := []struct {
		text     string
		speakers []string
		sides    []string
	}{
		{"Secretary Austin reiterated the firm U.S. commitment.", []string{"Lloyd J. Austin III"}, []string{SideUS}},
		{"Minister Shin further conveyed his appreciation.", []string{"Shin Won-sik"}, []string{SideROK}},
		{"The Minister expressed grave concern.", []string{"Shin Won-sik"}, []string{SideROK}},
		{"In particular, the Secretary and the Minister recognized the progress.", []string{"Lloyd J. Austin III", "Shin Won-sik"}, []string{VoiceJoint}},
		{"Both leaders called on the international community.", []string{"Lloyd J. Austin III", "Shin Won-sik"}, []string{VoiceJoint}},
		{"The two leaders agreed.", []string{"Lloyd J. Austin III", "Shin Won-sik"}, []string{VoiceJoint}},
		{"Minister Shin expressed support for the principles announced by Secretary Austin at the Dialogue.", []string{"Shin Won-sik"}, []string{SideROK}},
		{"The U.S. side noted the ROK's efforts.", []string{}, []string{SideUS}},
		{"Both sides assessed the exercise.", []string{}, []string{VoiceJoint}},
		{"Freedom Shield took place in March.", []string{}, []string{VoiceJoint}},
		{"Japan reiterated its resolve to reinforce its defense capabilities.", []string{}, []string{SideJapan}},
		{"The Ministers decided to hold the next meeting.", []string{}, []string{VoiceJoint}},
		{"U.S. Secretary of State Antony Blinken said the talks went well.", []string{"Antony Blinken"}, []string{SideUS}},
	}
	for _, tc := range tests {
		speakers, sides := DefaultRules().attribute(tc.text, &Record{Principals: principals}, nil)
		if !reflect.DeepEqual(speakers, tc.speakers) || !reflect.DeepEqual(sides, tc.sides) {
			t.Errorf("DefaultRules().attribute(%q) = %v %v, want %v %v", tc.text, speakers, sides, tc.speakers, tc.sides)
		}
	}
	// A news story's narration is the reporter's voice; a quote of one side is that side's.
	news := &Record{Principals: principals, Kind: KindNewsReport}
	if _, v := DefaultRules().attribute("The two sides discussed the exercise, officials said.", news, nil); !reflect.DeepEqual(v, []string{VoiceReported}) {
		t.Errorf("news narration voice = %v, want reported", v)
	}
	if _, v := DefaultRules().attribute("Secretary Austin said the alliance is strong.", news, nil); !reflect.DeepEqual(v, []string{SideUS}) {
		t.Errorf("news quote voice = %v, want U.S.", v)
	}
}

func TestTopicsRule(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"They reviewed the Conditions-based OPCON Transition Plan.", []string{"opcon"}},
		{"The NCG strengthens extended deterrence.", []string{"extended-deterrence"}},
		{"Expanded DPRK-Russian military cooperation undermines peace.", []string{"dprk", "dprk-russia"}},
		{"Trilateral exercises with Japan continue.", []string{"trilateral-japan", "exercises"}},
		{"The UNC enforces the Armistice Agreement.", []string{"unc-armistice"}},
		{"Cyber and space cooperation grew.", []string{"cyber", "space"}},
		{"The airspace was closed.", []string{}},
		{"Nothing in particular.", []string{}},
	}
	for _, tc := range tests {
		if got := DefaultRules().topicsOf(tc.text); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("DefaultRules().topicsOf(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
	if got := TopicLabel("opcon"); got != "OPCON transition" {
		t.Errorf("TopicLabel(opcon) = %q", got)
	}
	if got := TopicLabel("nope"); got != "nope" {
		t.Errorf("TopicLabel(nope) = %q", got)
	}
	ids := map[string]bool{}
	for _, tp := range Topics() {
		if tp.ID == "" || tp.Label == "" || len(tp.Terms) == 0 || ids[tp.ID] {
			t.Errorf("bad or duplicate topic %+v", tp)
		}
		ids[tp.ID] = true
	}
	if len(ids) < 14 {
		t.Errorf("taxonomy has %d topics, want about 15", len(ids))
	}
}

func TestAcronymMining(t *testing.T) {
	tests := []struct {
		sentence string
		want     map[string]string
	}{
		{"The KIDD delegations applauded the efforts of the Conditions-based Operational Control (OPCON) Transition Working Group.", map[string]string{"OPCON": "Operational Control"}},
		{"as agreed by the Nuclear Consultative Group (NCG), and pledged", map[string]string{"NCG": "Nuclear Consultative Group"}},
		{"the Democratic People's Republic of Korea (DPRK) continued", map[string]string{"DPRK": "Democratic People's Republic of Korea"}},
		{"The U.S. Department of Defense (DoD) held talks", map[string]string{"DoD": "Department of Defense"}},
		{"violates United Nations Security Council Resolutions (UNSCRs).", map[string]string{"UNSCR": "United Nations Security Council Resolution"}},
		{"resilience through participation in the Indo-Pacific Industrial Resilience Partnership (PIPIR)", map[string]string{}},
		{"the exercise (FS 24) and a meeting (2+2 meeting) and (see above)", map[string]string{}},
	}
	for _, tc := range tests {
		if got := mineAcronyms([]string{tc.sentence}); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("mineAcronyms(%.50q) = %v, want %v", tc.sentence, got, tc.want)
		}
	}
}

func TestSentenceSplit(t *testing.T) {
	got := splitSentences(`U.S. Secretary of Defense Lloyd J. Austin III met Dr. Ely Ratner. The U.S. side agreed. "It works," he said. Brig. Gen. Roberta Shea led.`)
	want := []string{"U.S. Secretary of Defense Lloyd J. Austin III met Dr. Ely Ratner.", "The U.S. side agreed.", `"It works," he said.`, "Brig. Gen. Roberta Shea led."}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

func TestSurnameOfUnknownPrincipal(t *testing.T) {
	rec := parseString(t, "x.txt", "Talks end\n\nSouth Korean Deputy Minister for National Defense Policy Yeo Suk-joo and Marine Corps Brig. Gen. Roberta Shea led the talks, which were held in Seoul on July 25, 2018.\n\nYeo said progress continues. Shea also noted the plan.\n\nThe Yeo family and Shea Stadium agreed nothing.")
	if got := rec.Paragraphs[1].Speakers; !reflect.DeepEqual(got, []string{"Yeo Suk-joo", "Roberta Shea"}) {
		t.Errorf("speakers = %v", got)
	}
	if got := rec.Paragraphs[2].Speakers; len(got) != 0 {
		t.Errorf("speakers of paragraph without statements = %v", got)
	}
}
