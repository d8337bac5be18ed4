package indexer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"
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
	var bi bleve.Index
	if _, err := os.Stat(live); err == nil {
		bi, err = bleve.OpenUsing(live, openConfig)
		if err != nil {
			if isLockTimeout(err) {
				return nil, inUse(dir)
			}
			return nil, fmt.Errorf("indexer: open %s (the index is derived from the corpus: delete the directory to rebuild it): %w", live, err)
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
		return nil, err
	}
	x := &Index{dir: dir, path: live, mapping: im, analyzer: mustAnalyzer(im), bi: bi, store: st, facets: newFacetCache()}
	if err := x.loadManifest(); err != nil {
		st.close()
		bi.Close()
		return nil, err
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
// the lock at most openTimeout.
var openConfig = map[string]interface{}{"bolt_timeout": openTimeout.String()}

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
	bi, err := bleve.NewUsing(path, im, scorch.Name, scorch.Name, nil)
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
	bi, err := bleve.NewUsing("", im, scorch.Name, scorch.Name, nil)
	if err != nil {
		return nil, fmt.Errorf("indexer: memory index: %w", err)
	}
	x := &Index{mapping: im, analyzer: mustAnalyzer(im), bi: bi, store: newMemoryStore(), manifest: map[string]manifestEntry{}, facets: newFacetCache()}
	x.synonyms = newSynonymTable(x.analyzer, synonymGroups(nil))
	return x, nil
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

// Close closes the index.
func (x *Index) Close() error {
	x.writeMu.Lock()
	defer x.writeMu.Unlock()
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

// paragraphDoc is the bleve document of one paragraph.
type paragraphDoc struct {
	Text     string   `json:"text"`
	RecordID string   `json:"record_id"`
	Title    string   `json:"title"`
	Date     string   `json:"date,omitempty"`
	Series   string   `json:"series,omitempty"`
	Meeting  string   `json:"meeting,omitempty"`
	MeetNo   float64  `json:"meeting_number"`
	Speaker  []string `json:"speaker,omitempty"`
	Side     []string `json:"side,omitempty"`
	Topic    []string `json:"topic,omitempty"`
	Location string   `json:"location,omitempty"`
	Kind     string   `json:"kind,omitempty"`
	Year     string   `json:"year,omitempty"`
	Section  string   `json:"section,omitempty"`
	N        float64  `json:"n"`
}

// Type makes paragraphDoc a bleve Classifier: it selects the mapping.
func (paragraphDoc) Type() string { return docType }

func newParagraphDoc(r *corpus.Record, p *corpus.Paragraph) paragraphDoc {
	d := paragraphDoc{
		Text:     p.Text,
		RecordID: r.ID,
		Title:    r.Title,
		Date:     string(r.Date),
		Series:   r.Meeting.Series,
		Meeting:  r.Meeting.Name,
		MeetNo:   float64(r.Meeting.Number),
		Speaker:  p.Speakers,
		Side:     p.Sides,
		Topic:    p.Topics,
		Location: r.Location,
		Kind:     r.Kind,
		Section:  p.Section,
		N:        float64(p.N),
	}
	if y := r.Date.Year(); y > 0 {
		d.Year = strconv.Itoa(y)
	}
	return d
}

// recordHash is the content hash that tells a changed record from an
// unchanged one.
func recordHash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func summarize(r *corpus.Record) RecordSummary {
	return RecordSummary{
		ID: r.ID, Title: r.Title, Kind: r.Kind, Date: r.Date, DateInferred: r.DateInferred,
		Meeting: r.Meeting, Location: r.Location, Principals: r.Principals,
		Paragraphs: len(r.Paragraphs), Source: r.Source, SourceURL: r.SourceURL,
	}
}

// change is one record to (re)index or delete.
type change struct {
	rec     *corpus.Record // nil: delete
	id      string
	hash    string         // content hash, "" until computed
	old     *corpus.Record // the indexed version, nil when new or unreadable
	oldHash string         // "" when new
}

// encodeRecord returns the JSON of r and its content hash.
func encodeRecord(r *corpus.Record) ([]byte, string, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, "", fmt.Errorf("indexer: encode record %s: %w", r.ID, err)
	}
	return b, recordHash(b), nil
}

// Sync makes the index hold exactly recs: new and changed records are
// (re)indexed, records no longer in recs are deleted, unchanged ones are
// skipped. progress, when not nil, is called with the records done so far.
// A large build into an empty index goes to a fresh directory that replaces
// the live one atomically when complete.
func (x *Index) Sync(ctx context.Context, recs []*corpus.Record, progress func(done, total int)) (UpdateStats, error) {
	return x.update(ctx, recs, true, progress)
}

// Upsert adds or replaces recs, leaving every other record alone.
func (x *Index) Upsert(ctx context.Context, recs []*corpus.Record) (UpdateStats, error) {
	return x.update(ctx, recs, false, nil)
}

func (x *Index) update(ctx context.Context, recs []*corpus.Record, removeOthers bool, progress func(done, total int)) (UpdateStats, error) {
	x.writeMu.Lock()
	defer x.writeMu.Unlock()

	x.mu.RLock()
	closed := x.bi == nil
	old := x.manifest
	x.mu.RUnlock()
	if closed {
		return UpdateStats{}, failure.New(failure.Unavailable, "index is closed")
	}

	var st UpdateStats
	var changes []change
	seen := make(map[string]bool, len(recs))
	for _, r := range recs {
		if r == nil || r.ID == "" {
			return st, failure.New(failure.Unprocessable, "record without an id")
		}
		if seen[r.ID] {
			continue
		}
		seen[r.ID] = true
		prev, had := old[r.ID]
		if !had {
			// Encoded when written: a build need not hold every record's JSON.
			st.Added++
			changes = append(changes, change{rec: r, id: r.ID})
			continue
		}
		_, h, err := encodeRecord(r)
		if err != nil {
			return st, err
		}
		if prev.Hash == h {
			st.Unchanged++
			continue
		}
		st.Changed++
		c := change{rec: r, id: r.ID, hash: h, oldHash: prev.Hash}
		if o, err := x.Record(r.ID); err == nil {
			c.old = o
		}
		changes = append(changes, c)
	}
	if removeOthers {
		ids := make([]string, 0)
		for id := range old {
			if !seen[id] {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		for _, id := range ids {
			st.Removed++
			c := change{id: id, oldHash: old[id].Hash}
			if o, err := x.Record(id); err == nil {
				c.old = o
			}
			changes = append(changes, c)
		}
	}
	total := len(changes)
	if progress != nil {
		progress(0, total)
	}
	if total == 0 {
		return st, nil
	}

	// A fresh build goes to its own directory.
	if x.dir != "" && len(old) == 0 && st.Added > 0 {
		if err := x.rebuild(ctx, changes, &st, progress); err != nil {
			return UpdateStats{}, err
		}
		return st, nil
	}

	manifest := make(map[string]manifestEntry, len(old)+st.Added)
	for k, v := range old {
		manifest[k] = v
	}
	x.mu.RLock()
	bi, store := x.bi, x.store
	x.mu.RUnlock()
	stale, err := x.apply(ctx, bi, store, changes, manifest, &st, progress)
	if err != nil {
		// Some batches may be in: read back what the index holds.
		x.mu.Lock()
		if lerr := x.loadManifest(); lerr != nil {
			err = errors.Join(err, lerr)
		}
		x.mu.Unlock()
		return st, err
	}
	x.publish(manifest)
	// The old versions are unreachable only now that the manifest is published.
	if err := store.remove(stale); err != nil {
		return st, err
	}
	return st, nil
}

// entryOf is the manifest entry of r.
func entryOf(r *corpus.Record, hash string) manifestEntry {
	return manifestEntry{Hash: hash, Summary: summarize(r), Glossary: r.Glossary, Texts: maxN(r)}
}

// addDocs adds the paragraphs of c.rec to batch, deleting those of the
// version it replaces, and counts them in st.
func addDocs(batch *bleve.Batch, c *change, manifest map[string]manifestEntry, st *UpdateStats) (int, error) {
	if c.old != nil {
		for _, p := range c.old.Paragraphs {
			batch.Delete(corpus.ParagraphID(c.id, p.N))
		}
	} else if e, ok := manifest[c.id]; ok {
		for n := 1; n <= e.Texts; n++ {
			batch.Delete(corpus.ParagraphID(c.id, n))
		}
	}
	if c.rec == nil {
		return 0, nil
	}
	var oldTexts map[string]bool
	if c.old != nil {
		oldTexts = make(map[string]bool, len(c.old.Paragraphs))
		for _, p := range c.old.Paragraphs {
			oldTexts[p.Text] = true
		}
	}
	for pi := range c.rec.Paragraphs {
		p := &c.rec.Paragraphs[pi]
		id := corpus.ParagraphID(c.id, p.N)
		if err := batch.Index(id, newParagraphDoc(c.rec, p)); err != nil {
			return 0, fmt.Errorf("indexer: index %s: %w", id, err)
		}
		st.Paragraphs++
		if !oldTexts[p.Text] {
			st.NewParagraphs = append(st.NewParagraphs, paragraphHit(c.rec, p))
		}
	}
	return len(c.rec.Paragraphs), nil
}

// apply writes changes into the live index bi in batches of about
// batchParagraphs paragraphs. Each batch first stores the new record
// versions beside the old ones, then writes the paragraphs together with
// the hashes of the versions they belong to (internal keys) in one bleve
// batch: a crash leaves every record either old or new, and Open drops the
// versions the index does not name. apply returns the replaced versions,
// to be removed from store once manifest is published.
func (x *Index) apply(ctx context.Context, bi bleve.Index, store *recordStore, changes []change, manifest map[string]manifestEntry, st *UpdateStats, progress func(done, total int)) ([][2]string, error) {
	batch := bi.NewBatch()
	docs := 0
	var pending []storedRecord
	var stale [][2]string
	flush := func() error {
		if err := store.put(pending); err != nil {
			return err
		}
		for _, r := range pending {
			batch.SetInternal([]byte(manifestPrefix+r.id), []byte(r.hash))
		}
		if err := bi.Batch(batch); err != nil {
			return fmt.Errorf("indexer: write batch: %w", err)
		}
		batch.Reset()
		pending = pending[:0]
		docs = 0
		return nil
	}
	for i := range changes {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c := &changes[i]
		n, err := addDocs(batch, c, manifest, st)
		if err != nil {
			return nil, err
		}
		docs += n
		if c.oldHash != "" {
			stale = append(stale, [2]string{c.id, c.oldHash})
		}
		if c.rec == nil {
			batch.DeleteInternal([]byte(manifestPrefix + c.id))
			delete(manifest, c.id)
		} else {
			if c.hash == "" {
				if _, c.hash, err = encodeRecord(c.rec); err != nil {
					return nil, err
				}
			}
			e := entryOf(c.rec, c.hash)
			manifest[c.id] = e
			pending = append(pending, storedRecord{id: c.id, hash: c.hash, rec: c.rec, entry: e})
		}
		if docs >= batchParagraphs {
			if err := flush(); err != nil {
				return nil, err
			}
		}
		if progress != nil {
			progress(i+1, len(changes))
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return stale, nil
}

// buildWorkers is how many batches a fresh build writes at once: while one
// batch's segment is built (one goroutine per batch), the next is analysed
// by bleve's analysis workers.
const buildWorkers = 2

// build writes changes (all additions) into the new, unpublished index
// nb and its store ns. Order does not matter there, so batches are written
// concurrently, and the hashes (internal keys) go in one last batch rather
// than with every batch, since scorch writes all internal values again
// with each snapshot it persists.
func (x *Index) build(ctx context.Context, nb bleve.Index, ns *recordStore, changes []change, manifest map[string]manifestEntry, st *UpdateStats, progress func(done, total int)) error {
	type job struct {
		batch *bleve.Batch
		recs  []storedRecord
		c     []*corpus.Record
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan *job)
	var wg sync.WaitGroup
	var done []*job
	var doneMu sync.Mutex
	for w := 0; w < buildWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if ctx.Err() != nil {
					continue
				}
				for i, r := range j.c {
					_, h, err := encodeRecord(r)
					if err != nil {
						cancel(err)
						break
					}
					j.recs[i] = storedRecord{id: r.ID, hash: h, rec: r, entry: entryOf(r, h)}
				}
				if ctx.Err() != nil {
					continue
				}
				if err := ns.put(j.recs); err != nil {
					cancel(err)
					continue
				}
				for i := range j.recs {
					j.recs[i].rec = nil
				}
				if err := nb.Batch(j.batch); err != nil {
					cancel(fmt.Errorf("indexer: write batch: %w", err))
					continue
				}
				j.batch, j.c = nil, nil
				doneMu.Lock()
				done = append(done, j)
				doneMu.Unlock()
			}
		}()
	}
	wait := func() error {
		close(jobs)
		wg.Wait()
		return context.Cause(ctx)
	}
	j := &job{batch: nb.NewBatch()}
	docs := 0
	send := func() bool {
		j.recs = make([]storedRecord, len(j.c))
		select {
		case jobs <- j:
		case <-ctx.Done():
			return false
		}
		j = &job{batch: nb.NewBatch()}
		docs = 0
		return true
	}
	for i := range changes {
		c := &changes[i]
		if ctx.Err() != nil {
			break
		}
		n, err := addDocs(j.batch, c, manifest, st)
		if err != nil {
			cancel(err)
			break
		}
		docs += n
		j.c = append(j.c, c.rec)
		if docs >= batchParagraphs && !send() {
			break
		}
		if progress != nil {
			progress(i+1, len(changes))
		}
	}
	if ctx.Err() == nil && len(j.c) > 0 {
		send()
	}
	if err := wait(); err != nil {
		return err
	}
	last := nb.NewBatch()
	for _, j := range done {
		for _, r := range j.recs {
			last.SetInternal([]byte(manifestPrefix+r.id), []byte(r.hash))
			manifest[r.id] = r.entry
		}
	}
	if err := nb.Batch(last); err != nil {
		return fmt.Errorf("indexer: write batch: %w", err)
	}
	return nil
}

func maxN(r *corpus.Record) int {
	m := 0
	for _, p := range r.Paragraphs {
		if p.N > m {
			m = p.N
		}
	}
	return m
}

// rebuild builds changes (all additions) into a new directory, merges its
// segments into one, then swaps it in for the live index: a crash leaves
// the old (empty) index or the new one, never half of it.
func (x *Index) rebuild(ctx context.Context, changes []change, st *UpdateStats, progress func(done, total int)) error {
	tmp, err := os.MkdirTemp(x.dir, "index-v"+strconv.Itoa(Version)+".tmp-")
	if err != nil {
		return fmt.Errorf("indexer: rebuild: %w", err)
	}
	os.Remove(tmp)
	nb, err := newDiskIndex(tmp, x.mapping)
	if err != nil {
		return err
	}
	ns, err := openRecordStore(filepath.Join(tmp, storeFile), true)
	if err != nil {
		nb.Close()
		os.RemoveAll(tmp)
		return err
	}
	manifest := make(map[string]manifestEntry, len(changes))
	err = x.build(ctx, nb, ns, changes, manifest, st, progress)
	if err == nil {
		err = forceMerge(ctx, nb)
	}
	if err == nil {
		err = ns.sync()
	}
	if cerr := ns.close(); err == nil {
		err = cerr
	}
	if cerr := nb.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("indexer: rebuild: %w", cerr)
	}
	if err != nil {
		os.RemoveAll(tmp)
		return err
	}

	x.mu.Lock()
	defer x.mu.Unlock()
	if err := x.bi.Close(); err != nil {
		return fmt.Errorf("indexer: rebuild: close old index: %w", err)
	}
	x.store.close()
	x.bi, x.store = nil, nil
	reopen := func() error {
		bi, err := bleve.OpenUsing(x.path, openConfig)
		if err != nil {
			return err
		}
		s, err := openRecordStore(filepath.Join(x.path, storeFile), false)
		if err != nil {
			bi.Close()
			return err
		}
		x.bi, x.store = bi, s
		return nil
	}
	reopenOld := func(err error) error {
		os.RemoveAll(tmp)
		reopen()
		return fmt.Errorf("indexer: rebuild: %w", err)
	}
	if err := os.Rename(x.path, x.path+".old"); err != nil {
		return reopenOld(err)
	}
	if err := os.Rename(tmp, x.path); err != nil {
		os.Rename(x.path+".old", x.path)
		return reopenOld(err)
	}
	os.RemoveAll(x.path + ".old")
	if err := reopen(); err != nil {
		return fmt.Errorf("indexer: rebuild: reopen: %w", err)
	}
	x.setManifestLocked(manifest)
	return nil
}

// forceMerge merges the segments of bi into one: a fresh build leaves one
// segment per batch or so, and each is a dictionary lookup and a set of
// postings per query term.
func forceMerge(ctx context.Context, bi bleve.Index) error {
	ai, err := bi.Advanced()
	if err != nil {
		return fmt.Errorf("indexer: merge: %w", err)
	}
	s, ok := ai.(*scorch.Scorch)
	if !ok {
		return nil
	}
	opts := mergeplan.SingleSegmentMergePlanOptions
	opts.SegmentsPerMergeTask = 1000
	for range 10 {
		n, err := segmentCount(s)
		if err != nil || n <= 1 {
			return err
		}
		if err := s.ForceMerge(ctx, &opts); err != nil {
			return fmt.Errorf("indexer: merge: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// segmentCount is the number of segments of the index's current snapshot.
func segmentCount(s *scorch.Scorch) (int, error) {
	r, err := s.Reader()
	if err != nil {
		return 0, err
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return 0, nil
	}
	return len(snap.Segments()), nil
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

// paragraphHit is a Hit for paragraph p of r, without score or snippet.
func paragraphHit(r *corpus.Record, p *corpus.Paragraph) Hit {
	return Hit{
		ID: corpus.ParagraphID(r.ID, p.N), RecordID: r.ID, Title: r.Title, Date: r.Date,
		Meeting: r.Meeting, Section: p.Section, N: p.N,
		Speakers: nonNil(p.Speakers), Sides: nonNil(p.Sides), Topics: nonNil(p.Topics),
		Text: p.Text, Expansions: []string{},
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Record returns the indexed record id, or a failure.NotFound error. The
// record is read from one snapshot of the index: the version it names
// (from the record store) with the paragraph texts it holds.
func (x *Index) Record(id string) (*corpus.Record, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if _, err := x.live(); err != nil {
		return nil, err
	}
	for try := 0; ; try++ {
		r, err := x.readRecord(id)
		// An update may delete the version a snapshot named just after
		// the snapshot was taken: the next snapshot names the new one.
		if err == errVersionGone && try < 3 {
			continue
		}
		return r, err
	}
}

var errVersionGone = errors.New("indexer: record version no longer stored")

func (x *Index) readRecord(id string) (*corpus.Record, error) {
	ai, err := x.bi.Advanced()
	if err != nil {
		return nil, fmt.Errorf("indexer: record %s: %w", id, err)
	}
	rd, err := ai.Reader()
	if err != nil {
		return nil, fmt.Errorf("indexer: record %s: %w", id, err)
	}
	defer rd.Close()
	h, err := rd.GetInternal([]byte(manifestPrefix + id))
	if err != nil {
		return nil, fmt.Errorf("indexer: record %s: %w", id, err)
	}
	if len(h) == 0 {
		return nil, failure.New(failure.NotFound, "no record %q", id)
	}
	b, err := x.store.get(id, string(h))
	if err != nil {
		return nil, fmt.Errorf("indexer: record %s: %w", id, err)
	}
	if b == nil {
		return nil, errVersionGone
	}
	var r corpus.Record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("indexer: record %s: %w", id, err)
	}
	// The texts are not in the record store: the index has them.
	for i := range r.Paragraphs {
		p := &r.Paragraphs[i]
		doc, err := rd.Document(corpus.ParagraphID(r.ID, p.N))
		if err != nil {
			return nil, fmt.Errorf("indexer: record %s: %w", r.ID, err)
		}
		if doc == nil {
			return nil, fmt.Errorf("indexer: record %s: paragraph %d is not in the index", r.ID, p.N)
		}
		doc.VisitFields(func(f index.Field) {
			if f.Name() == fText {
				p.Text = string(f.Value())
			}
		})
	}
	return &r, nil
}

// Records returns a summary of every record, newest first (records without
// a date last, then by id).
func (x *Index) Records() ([]RecordSummary, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if _, err := x.live(); err != nil {
		return nil, err
	}
	out := make([]RecordSummary, 0, len(x.manifest))
	for _, e := range x.manifest {
		out = append(out, e.Summary)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Date != out[j].Date {
			return out[i].Date > out[j].Date
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// Glossary returns the acronyms defined by the indexed records with their
// most common expansion and the number of records defining them, by acronym.
func (x *Index) Glossary() ([]GlossaryEntry, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if _, err := x.live(); err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, e := range x.manifest {
		for acr := range e.Glossary {
			counts[acr]++
		}
	}
	acr := corpus.Acronyms(glossaryRecords(x.manifest))
	out := make([]GlossaryEntry, 0, len(counts))
	for a, n := range counts {
		exp := ""
		if e := acr[a]; len(e) > 0 {
			exp = e[0]
		}
		out = append(out, GlossaryEntry{Acronym: a, Expansion: exp, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if l, r := strings.ToLower(out[i].Acronym), strings.ToLower(out[j].Acronym); l != r {
			return l < r
		}
		return out[i].Acronym < out[j].Acronym
	})
	return out, nil
}

// Stats returns the paragraph and record counts and the size on disk.
func (x *Index) Stats() Stats {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var s Stats
	if x.bi == nil {
		return s
	}
	s.Paragraphs, _ = x.bi.DocCount()
	s.Records = uint64(len(x.manifest))
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
