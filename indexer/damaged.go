package indexer

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
)

// MovedAside is an index that could not be opened (a damaged segment, a
// records.bolt full of garbage, a truncated file) and was moved out of the
// way to be rebuilt from the corpus. It is kept for a post-mortem.
type MovedAside struct {
	From, To string
	Cause    error
}

// MovedAside returns the indexes Open moved aside, for the caller to log.
func (x *Index) MovedAside() []MovedAside { return x.moved }

// damagedPrefix starts the name of a moved-aside index in the data dir
// (not "index-v", which Open cleans up).
const damagedPrefix = "damaged-"

// moveAside renames the live index dir out of the way.
func moveAside(dir, live string, cause error) (MovedAside, error) {
	to := filepath.Join(dir, damagedPrefix+filepath.Base(live)+"-"+time.Now().UTC().Format("20060102T150405Z"))
	if err := os.Rename(live, to); err != nil {
		return MovedAside{}, fmt.Errorf("indexer: move the damaged index %s aside (%v): %w", live, cause, err)
	}
	return MovedAside{From: live, To: to, Cause: cause}, nil
}

// openBleve opens the bleve index at path and checks every segment of its
// snapshot (checkSegments) before anything searches it; a panic while
// reading a damaged segment (zapx trusts the offsets of a segment's
// footer) is an error too.
func openBleve(path string) (bi bleve.Index, err error) {
	defer func() {
		if r := recover(); r != nil {
			if bi != nil {
				bi.Close()
			}
			bi, err = nil, fmt.Errorf("indexer: open %s: damaged segment: %v", path, r)
		}
	}()
	bi, err = bleve.OpenUsing(path, openConfig)
	if err != nil {
		return nil, err
	}
	if err := checkSegments(bi); err != nil {
		bi.Close()
		return nil, fmt.Errorf("indexer: open %s: %w", path, err)
	}
	// Read something of every segment, so that a damaged one fails here
	// rather than in the first search.
	if _, err := bi.DocCount(); err != nil {
		bi.Close()
		return nil, fmt.Errorf("indexer: open %s: %w", path, err)
	}
	sr := bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 1, 0, false)
	sr.Fields = storedFields
	if _, err := bi.Search(sr); err != nil {
		bi.Close()
		return nil, fmt.Errorf("indexer: open %s: %w", path, err)
	}
	return bi, nil
}

// checkSegments verifies each segment file of bi's snapshot against the
// CRC-32 its footer ends with (zapx writes it over every byte before it,
// and never reads it back), then reads its live documents and the stored
// fields of its first and last, all on this goroutine. A search reads the
// segments on goroutines of its own, where a panic on a damaged footer
// (a document count past 2^32, an offset past the end) cannot be
// recovered: it would end the process rather than move the index aside.
func checkSegments(bi bleve.Index) error {
	s, err := scorchOf(bi)
	if s == nil {
		return err
	}
	r, err := s.Reader()
	if err != nil {
		return err
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return nil
	}
	for _, ss := range snap.Segments() {
		seg := ss.Segment()
		if p, ok := seg.(interface{ Path() string }); ok {
			if err := checkSegmentCRC(p.Path()); err != nil {
				return err
			}
		}
		n := seg.Count()
		if n > math.MaxUint32 {
			return fmt.Errorf("damaged segment: %d documents", n)
		}
		ss.DocNumbersLive()
		for _, d := range []uint64{0, n - 1} {
			if n == 0 {
				break
			}
			if err := ss.VisitDocument(d, func(string, byte, []byte, []uint64) bool { return true }); err != nil {
				return fmt.Errorf("damaged segment: document %d: %w", d, err)
			}
		}
	}
	return nil
}

// checkSegmentCRC compares the CRC-32 (IEEE) of a zap file's bytes with
// the one in its last four.
func checkSegmentCRC(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if st.Size() < 4 {
		return fmt.Errorf("damaged segment %s: %d bytes", filepath.Base(path), st.Size())
	}
	h := crc32.NewIEEE()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, st.Size()-4)); err != nil {
		return fmt.Errorf("read segment %s: %w", filepath.Base(path), err)
	}
	var tail [4]byte
	if _, err := f.ReadAt(tail[:], st.Size()-4); err != nil {
		return fmt.Errorf("read segment %s: %w", filepath.Base(path), err)
	}
	if got, want := h.Sum32(), binary.BigEndian.Uint32(tail[:]); got != want {
		return fmt.Errorf("damaged segment %s: its CRC-32 is %08x, its footer says %08x", filepath.Base(path), got, want)
	}
	return nil
}
