package indexer

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"dialoguesearch/corpus"
)

// A damaged index (it is derived data) is moved aside, kept, and rebuilt:
// never a panic, never a refusal to start.
func TestDamagedIndexIsMovedAsideAndRebuilt(t *testing.T) {
	recs, _ := corpus.Load(corpus.Default())
	for _, tc := range []struct {
		name   string
		damage func(t *testing.T, live string)
	}{
		{"segment footer overwritten", func(t *testing.T, live string) {
			for _, p := range zapFiles(t, live) {
				f, err := os.OpenFile(p, os.O_RDWR, 0)
				if err != nil {
					t.Fatal(err)
				}
				// zap v16's footer ends with the offsets of the fields
				// and sections indexes (8 bytes each), one unused (8),
				// the chunk mode, the version and the CRC (4 each):
				// overwrite the two offsets
				st, _ := f.Stat()
				if _, err := f.WriteAt(bytes.Repeat([]byte{0xff}, 16), st.Size()-36); err != nil {
					t.Fatal(err)
				}
				f.Close()
			}
		}},
		{"segment's document count past 2^32, CRC rewritten", func(t *testing.T, live string) {
			// What a CI run met once: a footer whose document count
			// read 0x1000000037 panicked on one of a search's own
			// goroutines, out of reach of any recover.
			for _, p := range zapFiles(t, live) {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				// zap v16's footer: the document count (8 bytes) comes
				// first of its 52.
				binary.BigEndian.PutUint64(b[len(b)-52:], 0x1000000037)
				binary.BigEndian.PutUint32(b[len(b)-4:], crc32.ChecksumIEEE(b[:len(b)-4]))
				if err := os.WriteFile(p, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"one byte of a segment flipped", func(t *testing.T, live string) {
			for _, p := range zapFiles(t, live) {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				b[len(b)/3] ^= 0x40
				if err := os.WriteFile(p, b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"segment truncated", func(t *testing.T, live string) {
			for _, p := range zapFiles(t, live) {
				st, _ := os.Stat(p)
				if err := os.Truncate(p, st.Size()/2); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"records.bolt garbage", func(t *testing.T, live string) {
			if err := os.WriteFile(filepath.Join(live, storeFile), bytes.Repeat([]byte("garbage!"), 4096), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ctx := context.Background()
			x, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := x.Sync(ctx, recs, nil); err != nil {
				t.Fatal(err)
			}
			want := mustSearch(t, x, "alliance").Total
			x.Close()
			live := filepath.Join(dir, "index-v"+strconv.Itoa(Version))
			tc.damage(t, live)

			x, err = Open(dir)
			if err != nil {
				t.Fatalf("open a damaged index: %v", err)
			}
			defer x.Close()
			moved := x.MovedAside()
			if len(moved) != 1 || moved[0].Cause == nil || !strings.HasPrefix(filepath.Base(moved[0].To), damagedPrefix) {
				t.Fatalf("moved aside: %+v", moved)
			}
			if _, err := os.Stat(moved[0].To); err != nil {
				t.Errorf("the damaged index is not kept: %v", err)
			}
			t.Logf("moved aside because: %v", moved[0].Cause)
			st, err := x.Sync(ctx, recs, nil)
			if err != nil || st.Added != len(recs) {
				t.Fatalf("rebuild: %+v %v", st, err)
			}
			if got := mustSearch(t, x, "alliance").Total; got != want {
				t.Errorf("after the rebuild: %d hits, want %d", got, want)
			}
			// The kept copy survives the next open.
			x.Close()
			if x, err = Open(dir); err != nil || len(x.MovedAside()) != 0 {
				t.Fatalf("reopen: %v %+v", err, x.MovedAside())
			}
			if _, err := os.Stat(moved[0].To); err != nil {
				t.Errorf("the kept copy is gone after a reopen: %v", err)
			}
		})
	}
}

func zapFiles(t *testing.T, live string) []string {
	t.Helper()
	ps, _ := filepath.Glob(filepath.Join(live, "store", "*.zap"))
	if len(ps) == 0 {
		t.Fatal("no segment files")
	}
	return ps
}
