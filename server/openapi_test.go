package server

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"dialoguesearch/indexer"
)

// The conformance test checks real answers against openapi.json with a
// small validator for the subset of JSON Schema the document uses: $ref,
// type (one or a list), required, properties, additionalProperties, items,
// enum, minimum/maximum.

type openAPIDoc struct {
	OpenAPI string                                 `json:"openapi"`
	Paths   map[string]map[string]openAPIOperation `json:"paths"`
	Comps   struct {
		Schemas map[string]schema `json:"schemas"`
	} `json:"components"`
}

type openAPIOperation struct {
	Parameters []struct {
		Name   string `json:"name"`
		In     string `json:"in"`
		Schema schema `json:"schema"`
	} `json:"parameters"`
	Responses map[string]struct {
		Content map[string]struct {
			Schema schema `json:"schema"`
		} `json:"content"`
	} `json:"responses"`
}

type schema map[string]any

func loadOpenAPI(t *testing.T, s *Server) *openAPIDoc {
	t.Helper()
	rec := get(t, s, "/api/openapi.json")
	wantStatus(t, rec, http.StatusOK)
	var doc openAPIDoc
	decode(t, rec, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi = %q, want 3.x", doc.OpenAPI)
	}
	return &doc
}

// validate returns the ways v does not match sch, each prefixed with its path.
func (d *openAPIDoc) validate(v any, sch schema, path string) []string {
	if ref, ok := sch["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		target, ok := d.Comps.Schemas[name]
		if !ok {
			return []string{path + ": unknown $ref " + ref}
		}
		return d.validate(v, target, path)
	}
	var errs []string
	if types := schemaTypes(sch["type"]); len(types) > 0 && !slices.Contains(types, jsonType(v)) &&
		!(jsonType(v) == "integer" && slices.Contains(types, "number")) {
		return []string{fmt.Sprintf("%s: %s, want %v", path, jsonType(v), types)}
	}
	if enum, ok := sch["enum"].([]any); ok && !slices.Contains(enum, v) {
		errs = append(errs, fmt.Sprintf("%s: %v not in %v", path, v, enum))
	}
	switch v := v.(type) {
	case map[string]any:
		for _, r := range asList(sch["required"]) {
			if _, ok := v[r.(string)]; !ok {
				errs = append(errs, fmt.Sprintf("%s: required field %q missing", path, r))
			}
		}
		props, _ := sch["properties"].(map[string]any)
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := props[k].(map[string]any); ok {
				errs = append(errs, d.validate(v[k], p, path+"."+k)...)
			} else if ap, ok := sch["additionalProperties"].(map[string]any); ok {
				errs = append(errs, d.validate(v[k], ap, path+"."+k)...)
			} else if props != nil {
				errs = append(errs, fmt.Sprintf("%s: field %q not in the schema", path, k))
			}
		}
	case []any:
		if items, ok := sch["items"].(map[string]any); ok {
			for i, x := range v {
				errs = append(errs, d.validate(x, items, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	case float64:
		if lo, ok := sch["minimum"].(float64); ok && v < lo {
			errs = append(errs, fmt.Sprintf("%s: %v below minimum %v", path, v, lo))
		}
		if hi, ok := sch["maximum"].(float64); ok && v > hi {
			errs = append(errs, fmt.Sprintf("%s: %v above maximum %v", path, v, hi))
		}
	}
	return errs
}

func schemaTypes(t any) []string {
	switch t := t.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			out = append(out, x.(string))
		}
		return out
	}
	return nil
}

func asList(x any) []any { l, _ := x.([]any); return l }

func jsonType(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case float64:
		if v == float64(int64(v)) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// openAPIPath maps an echo route (/api/records/:id) to its OpenAPI path.
func openAPIPath(route string) string {
	return regexp.MustCompile(`:([a-z_]+)`).ReplaceAllString(route, "{$1}")
}

// responseSchema finds the documented schema of an answer.
func (d *openAPIDoc) responseSchema(t *testing.T, route, method string, status int, contentType string) schema {
	t.Helper()
	op, ok := d.Paths[openAPIPath(route)][strings.ToLower(method)]
	if !ok {
		t.Fatalf("%s %s is not documented", method, route)
	}
	resp, ok := op.Responses[strconv.Itoa(status)]
	if !ok {
		t.Fatalf("%s %s: status %d is not documented", method, route, status)
	}
	mt := strings.TrimSpace(strings.Split(contentType, ";")[0])
	c, ok := resp.Content[mt]
	if !ok {
		t.Fatalf("%s %s %d: content type %q is not documented", method, route, status, mt)
	}
	return c.Schema
}

// TestOpenAPIConformance checks real answers of every documented kind
// against the schemas in openapi.json.
func TestOpenAPIConformance(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	doc := loadOpenAPI(t, s)
	notReady := New(testConfig(), Deps{})
	first := fixtureRecs[0].ID
	for _, tc := range []struct {
		srv    *Server
		route  string
		target string
		status int
	}{
		{s, "/api/search", "/api/search?q=deterrence", 200},
		{s, "/api/search", "/api/search?q=OPCON&size=100", 200},
		{s, "/api/search", "/api/search?q=alliance&series=SCM&series=KIDD&sort=date&from=2020-01-01&to=2024-12-31&page=1&size=5", 200},
		{s, "/api/search", "/api/search", 200},
		{s, "/api/search", "/api/search?q=alliannce", 200},
		{s, "/api/search", "/api/search?q=zzzzqqqq", 200},
		{s, "/api/search", "/api/search?size=0", 400},
		{s, "/api/search", "/api/search?q=" + url.QueryEscape(`"open`), 400},
		{notReady, "/api/search", "/api/search?q=x", 503},
		{s, "/api/search.csv", "/api/search.csv?sort=x", 400},
		{s, "/api/records", "/api/records", 200},
		{s, "/api/records", "/api/records?size=2&page=2", 200},
		{s, "/api/records", "/api/records?size=0", 400},
		{s, "/api/records/:id", "/api/records/" + url.PathEscape(first), 200},
		{s, "/api/records/:id", "/api/records/nope", 404},
		{s, "/api/glossary", "/api/glossary", 200},
		{notReady, "/api/glossary", "/api/glossary", 503},
		{s, "/healthz", "/healthz", 200},
		{s, "/readyz", "/readyz", 200},
		{notReady, "/readyz", "/readyz", 503},
		{s, "/api/openapi.json", "/api/openapi.json", 200},
	} {
		t.Run(tc.target[:min(len(tc.target), 60)], func(t *testing.T) {
			rec := get(t, tc.srv, tc.target)
			wantStatus(t, rec, tc.status)
			sch := doc.responseSchema(t, tc.route, http.MethodGet, tc.status, rec.Header().Get("Content-Type"))
			var v any
			if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
				t.Fatalf("body is not JSON: %v", err)
			}
			for _, e := range doc.validate(v, sch, "$") {
				t.Error(e)
			}
		})
	}
	// CSV and metrics: documented content types.
	for _, target := range []string{"/api/search.csv?q=alliance", "/metrics"} {
		rec := get(t, s, target)
		wantStatus(t, rec, 200)
		route := strings.Split(target, "?")[0]
		doc.responseSchema(t, route, http.MethodGet, 200, rec.Header().Get("Content-Type"))
	}
}

// The validator must catch what it is there to catch.
func TestOpenAPIValidatorCatchesMismatches(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	doc := loadOpenAPI(t, s)
	hit := doc.Comps.Schemas["Hit"]
	for name, body := range map[string]string{
		"missing field": `{"id":"a","record_id":"a","title":"t","date":null,"meeting":{"series":"SCM","number":1,"name":"x"},"section":"","n":1,"speakers":[],"sides":[],"topics":[],"score":1,"text":"","snippet_html":"","url":""}`,
		"wrong type":    `{"id":"a","record_id":"a","title":"t","date":null,"meeting":{"series":"SCM","number":1,"name":"x"},"section":"","n":"1","speakers":[],"sides":[],"topics":[],"score":1,"text":"","snippet_html":"","expansions":[],"url":""}`,
		"nested":        `{"id":"a","record_id":"a","title":"t","date":"2024-01-01","meeting":{"series":"SCM","name":"x"},"section":"","n":1,"speakers":[],"sides":[],"topics":[],"score":1,"text":"","snippet_html":"","expansions":[],"url":""}`,
		"array item":    `{"id":"a","record_id":"a","title":"t","date":null,"meeting":{"series":"SCM","number":1,"name":"x"},"section":"","n":1,"speakers":[3],"sides":[],"topics":[],"score":1,"text":"","snippet_html":"","expansions":[],"url":""}`,
		"null list":     `{"id":"a","record_id":"a","title":"t","date":null,"meeting":{"series":"SCM","number":1,"name":"x"},"section":"","n":1,"speakers":null,"sides":[],"topics":[],"score":1,"text":"","snippet_html":"","expansions":[],"url":""}`,
		"extra field":   `{"id":"a","record_id":"a","title":"t","date":null,"meeting":{"series":"SCM","number":1,"name":"x"},"section":"","n":1,"speakers":[],"sides":[],"topics":[],"score":1,"text":"","snippet_html":"","expansions":[],"url":"","bogus":[]}`,
	} {
		var v any
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Fatal(err)
		}
		if errs := doc.validate(v, hit, "$"); len(errs) == 0 {
			t.Errorf("%s: validator found nothing wrong", name)
		}
	}
}

// Every API route is documented, and the documented parameters of search
// are the ones the server reads.
func TestOpenAPICoversRoutes(t *testing.T) {
	s, _ := newTestServer(t, testConfig())
	doc := loadOpenAPI(t, s)
	for _, r := range s.e.Routes() {
		if !strings.HasPrefix(r.Path, "/api/") && !isProbe(r.Path) {
			continue // UI pages
		}
		if strings.HasPrefix(r.Path, "/api/test-") || r.Method == "echo_route_any" {
			continue
		}
		if _, ok := doc.Paths[openAPIPath(r.Path)][strings.ToLower(r.Method)]; !ok {
			t.Errorf("%s %s is not in openapi.json", r.Method, r.Path)
		}
	}
	var params []string
	for _, p := range doc.Paths["/api/search"]["get"].Parameters {
		params = append(params, p.Name)
	}
	want := append([]string{"q"}, indexer.FacetNames...)
	want = append(want, "from", "to", "sort", "page", "size", "after", "group")
	sort.Strings(params)
	sort.Strings(want)
	if !slices.Equal(params, want) {
		t.Errorf("documented search parameters %v, want %v", params, want)
	}
}

// TestOpenAPIAlertConformance checks the ingest and alert answers against
// their schemas, over a real alert store and index (alerts_test.go's
// environment).
func TestOpenAPIAlertConformance(t *testing.T) {
	env := startAlertEnv(t, t.TempDir(), nil, false)
	doc := loadOpenAPI(t, env.srv)
	const record = `Joint Press Statement for the 27th Korea-U.S. Integrated Defense Dialogue

October 1, 2026

The U.S. Department of Defense and the Republic of Korea Ministry of National Defense held the 27th Korea-U.S. Integrated Defense Dialogue (KIDD) on October 1, 2026 in Seoul.

Both sides reviewed the transition of wartime operational control (OPCON) and reaffirmed the conditions agreed for it.
`
	check := func(method, route, target, token, ctype, body string, want int) map[string]any {
		t.Helper()
		var v any
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		got := env.do(method, target, token, ctype, rd, &v)
		if got != want {
			t.Fatalf("%s %s: status %d, want %d: %v", method, target, got, want, v)
		}
		sch := doc.responseSchema(t, route, method, want, "application/json")
		for _, e := range doc.validate(v, sch, "$") {
			t.Errorf("%s %s: %s", method, target, e)
		}
		m, _ := v.(map[string]any)
		return m
	}
	created := check("POST", "/api/alerts", "/api/alerts", "", "application/json",
		`{"name":"OPCON","q":"OPCON","speaker":[],"frequency":"daily"}`, 201)
	id, _ := created["id"].(string)
	tok, _ := created["manage_token"].(string)
	check("POST", "/api/alerts", "/api/alerts", "", "application/json", `{"name":"bad","q":"\"open"}`, 400)
	check("GET", "/api/alerts", "/api/alerts", testAdminToken, "", "", 200)
	check("GET", "/api/alerts", "/api/alerts", "wrong", "", "", 403)
	check("GET", "/api/alerts/preview", "/api/alerts/preview?q=OPCON&series=KIDD", "", "", "", 200)
	check("POST", "/api/alerts/preview", "/api/alerts/preview", "", "application/json", `{"q":"OPCON"}`, 200)
	ing := check("POST", "/api/records", "/api/records", testAdminToken, "text/plain; charset=utf-8", record, 201)
	if ing["alert_matches"] != float64(1) {
		t.Errorf("ingest: %v, want 1 alert match", ing)
	}
	check("POST", "/api/records", "/api/records", testAdminToken, "text/plain", "\x00\x01", 422)
	check("GET", "/api/alerts/:id", "/api/alerts/"+id, tok, "", "", 200)
	check("GET", "/api/alerts/:id", "/api/alerts/"+id, "wrong", "", "", 403)
	check("GET", "/api/alerts/:id", "/api/alerts/no-such-alert-id-0000000000", tok, "", "", 404)
	check("PATCH", "/api/alerts/:id", "/api/alerts/"+id, tok, "application/json", `{"name":"OPCON watch"}`, 200)
	check("GET", "/api/alerts/:id/matches", "/api/alerts/"+id+"/matches", tok, "", "", 200)
	code := env.do("DELETE", "/api/alerts/"+id, tok, "", nil, nil)
	if _, ok := doc.Paths["/api/alerts/{id}"]["delete"].Responses[strconv.Itoa(code)]; !ok || code != 204 {
		t.Errorf("DELETE: status %d", code)
	}
}
