package indexer

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
)

// smallDisk mounts a tmpfs of size bytes for the test (root only) and
// returns its path.
func smallDisk(t *testing.T, size int64) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("a full disk is simulated with a small tmpfs, which needs root; run the test as root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d", size), "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	return dir
}

// fill writes a file that takes all the space left on dir's file system.
func fill(t *testing.T, dir string, leave int64) string {
	t.Helper()
	p := filepath.Join(dir, "filler")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			break
		}
	}
	if err := f.Truncate(max(0, fileSize(f)-leave)); err != nil {
		t.Fatal(err)
	}
	var st syscall.Statfs_t
	_ = syscall.Statfs(dir, &st)
	t.Logf("disk full: %d bytes free", st.Bavail*uint64(st.Bsize))
	return p
}

func fileSize(f *os.File) int64 {
	st, err := f.Stat()
	if err != nil {
		return 0
	}
	return st.Size()
}

// A write that fails for want of space (in the record store, or in bleve's
// segment persist) leaves the last good snapshot serving, says why, marks
// the index degraded, and the next write after space returns works.
func TestFullDiskKeepsServing(t *testing.T) {
	// 0: the record store's write fails first; 256 KiB: it passes and
	// bleve's segment persist fails (which used to poison every search
	// with a zapx panic).
	for _, leave := range []int64{0, 256 << 10} {
		t.Run(fmt.Sprint(leave), func(t *testing.T) { testFullDisk(t, leave) })
	}
}

func testFullDisk(t *testing.T, leave int64) {
	disk := smallDisk(t, 64<<20)
	ctx := context.Background()
	dir := filepath.Join(disk, "data")
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { x.Close() }()
	recs, _ := corpus.Load(corpus.Default())
	if _, err := x.Sync(ctx, recs, nil); err != nil {
		t.Fatal(err)
	}
	before := mustSearch(t, x, "alliance")
	filler := fill(t, disk, leave)
	var big []string
	for i := 0; i < 400; i++ {
		big = append(big, fmt.Sprintf("The zebra%d alliance paragraph number %d speaks of deterrence at length. %s", i, i, strings.Repeat("Words to fill the page. ", 40)))
	}
	_, err = x.Upsert(ctx, []*corpus.Record{rec("fulldisk", "2024-01-01", big...)})
	if !errors.Is(err, ErrDiskFull) || failure.KindOf(err) != failure.Unavailable || !strings.Contains(failure.Message(err), "disk is full") {
		t.Fatalf("upsert on a full disk: %v, want Unavailable with ErrDiskFull", err)
	}
	if h := x.WriteHealth(); !h.Degraded() || h.Failures != 1 {
		t.Errorf("write health after the failure: %+v", h)
	}
	for i := 0; i < 3; i++ {
		res, err := x.Search(ctx, Request{Query: "alliance", Size: 100, Filters: map[string][]string{"series": {"SCM"}}})
		if err != nil {
			t.Fatalf("search after the failed write: %v", err)
		}
		if all := mustSearch(t, x, "alliance"); all.Total != before.Total || res.Total == 0 {
			t.Errorf("after the failed write: %d hits, before %d", all.Total, before.Total)
		}
	}
	if _, err := x.Record("fulldisk"); err == nil {
		t.Error("the record that was not indexed can be read")
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	if _, err := x.Upsert(ctx, []*corpus.Record{rec("fulldisk", "2024-01-01", big...)}); err != nil {
		t.Fatalf("upsert after space returned: %v", err)
	}
	if h := x.WriteHealth(); h.Degraded() {
		t.Errorf("still degraded after a good write: %+v", h)
	}
	if res := mustSearch(t, x, "zebra7"); res.Total != 1 {
		t.Errorf("after recovery: zebra7 total %d", res.Total)
	}
	// What is on disk is whole: a restart finds the same.
	x.Close()
	if x, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	if res := mustSearch(t, x, "alliance"); res.Total != before.Total+400 {
		t.Errorf("after a restart: %d hits, want %d", res.Total, before.Total+400)
	}
}
