package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"dialoguesearch/failure"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/korean"
	xunicode "golang.org/x/text/encoding/unicode"
)

// MaxFileSize is the largest record file Parse accepts: 2 MB. Real records
// are a few kilobytes (the largest shipped one 29 KB), a saved web page
// around one a few hundred; anything bigger is not a dialogue record. The
// limit bounds the memory one file takes: parsing a file of many
// paragraphs allocates about 30 times its size in all, and indexing it
// (one batch, so that a record is never half written) about 160 times,
// 1.6 GB at the former 10 MB.
const MaxFileSize = 2 << 20

// Sentinel errors of Parse, for errors.Is; the returned errors also carry a
// failure kind and a message naming the file.
var (
	ErrEmpty    = errors.New("empty file")
	ErrBinary   = errors.New("binary file")
	ErrTooLarge = errors.New("file too large")
	ErrNoText   = errors.New("no text")
)

func fileError(kind failure.Kind, sentinel error, name, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return &failure.Error{Kind: kind, Msg: fmt.Sprintf("corpus: %s: %s", name, msg), Err: sentinel}
}

// decodeText turns raw bytes into UTF-8 text: it strips a BOM, decodes
// UTF-16, Windows-1252 and EUC-KR, and rejects empty and binary input.
func decodeText(b []byte, name string, isHTML bool) (string, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return "", fileError(failure.Unprocessable, ErrEmpty, name, "empty file")
	}
	var enc encoding.Encoding
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		b = b[3:]
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		enc = xunicode.UTF16(xunicode.LittleEndian, xunicode.ExpectBOM)
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		enc = xunicode.UTF16(xunicode.BigEndian, xunicode.ExpectBOM)
	}
	if enc == nil && bytes.IndexByte(b, 0) >= 0 {
		return "", fileError(failure.Unprocessable, ErrBinary, name, "binary file (contains NUL bytes), not a text or HTML record")
	}
	if enc == nil && !utf8.Valid(b) {
		enc = guessLegacy(b, isHTML)
	}
	s := string(b)
	if enc != nil {
		out, err := enc.NewDecoder().Bytes(b)
		if err != nil {
			return "", fileError(failure.Unprocessable, ErrBinary, name, "cannot decode text: %v", err)
		}
		s = string(out)
	}
	s = strings.TrimPrefix(s, "\uFEFF")
	if strings.TrimSpace(s) == "" {
		return "", fileError(failure.Unprocessable, ErrEmpty, name, "empty file")
	}
	var ctl, total int
	for _, r := range s {
		total++
		if r == utf8.RuneError || (unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' && r != '\f') {
			ctl++
		}
	}
	if ctl*20 > total { // over 5% control or undecodable characters
		return "", fileError(failure.Unprocessable, ErrBinary, name, "binary file (%d of %d characters are control or undecodable), not a text or HTML record", ctl, total)
	}
	return s, nil
}

// guessLegacy picks the encoding of non-UTF-8 text: a declared HTML charset
// when there is one, else EUC-KR when the high bytes come in Hangul pairs,
// else Windows-1252 (the usual encoding of English pages that are not UTF-8).
func guessLegacy(b []byte, isHTML bool) encoding.Encoding {
	if isHTML {
		if e, _, certain := charset.DetermineEncoding(b, "text/html"); certain && e != nil {
			return e
		}
	}
	var pairs, singles int
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c < 0x80 {
			continue
		}
		if c >= 0xA1 && c <= 0xFE && i+1 < len(b) && b[i+1] >= 0xA1 && b[i+1] <= 0xFE {
			pairs++
			i++
			continue
		}
		singles++
	}
	if pairs > 0 && pairs >= 4*singles {
		return korean.EUCKR
	}
	return charmap.Windows1252
}

var htmlTag = mustRx(`<(?:!doctype|html|head|body|p|div|br|h[1-6]|span|a|b|i|title|meta|table|ul|li)\b`)

// looksHTML says whether a file is HTML, by its name or its first bytes.
func looksHTML(name string, b []byte) bool {
	head := b
	if len(head) > 4096 {
		head = head[:4096]
	}
	h := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(string(head), "\uFEFF")))
	if IsHTMLName(name) {
		// named HTML, but plain text inside is parsed as text
		return htmlTag.MatchString(h)
	}
	return strings.HasPrefix(h, "<!doctype html") || strings.HasPrefix(h, "<html") ||
		(strings.HasPrefix(h, "<") && (strings.Contains(h, "<body") || strings.Contains(h, "<head") || strings.Contains(h, "<p>") || strings.Contains(h, "<div")))
}
