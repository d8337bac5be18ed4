package corpus

import (
	"bytes"
	"io/fs"
	"os"
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

// BenchmarkLoadDir loads the record files of $CORPUS_BENCH_DIR (made with
// go run ./bench/benchgen -files DIR): the record-files-to-ready path. It
// reports paragraphs/s.
func BenchmarkLoadDir(b *testing.B) {
	dir := os.Getenv("CORPUS_BENCH_DIR")
	if dir == "" {
		b.Skip("CORPUS_BENCH_DIR is not set (go run ./bench/benchgen -n 46000 -out /tmp/gen -files DIR)")
	}
	fsys := os.DirFS(dir)
	paras := 0
	for b.Loop() {
		recs, problems := Load(fsys)
		if len(problems) > 0 {
			b.Fatal(problems[0])
		}
		paras = 0
		for _, r := range recs {
			paras += len(r.Paragraphs)
		}
	}
	b.ReportMetric(float64(paras)*float64(b.N)/b.Elapsed().Seconds(), "paragraphs/s")
}
