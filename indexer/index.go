package indexer

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bolt "go.etcd.io/bbolt"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
)

// openTimeout is how long Open waits for the index lock held by another
// process before it says the data dir is in use.
const openTimeout = 500 * time.Millisecond

// batchParagraphs is how many paragraph documents go into one bleve batch.
// Measured on a 100k-paragraph build with two batches in flight: 5,000
// is 10% faster than 2,000 but holds 1.7 GB instead of 1.0 GB at the peak
// (the analysed documents of the batches); 1,000 is slower still.
const batchParagraphs = 2000

// manifestPrefix+id is the bleve internal key holding the content hash of
// the version of record id that the index holds, written in the same batch
// as the record's paragraphs; the record itself and its manifest entry are
// in the record store under (id, hash) (store.go).
const manifestPrefix = "m/"

// Stats is the size of the index.
type Stats struct {
	Paragraphs uint64 `json:"paragraphs"`
	Records    uint64 `json:"records"`
	SizeBytes  int64  `json:"size_bytes"`
	// Merging: the segments of a fresh build are being merged into one
	// in the background (the index answers meanwhile).
	Merging bool `json:"merging"`
}

// manifestEntry is what the index remembers of a record without reading
// its JSON.
type manifestEntry struct {
	Hash     string            `json:"hash"`
	Summary  RecordSummary     `json:"summary"`
	Glossary map[string]string `json:"glossary,omitempty"`
	Texts    int               `json:"texts"` // paragraphs indexed
}

// Index is the search index of a corpus: safe for concurrent use. Searches
// run while an update runs; only the swap to a freshly built index waits
// for the searches in flight.
type Index struct {
	dir  string // data dir; "" for an in-memory index
	path string // the live index-v<N> directory

	mapping  *mapping.IndexMappingImpl
	analyzer analysis.Analyzer

	mu       sync.RWMutex // guards bi, store, manifest, synonyms and facet caches (swap only)
	bi       bleve.Index
	store    *recordStore
	manifest map[string]manifestEntry
	synonyms *synonymTable
	valuesMu sync.Mutex
	values   map[string][]string // keyword field -> distinct values, nil until asked
	facets   *facetCache         // facet columns per segment (facets.go)

	writeMu sync.Mutex // one update at a time

	mergeMu sync.Mutex       // guards merge
	merge   *backgroundMerge // the last fresh build's merge (merge.go), nil when none

	heavy  heavySlots   // expensive searches run a few at a time (query_cost.go)
	moved  []MovedAside // damaged indexes Open moved aside (damaged.go)
	health writeHealth  // the last write's failure (health.go)
}

// Open opens the index in data dir dir (creating it when needed): the index
// lives in dir/index-v<Version>; directories of other versions and
// unfinished builds are removed, so a mapping change rebuilds from scratch
// on the next Sync. When another process holds the index, Open returns a
// failure.Unavailable error within a second instead of waiting.
func Open(dir string) (*Index, error) {
	return open(dir, false)
}

func open(dir string, retried bool) (*Index, error) {
	im, err := newMapping()
	if err != nil {
		return nil, fmt.Errorf("indexer: mapping: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("indexer: open %s: %w", dir, err)
	}
	live := filepath.Join(dir, "index-v"+strconv.Itoa(Version))
	// A crash between the two renames of a swap leaves only the old index
	// under its .old name: put it back.
	if _, err := os.Stat(live); errors.Is(err, fs.ErrNotExist) {
		if _, err := os.Stat(live + ".old"); err == nil {
			if err := os.Rename(live+".old", live); err != nil {
				return nil, fmt.Errorf("indexer: restore %s: %w", live, err)
			}
		}
	}
	// The index is derived from the corpus: one that cannot be opened is
	// moved aside (kept for a post-mortem) and rebuilt by the next Sync.
	damaged := func(cause error) (*Index, error) {
		if retried {
			return nil, fmt.Errorf("indexer: open %s (the index is derived from the corpus: delete the directory to rebuild it): %w", live, cause)
		}
		m, err := moveAside(dir, live, cause)
		if err != nil {
			return nil, err
		}
		x, err := open(dir, true)
		if x != nil {
			x.moved = append(x.moved, m)
		}
		return x, err
	}
	var bi bleve.Index
	if _, err := os.Stat(live); err == nil {
		bi, err = openBleve(live)
		if err != nil {
			if isLockTimeout(err) {
				return nil, inUse(dir)
			}
			return damaged(err)
		}
	} else {
		tmp, err := os.MkdirTemp(dir, "index-v"+strconv.Itoa(Version)+".tmp-")
		if err != nil {
			return nil, fmt.Errorf("indexer: create index: %w", err)
		}
		os.Remove(tmp)
		b, err := newDiskIndex(tmp, im)
		if err != nil {
			os.RemoveAll(tmp)
			return nil, err
		}
		b.Close()
		if err := os.Rename(tmp, live); err != nil {
			os.RemoveAll(tmp)
			return nil, fmt.Errorf("indexer: create index: %w", err)
		}
		bi, err = bleve.OpenUsing(live, openConfig)
		if err != nil {
			if isLockTimeout(err) {
				return nil, inUse(dir)
			}
			return nil, fmt.Errorf("indexer: open %s: %w", live, err)
		}
	}
	// We hold the lock on the live index: whatever else is here is ours to clean.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() && strings.HasPrefix(name, "index-v") && name != filepath.Base(live) {
			os.RemoveAll(filepath.Join(dir, name))
		}
	}
	st, err := openRecordStore(filepath.Join(live, storeFile), false)
	if err != nil {
		bi.Close()
		if isLockTimeout(err) {
			return nil, inUse(dir)
		}
		return damaged(err)
	}
	x := &Index{dir: dir, path: live, mapping: im, analyzer: mustAnalyzer(im), bi: bi, store: st, facets: newFacetCache()}
	if err := x.loadManifest(); err != nil {
		st.close()
		bi.Close()
		return damaged(err)
	}
	if n, _ := bi.DocCount(); n > 0 && len(x.manifest) == 0 && !retried {
		// Paragraphs without records: an index of the same version in
		// the format before the record store. Start afresh, as on a
		// version change; the next Sync rebuilds it.
		st.close()
		bi.Close()
		if err := os.RemoveAll(live); err != nil {
			return nil, fmt.Errorf("indexer: remove %s: %w", live, err)
		}
		return open(dir, true)
	}
	go x.warmFacets()
	return x, nil
}

// openConfig is the runtime configuration of an opened index: wait for
// the lock at most openTimeout; segments in the format of segmentConfig.
var openConfig = withSegmentConfig(map[string]interface{}{"bolt_timeout": openTimeout.String()})

// segmentConfig is the segment format of every index, on disk or in memory,
// created or opened: zap v16. bleve 2.6.1's default, zap v17, adds nested
// documents, vector and geo caches and a file-writer layer, none of which
// this index uses, and costs a fresh build about 9% more CPU (segments built
// and merged); the two read the same to a search (docs/benchmarks.md).
// scorch records the format in each snapshot it persists (root.bolt) and
// opens an index in the format its last snapshot names: this config decides
// the format of a new index and of one opened before any snapshot was
// persisted, and an index of another format is of another Version.
var segmentConfig = map[string]interface{}{"forceSegmentType": "zap", "forceSegmentVersion": 16}

// withSegmentConfig returns config with segmentConfig added (config is
// changed: bleve.NewUsing writes into the map it is given, so each call
// gets a map of its own).
func withSegmentConfig(config map[string]interface{}) map[string]interface{} {
	for k, v := range segmentConfig {
		config[k] = v
	}
	return config
}

func inUse(dir string) error {
	return failure.New(failure.Unavailable, "data dir %s is in use by a running dialoguesearch server; ingest through POST /api/records instead", dir)
}

func isLockTimeout(err error) bool {
	return errors.Is(err, bolt.ErrTimeout) || strings.Contains(err.Error(), "timeout")
}

// newDiskIndex creates a new index at path. (scorch's unsafe_batch would
// speed up builds into a temporary directory by half, but with it bleve
// 2.6.1 does not persist the index meta and internal values on Close.)
func newDiskIndex(path string, im *mapping.IndexMappingImpl) (bleve.Index, error) {
	bi, err := bleve.NewUsing(path, im, scorch.Name, scorch.Name, withSegmentConfig(map[string]interface{}{}))
	if err != nil {
		return nil, fmt.Errorf("indexer: create %s: %w", path, err)
	}
	return bi, nil
}

// NewMemory returns an empty in-memory index with the same mapping and
// analysis (an in-memory scorch index).
func NewMemory() (*Index, error) {
	im, err := newMapping()
	if err != nil {
		return nil, fmt.Errorf("indexer: mapping: %w", err)
	}
	bi, err := newMemoryBleve(im)
	if err != nil {
		return nil, fmt.Errorf("indexer: memory index: %w", err)
	}
	x := &Index{mapping: im, analyzer: mustAnalyzer(im), bi: bi, store: newMemoryStore(), manifest: map[string]manifestEntry{}, facets: newFacetCache()}
	x.synonyms = newSynonymTable(x.analyzer, synonymGroups(nil))
	return x, nil
}

// newMemoryBleve returns an empty in-memory bleve index of mapping im, its
// segments in the format of segmentConfig.
func newMemoryBleve(im *mapping.IndexMappingImpl) (bleve.Index, error) {
	return bleve.NewUsing("", im, scorch.Name, scorch.Name, withSegmentConfig(map[string]interface{}{}))
}

// loadManifest reads the manifest of the record versions the index holds;
// callers hold x.mu or own x alone.
func (x *Index) loadManifest() error {
	ai, err := x.bi.Advanced()
	if err != nil {
		return fmt.Errorf("indexer: read manifest: %w", err)
	}
	r, err := ai.Reader()
	if err != nil {
		return fmt.Errorf("indexer: read manifest: %w", err)
	}
	defer r.Close()
	m, err := x.store.load(func(id string) (string, error) {
		h, err := r.GetInternal([]byte(manifestPrefix + id))
		return string(h), err
	})
	if err != nil {
		return err
	}
	x.setManifestLocked(m)
	return nil
}

// glossaryRecords turns manifest glossaries into records for corpus.Acronyms.
func glossaryRecords(m map[string]manifestEntry) []*corpus.Record {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	recs := make([]*corpus.Record, 0, len(ids))
	for _, id := range ids {
		if g := m[id].Glossary; len(g) > 0 {
			recs = append(recs, &corpus.Record{ID: id, Glossary: g})
		}
	}
	return recs
}

// Close closes the index. A background merge is stopped: the segments it
// did not merge stay, a valid index that scorch merges later.
func (x *Index) Close() error {
	x.writeMu.Lock()
	defer x.writeMu.Unlock()
	merged := x.stopMerge()
	err := x.closeLocked()
	if merged != nil {
		// the merge's goroutine, if still there: its ForceMerge ended
		// with the index, and it reopens nothing once cancelled
		<-merged
	}
	return err
}

// closeLocked closes the bleve index and the store; callers hold writeMu.
func (x *Index) closeLocked() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.bi == nil {
		return nil
	}
	err := x.bi.Close()
	if serr := x.store.close(); err == nil {
		err = serr
	}
	x.bi = nil
	x.store = nil
	return err
}

// reader returns the live bleve index for a search; callers hold x.mu.RLock.
func (x *Index) live() (bleve.Index, error) {
	if x.bi == nil {
		return nil, failure.New(failure.Unavailable, "index is closed")
	}
	return x.bi, nil
}

// publish makes manifest (and what derives from it) current.
func (x *Index) publish(manifest map[string]manifestEntry) {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.setManifestLocked(manifest)
}

func (x *Index) setManifestLocked(manifest map[string]manifestEntry) {
	x.manifest = manifest
	x.synonyms = newSynonymTable(x.analyzer, synonymGroups(glossaryRecords(manifest)))
	x.values = nil
}

// Stats returns the paragraph and record counts, the size on disk and
// whether a background merge runs.
func (x *Index) Stats() Stats {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var s Stats
	if x.bi == nil {
		return s
	}
	s.Paragraphs, _ = x.bi.DocCount()
	s.Records = uint64(len(x.manifest))
	s.Merging = x.Merging()
	if x.path != "" {
		filepath.WalkDir(x.path, func(_ string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if info, err := d.Info(); err == nil {
					s.SizeBytes += info.Size()
				}
			}
			return nil
		})
	}
	return s
}
