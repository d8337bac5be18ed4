package corpus

import (
	"fmt"
	"strings"
)

// frontMatter is the optional block between --- lines at the top of a record
// file. Its fields override what the parser extracts.
type frontMatter map[string]string

// splitFrontMatter cuts a leading "---" block of "key: value" lines off text.
// A tiny parser on purpose: records need flat keys and string values only.
func splitFrontMatter(text string) (frontMatter, string) {
	t := strings.TrimLeft(text, " \t\r\n")
	if !strings.HasPrefix(t, "---") {
		return nil, text
	}
	first, rest, ok := strings.Cut(t, "\n")
	if !ok || strings.TrimSpace(first) != "---" {
		return nil, text
	}
	fm := frontMatter{}
	for {
		line, more, ok := strings.Cut(rest, "\n")
		trimmed := strings.TrimSpace(line)
		if trimmed == "---" || trimmed == "..." {
			return fm, more
		}
		if !ok {
			return nil, text // no closing line: not front matter
		}
		rest = more
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		k, v, found := strings.Cut(trimmed, ":")
		if !found {
			return nil, text
		}
		k = strings.ToLower(strings.TrimSpace(k))
		k = strings.ReplaceAll(k, "-", "_")
		v = strings.TrimSpace(v)
		if i := strings.Index(v, " #"); i >= 0 && !strings.HasPrefix(v, `"`) && !strings.HasPrefix(v, "'") {
			v = strings.TrimSpace(v[:i])
		}
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			v = v[1 : len(v)-1]
		}
		fm[k] = v
	}
}

// parseSidecar reads a sidecar file: "key: value" lines with the keys of
// front matter, optionally between "---" lines; "#" starts a comment.
func parseSidecar(b []byte) (frontMatter, error) {
	t := strings.TrimSpace(strings.ReplaceAll(string(b), "\r\n", "\n"))
	if !strings.HasPrefix(t, "---") {
		t = "---\n" + t
	}
	if !strings.HasSuffix(t, "\n---") && t != "---" {
		t += "\n---\n"
	}
	fm, _ := splitFrontMatter(t + "\n")
	if fm == nil {
		return nil, fmt.Errorf("not \"key: value\" lines")
	}
	return fm, nil
}
