package server

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"dialoguesearch/corpus"
	"dialoguesearch/indexer"
)

// encodingJSON is what c.JSON writes for v.
func encodingJSON(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSearchJSONMatchesEncodingJSON: the hand-written body of /api/search is
// byte for byte encoding/json's, for every shape of the response (nil and
// empty lists, groups or none, odd strings, scores of every magnitude).
func TestSearchJSONMatchesEncodingJSON(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"", "a", "Kim Kwan-jin", "<mark>ROK</mark>", "&amp;", "\"q\"", `back\slash`, "tab\there",
		"line\nbreak", "\r", "\b\f\x00\x01\x1f\x7f", "é", "한국", "\u2028\u2029", "\xff\xfe", "a\xc3", "…", "→", "</script>",
		"emoji 🚀", "\u00a0"}
	str := func() string {
		var b strings.Builder
		for range rng.IntN(4) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	strs := func() []string {
		switch rng.IntN(5) {
		case 0:
			return nil
		case 1:
			return []string{}
		}
		out := make([]string, rng.IntN(4))
		for i := range out {
			out[i] = str()
		}
		return out
	}
	floats := []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 1e-7, 1.234e-9, 1e-6, 9.99e-7, 1e20, 1e21, 1.5e300, 3.14159265358979,
		0.000123, 123456789.125, 2.5e-10, 1e-100}
	float := func() float64 {
		if rng.IntN(2) == 0 {
			return floats[rng.IntN(len(floats))]
		}
		return rng.NormFloat64() * math.Pow(10, float64(rng.IntN(40)-20))
	}
	hit := func() searchHit {
		h := searchHit{Hit: indexer.Hit{Paragraph: indexer.Paragraph{
			ID: str(), RecordID: str(), Title: str(), Section: str(), N: rng.IntN(1000) - 5,
			Meeting:  corpus.Meeting{Series: str(), Number: rng.IntN(60), Name: str()},
			Speakers: strs(), Sides: strs(), Topics: strs(), Text: str(),
		}, Score: float(), SnippetHTML: str(), Expansions: strs(), SortKeys: strs()}, URL: str()}
		if rng.IntN(3) > 0 {
			h.Date = corpus.Date(str())
		}
		return h
	}
	hits := func() []searchHit {
		if rng.IntN(6) == 0 {
			return nil
		}
		out := make([]searchHit, rng.IntN(5))
		for i := range out {
			out[i] = hit()
		}
		return out
	}
	for i := range 3000 {
		out := searchResponse{Total: rng.Uint64N(1 << 40), TookMS: float(), Page: rng.IntN(100), Size: rng.IntN(100),
			Hits: hits(), Records: rng.IntN(5000)}
		if rng.IntN(4) > 0 {
			out.Facets = map[string][]indexer.FacetValue{}
			for range rng.IntN(9) {
				var vals []indexer.FacetValue
				if rng.IntN(5) > 0 {
					vals = make([]indexer.FacetValue, rng.IntN(4))
					for j := range vals {
						vals[j] = indexer.FacetValue{Value: str(), Count: rng.IntN(10000), Selected: rng.IntN(3) == 0}
					}
				}
				out.Facets[str()] = vals
			}
		}
		if rng.IntN(3) == 0 {
			s := str()
			out.Suggestion = &s
		}
		switch rng.IntN(3) {
		case 0:
			out.Groups = []searchGroup{}
		case 1:
			for range rng.IntN(4) {
				g := searchGroup{RecordID: str(), Title: str(), Meeting: corpus.Meeting{Series: str(), Name: str(), Number: 3},
					Matches: rng.IntN(50), Hits: hits()}
				if rng.IntN(2) == 0 {
					g.Date = "2013-10-02"
				}
				out.Groups = append(out.Groups, g)
			}
		}
		want := encodingJSON(t, out)
		got, ok := appendSearchResponse(nil, &out)
		if !ok {
			t.Fatalf("case %d: refused", i)
		}
		got = append(got, '\n')
		if !bytes.Equal(got, want) {
			t.Fatalf("case %d:\n got %s\nwant %s", i, got, want)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if _, ok := appendSearchResponse(nil, &searchResponse{Hits: []searchHit{{Hit: indexer.Hit{Score: f}}}}); ok {
			t.Errorf("score %v: not refused", f)
		}
	}
}

// TestSearchJSONAnswer: the answer's headers and body are c.JSON's, with
// its length; ?pretty still indents.
func TestSearchJSONAnswer(t *testing.T) {
	sug := "a <b>"
	out := &searchResponse{Total: 3, TookMS: 0.25, Page: 1, Size: 10, Hits: []searchHit{{URL: "/records/x#p1"}},
		Facets: map[string][]indexer.FacetValue{"year": {{Value: "2013", Count: 3}}}, Suggestion: &sug, Records: 1}
	for _, target := range []string{"/api/search?q=a", "/api/search?q=a&pretty"} {
		e := echo.New()
		req := httptest.NewRequest(http.MethodGet, target, nil)
		fast, slow := httptest.NewRecorder(), httptest.NewRecorder()
		if err := writeSearchJSON(e.NewContext(req, fast), out); err != nil {
			t.Fatal(err)
		}
		if err := e.NewContext(req, slow).JSON(http.StatusOK, out); err != nil {
			t.Fatal(err)
		}
		if fast.Code != slow.Code || !bytes.Equal(fast.Body.Bytes(), slow.Body.Bytes()) {
			t.Errorf("%s: %d %q, want %d %q", target, fast.Code, fast.Body, slow.Code, slow.Body)
		}
		if got, want := fast.Header().Get(echo.HeaderContentType), slow.Header().Get(echo.HeaderContentType); got != want {
			t.Errorf("%s: Content-Type %q, want %q", target, got, want)
		}
	}
}
