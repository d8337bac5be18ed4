package corpus

import (
	"bytes"
	"io/fs"
	"testing"
)

// BenchmarkParse parses the largest shipped record (29 KB).
func BenchmarkParse(b *testing.B) {
	data, err := fs.ReadFile(Default(), "2023-11-13-scm-55-joint-communique.txt")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(data), "scm.txt"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseDMM parses the shipped record that names no numbered
// meeting (every series is looked for in every paragraph).
func BenchmarkParseDMM(b *testing.B) {
	data, err := fs.ReadFile(Default(), "2024-06-02-defense-ministerial-shangri-la-press-release.txt")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(data), "dmm.txt"); err != nil {
			b.Fatal(err)
		}
	}
}
