package corpus

import (
	"bytes"
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// maxAllocPerByte bounds the bytes a parse allocates in all (garbage
// included) per byte of the file. Before the bound, a file of many
// paragraphs allocated 49 times its size and a file of one line 123 times
// (2 MB: 103 and 259 MB, 5.3 s for the line); now both stay under 30.
const maxAllocPerByte = 40

// allocated returns the bytes f allocates.
func allocated(f func()) uint64 {
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	f()
	runtime.ReadMemStats(&m1)
	return m1.TotalAlloc - m0.TotalAlloc
}

// A record file of the largest size accepted, of many paragraphs or of
// one line, is parsed within a fixed multiple of its size in memory; the
// line is cut into paragraphs of at most MaxParagraph bytes that keep
// every word in order.
func TestParseMemoryBounded(t *testing.T) {
	sentence := "The Secretary and the Minister reaffirmed the alliance's commitment to extended deterrence on the Korean Peninsula, and noted the 55th Security Consultative Meeting held in Seoul on November 13, 2023. "
	var many strings.Builder
	many.WriteString("55th SCM Joint Communique\n\nNovember 13, 2023\n\n")
	for i := 1; many.Len() < MaxFileSize-1024; i++ {
		fmt.Fprintf(&many, "%d. %s%s\n\n", i, sentence, sentence)
	}
	line := strings.Repeat(sentence, (MaxFileSize-100)/len(sentence))
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"many-paragraphs.txt", []byte(many.String())},
		{"one-line.txt", []byte("55th SCM Joint Communique\n\n" + line)},
	} {
		var rec *Record
		var err error
		n := allocated(func() { rec, err = Parse(bytes.NewReader(tc.data), tc.name) })
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if per := float64(n) / float64(len(tc.data)); raceDetector {
			t.Logf("%s: %.1f times the file allocated; not judged under the race detector (the test task runs this test without it too)", tc.name, per)
		} else if per > maxAllocPerByte {
			t.Errorf("%s (%d bytes): parsing allocated %d bytes, %.1f times the file; want at most %d times", tc.name, len(tc.data), n, per, maxAllocPerByte)
		}
		var words []string
		for _, p := range rec.Paragraphs {
			if len(p.Text) > MaxParagraph {
				t.Errorf("%s: paragraph %d is %d bytes, over MaxParagraph", tc.name, p.N, len(p.Text))
			}
			words = append(words, p.Text)
		}
		if tc.name == "one-line.txt" {
			if len(rec.Paragraphs) < len(line)/MaxParagraph {
				t.Errorf("the line became %d paragraphs", len(rec.Paragraphs))
			}
			if got, want := strings.Join(words, " "), strings.TrimSpace(line); got != want {
				t.Errorf("the paragraphs of the line do not hold its text in order (%d vs %d bytes)", len(got), len(want))
			}
		}
	}
}
