package indexer

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/blevesearch/bleve/v2"
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

// openBleve opens the bleve index at path; a panic while reading a damaged
// segment (zapx trusts the offsets of a segment's footer) is an error.
func openBleve(path string) (bi bleve.Index, err error) {
	defer func() {
		if r := recover(); r != nil {
			bi, err = nil, fmt.Errorf("indexer: open %s: damaged segment: %v", path, r)
		}
	}()
	bi, err = bleve.OpenUsing(path, openConfig)
	if err != nil {
		return nil, err
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
