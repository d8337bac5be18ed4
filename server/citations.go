package server

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
	"dialoguesearch/indexer"
)

// Citations of paragraphs in the formats reference managers read: BibTeX,
// RIS and CSL-JSON. A paragraph is cited by its printed number where it
// has one ("para. 7"), else by its position (¶15); its URL is the record's
// page with the stable anchor #p<position>.

type citationFormat struct {
	Name, Label, Ext, ContentType string
}

var citationFormats = []citationFormat{
	{"bibtex", "BibTeX", "bib", "application/x-bibtex; charset=utf-8"},
	{"ris", "RIS", "ris", "application/x-research-info-systems; charset=utf-8"},
	{"csl-json", "CSL-JSON", "json", "application/vnd.citationstyles.csl+json; charset=utf-8"},
}

// MaxCitations caps the paragraphs of one citation export of a search.
const MaxCitations = 1000

// citation is one cited paragraph.
type citation struct {
	RecordID string
	Title    string
	Kind     string
	Meeting  string
	Date     corpus.Date
	N        int
	Number   string // printed number, "" when none
	URL      string // absolute, with #pN
}

// paragraphLabel is how a paragraph is cited: its printed number, or ¶ and
// its position.
func paragraphLabel(number string, n int) string {
	if number != "" {
		return number
	}
	return "¶" + strconv.Itoa(n)
}

// locator is "para. 7" or "¶15".
func (c citation) locator() string {
	if c.Number != "" {
		return "para. " + c.Number
	}
	return "¶" + strconv.Itoa(c.N)
}

func (c citation) key() string {
	k := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, c.RecordID)
	return k + "-p" + strconv.Itoa(c.N)
}

// Line is the citation as one line to paste: title, meeting, date,
// paragraph, URL.
func (c citation) Line() string {
	parts := []string{c.Title}
	if c.Meeting != "" && !strings.Contains(c.Title, c.Meeting) {
		parts = append(parts, c.Meeting)
	}
	if t := dateText(c.Date); t != "" {
		parts = append(parts, t)
	}
	parts = append(parts, c.locator())
	return strings.Join(parts, ", ") + ". " + c.URL
}

// absBase is the base of absolute URLs in citations and exports: the
// scheme and host the reader's request came to (behind a proxy with
// --trust-proxy, the scheme it forwarded), which is the address the reader
// knows the site by.
func (s *Server) absBase(c echo.Context) string {
	return c.Scheme() + "://" + c.Request().Host
}

func paragraphPath(recordID string, n int) string {
	return "/records/" + url.PathEscape(recordID) + "#p" + strconv.Itoa(n)
}

func findFormat(name string) (citationFormat, error) {
	if name == "" {
		name = "bibtex"
	}
	for _, f := range citationFormats {
		if f.Name == name {
			return f, nil
		}
	}
	return citationFormat{}, failure.Param("format", "format must be bibtex, ris or csl-json, not %q", name)
}

// writeCitations answers cs in format f as a download named name.ext.
func writeCitations(c echo.Context, f citationFormat, name string, cs []citation) error {
	var b strings.Builder
	switch f.Name {
	case "bibtex":
		for _, ct := range cs {
			fmt.Fprintf(&b, "@misc{%s,\n", ct.key())
			fmt.Fprintf(&b, "  title = {%s},\n", bibEscape(ct.Title+", "+ct.locator()))
			if ct.Meeting != "" {
				fmt.Fprintf(&b, "  howpublished = {%s},\n", bibEscape(ct.Meeting))
			}
			if t, ok := ct.Date.Time(); ok {
				fmt.Fprintf(&b, "  date = {%s},\n  year = {%d},\n  month = {%s},\n", ct.Date, t.Year(), strings.ToLower(t.Format("Jan")))
			}
			fmt.Fprintf(&b, "  note = {%s},\n", bibEscape(ct.locator()))
			fmt.Fprintf(&b, "  url = {%s}\n}\n\n", ct.URL)
		}
	case "ris":
		for _, ct := range cs {
			b.WriteString("TY  - GOVDOC\r\n")
			fmt.Fprintf(&b, "TI  - %s\r\n", risClean(ct.Title))
			if ct.Meeting != "" {
				fmt.Fprintf(&b, "T2  - %s\r\n", risClean(ct.Meeting))
			}
			if t, ok := ct.Date.Time(); ok {
				fmt.Fprintf(&b, "PY  - %d\r\nDA  - %s\r\n", t.Year(), t.Format("2006/01/02"))
			}
			fmt.Fprintf(&b, "SE  - %s\r\n", ct.locator())
			fmt.Fprintf(&b, "UR  - %s\r\n", ct.URL)
			fmt.Fprintf(&b, "ID  - %s\r\n", ct.key())
			b.WriteString("ER  - \r\n\r\n")
		}
	case "csl-json":
		items := make([]map[string]any, 0, len(cs))
		for _, ct := range cs {
			it := map[string]any{
				"id": ct.key(), "type": "document", "title": ct.Title,
				"section": ct.locator(), "URL": ct.URL, "genre": ct.Kind,
			}
			if ct.Meeting != "" {
				it["event-title"] = ct.Meeting
			}
			if t, ok := ct.Date.Time(); ok {
				it["issued"] = map[string]any{"date-parts": [][]int{{t.Year(), int(t.Month()), t.Day()}}}
			}
			items = append(items, it)
		}
		out, err := json.MarshalIndent(items, "", "  ")
		if err != nil {
			return err
		}
		b.Write(out)
		b.WriteString("\n")
	}
	h := c.Response().Header()
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+name+"."+f.Ext+`"`)
	return c.Blob(http.StatusOK, f.ContentType, []byte(b.String()))
}

var bibReplacer = strings.NewReplacer(`\`, `\textbackslash{}`, "{", `\{`, "}", `\}`, "%", `\%`, "&", `\&`, "$", `\$`, "#", `\#`, "_", `\_`)

func bibEscape(s string) string { return bibReplacer.Replace(s) }

// risClean keeps a value on its one line.
func risClean(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// handleRecordCitations is GET /api/records/{id}/citations?format=&p=N...:
// the citations of the chosen paragraphs (p, repeatable; none cites every
// paragraph of the record).
func (s *Server) handleRecordCitations(c echo.Context) error {
	f, err := findFormat(c.QueryParam("format"))
	if err != nil {
		return err
	}
	idx, err := s.readyIndex()
	if err != nil {
		return err
	}
	rec, err := idx.Record(c.Param("id"))
	if err != nil {
		return err
	}
	want := map[int]bool{}
	for _, v := range c.QueryParams()["p"] {
		for _, part := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(part))
			if err != nil || n < 1 || n > len(rec.Paragraphs) {
				return failure.Param("p", "p must be paragraph positions from 1 to %d, not %q", len(rec.Paragraphs), part)
			}
			want[n] = true
		}
	}
	base := s.absBase(c)
	var cs []citation
	for _, p := range rec.Paragraphs {
		if len(want) > 0 && !want[p.N] {
			continue
		}
		cs = append(cs, citation{RecordID: rec.ID, Title: rec.Title, Kind: rec.Kind, Meeting: rec.Meeting.Name,
			Date: rec.Date, N: p.N, Number: p.Number, URL: base + paragraphPath(rec.ID, p.N)})
	}
	return writeCitations(c, f, fileName(rec.ID), cs)
}

// handleSearchCitations is GET /api/search/citations: the citations of the
// matching paragraphs of a search (the first MaxCitations), in rank order.
func (s *Server) handleSearchCitations(c echo.Context) error {
	q := c.QueryParams()
	f, err := findFormat(q.Get("format"))
	if err != nil {
		return err
	}
	q.Del("page")
	q.Del("size")
	req, err := parseSearchParams(q)
	if err != nil {
		return err
	}
	req.NoFacets, req.NoSuggest = true, true
	req.Size = indexer.MaxPageSize
	idx, err := s.readyIndex()
	if err != nil {
		return err
	}
	base := s.absBase(c)
	numbers := map[string]map[int]string{} // record -> position -> printed number
	var cs []citation
	for len(cs) < MaxCitations {
		res, err := s.search(c, req)
		if err != nil {
			return err
		}
		for _, h := range res.Hits {
			nums, ok := numbers[h.RecordID]
			if !ok {
				nums = map[int]string{}
				if rec, err := idx.Record(h.RecordID); err == nil {
					for _, p := range rec.Paragraphs {
						nums[p.N] = p.Number
					}
				}
				numbers[h.RecordID] = nums
			}
			cs = append(cs, citation{RecordID: h.RecordID, Title: h.Title, Meeting: h.Meeting.Name, Date: h.Date,
				N: h.N, Number: nums[h.N], URL: base + paragraphPath(h.RecordID, h.N)})
		}
		if len(res.Hits) < req.Size || uint64(len(cs)) >= res.Total {
			break
		}
		req.Page++
	}
	if len(cs) > MaxCitations {
		cs = cs[:MaxCitations]
	}
	return writeCitations(c, f, "dialoguesearch-citations-"+time.Now().UTC().Format("2006-01-02"), cs)
}
