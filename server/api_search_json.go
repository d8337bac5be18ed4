package server

import (
	"math"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"dialoguesearch/corpus"
)

// The body of GET /api/search, written by hand: the same bytes as echo's
// c.JSON (encoding/json's Encoder: HTML-safe strings, the map's keys
// sorted, a final newline) without its reflection, which was a tenth of the
// server's CPU under load. TestSearchJSONMatchesEncodingJSON holds the two
// to the same output; a field added to the response types must be added
// here too (the test fails until it is).

// writeSearchJSON answers out as c.JSON(http.StatusOK, out) would.
func writeSearchJSON(c echo.Context, out *searchResponse) error {
	if _, pretty := c.QueryParams()["pretty"]; pretty || c.Echo().Debug {
		return c.JSON(http.StatusOK, out)
	}
	bp := jsonBufs.Get().(*[]byte)
	b, ok := appendSearchResponse((*bp)[:0], out)
	if !ok {
		jsonBufs.Put(bp)
		return c.JSON(http.StatusOK, out) // a score that is no number: encoding/json's error
	}
	b = append(b, '\n')
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(b)))
	c.Response().WriteHeader(http.StatusOK)
	_, err := c.Response().Write(b)
	if cap(b) <= 1<<20 { // a huge page is not kept
		*bp = b
		jsonBufs.Put(bp)
	}
	return err
}

var jsonBufs = sync.Pool{New: func() any { b := make([]byte, 0, 32<<10); return &b }}

// appendSearchResponse appends out as encoding/json writes it (without the
// Encoder's newline); false if a float is NaN or infinite.
func appendSearchResponse(b []byte, out *searchResponse) ([]byte, bool) {
	ok := true
	b = append(b, `{"total":`...)
	b = strconv.AppendUint(b, out.Total, 10)
	b = append(b, `,"took_ms":`...)
	b, ok = appendFloat(b, out.TookMS)
	if !ok {
		return b, false
	}
	b = append(b, `,"page":`...)
	b = strconv.AppendInt(b, int64(out.Page), 10)
	b = append(b, `,"size":`...)
	b = strconv.AppendInt(b, int64(out.Size), 10)
	b = append(b, `,"hits":`...)
	if b, ok = appendHits(b, out.Hits); !ok {
		return b, false
	}
	b = append(b, `,"facets":`...)
	if out.Facets == nil {
		b = append(b, "null"...)
	} else {
		names := make([]string, 0, len(out.Facets))
		for name := range out.Facets {
			names = append(names, name)
		}
		slices.Sort(names)
		b = append(b, '{')
		for i, name := range names {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, name)
			b = append(b, ':')
			vals := out.Facets[name]
			if vals == nil {
				b = append(b, "null"...)
				continue
			}
			b = append(b, '[')
			for j, v := range vals {
				if j > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"value":`...)
				b = appendJSONString(b, v.Value)
				b = append(b, `,"count":`...)
				b = strconv.AppendInt(b, int64(v.Count), 10)
				b = append(b, `,"selected":`...)
				b = strconv.AppendBool(b, v.Selected)
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	}
	b = append(b, `,"suggestion":`...)
	if out.Suggestion == nil {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(b, *out.Suggestion)
	}
	b = append(b, `,"records":`...)
	b = strconv.AppendInt(b, int64(out.Records), 10)
	if len(out.Groups) > 0 {
		b = append(b, `,"groups":[`...)
		for i, g := range out.Groups {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"record_id":`...)
			b = appendJSONString(b, g.RecordID)
			b = append(b, `,"title":`...)
			b = appendJSONString(b, g.Title)
			b = append(b, `,"date":`...)
			b = appendDate(b, g.Date)
			b = append(b, `,"meeting":`...)
			b = appendMeeting(b, g.Meeting)
			b = append(b, `,"matches":`...)
			b = strconv.AppendInt(b, int64(g.Matches), 10)
			b = append(b, `,"hits":`...)
			if b, ok = appendHits(b, g.Hits); !ok {
				return b, false
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}'), true
}

func appendHits(b []byte, hits []searchHit) ([]byte, bool) {
	if hits == nil {
		return append(b, "null"...), true
	}
	b = append(b, '[')
	for i := range hits {
		if i > 0 {
			b = append(b, ',')
		}
		var ok bool
		if b, ok = appendHit(b, &hits[i]); !ok {
			return b, false
		}
	}
	return append(b, ']'), true
}

func appendHit(b []byte, h *searchHit) ([]byte, bool) {
	b = append(b, `{"id":`...)
	b = appendJSONString(b, h.ID)
	b = append(b, `,"record_id":`...)
	b = appendJSONString(b, h.RecordID)
	b = append(b, `,"title":`...)
	b = appendJSONString(b, h.Title)
	b = append(b, `,"date":`...)
	b = appendDate(b, h.Date)
	b = append(b, `,"meeting":`...)
	b = appendMeeting(b, h.Meeting)
	b = append(b, `,"section":`...)
	b = appendJSONString(b, h.Section)
	b = append(b, `,"n":`...)
	b = strconv.AppendInt(b, int64(h.N), 10)
	b = append(b, `,"speakers":`...)
	b = appendStrings(b, h.Speakers)
	b = append(b, `,"sides":`...)
	b = appendStrings(b, h.Sides)
	b = append(b, `,"topics":`...)
	b = appendStrings(b, h.Topics)
	b = append(b, `,"text":`...)
	b = appendJSONString(b, h.Text)
	b = append(b, `,"score":`...)
	var ok bool
	if b, ok = appendFloat(b, h.Score); !ok {
		return b, false
	}
	b = append(b, `,"snippet_html":`...)
	b = appendJSONString(b, h.SnippetHTML)
	b = append(b, `,"expansions":`...)
	b = appendStrings(b, h.Expansions)
	if len(h.SortKeys) > 0 {
		b = append(b, `,"sort_keys":`...)
		b = appendStrings(b, h.SortKeys)
	}
	b = append(b, `,"url":`...)
	b = appendJSONString(b, h.URL)
	return append(b, '}'), true
}

// appendDate is corpus.Date's MarshalJSON: null for an unknown date.
func appendDate(b []byte, d corpus.Date) []byte {
	if d == "" {
		return append(b, "null"...)
	}
	return appendJSONString(b, string(d))
}

func appendMeeting(b []byte, m corpus.Meeting) []byte {
	b = append(b, `{"series":`...)
	b = appendJSONString(b, m.Series)
	b = append(b, `,"number":`...)
	b = strconv.AppendInt(b, int64(m.Number), 10)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, m.Name)
	return append(b, '}')
}

func appendStrings(b []byte, ss []string) []byte {
	if ss == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendFloat writes f as encoding/json does (ES6 number formatting); false
// for NaN and the infinities, which it refuses.
func appendFloat(b []byte, f float64) ([]byte, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, false
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 to e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, true
}

const hexDigits = "0123456789abcdef"

// appendJSONString is encoding/json's string encoding with HTML escaping
// (its default): <, >, & as \u003c, \u003e, \u0026, invalid UTF-8 as
// \ufffd, U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
