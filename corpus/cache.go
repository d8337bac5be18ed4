package corpus

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"dialoguesearch/failure"
)

// FileKey is what a record file's parse depends on besides the rules: its
// size and modification time, the SHA-256 of its bytes and of its sidecar
// file's ("" without one). Two reads with the same key (and the same
// Rules.Version) parse to the same record.
type FileKey struct {
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime_ns"`
	SHA256  string `json:"sha256"`
	Sidecar string `json:"sidecar_sha256,omitempty"`
}

// A Cache remembers what record files parsed to. LoadCached asks it, for
// each file, whether the file was parsed before with these exact bytes.
type Cache interface {
	// Lookup returns the id of the record that file name with key parsed
	// to, and false when the cache does not know (or no longer trusts) it.
	Lookup(name string, key FileKey) (id string, ok bool)
}

// Loaded is what LoadCached read: the records it parsed, the files it did
// not need to parse, and the key of every file that made a record.
type Loaded struct {
	Records []*Record
	// Kept are the files the cache knew, by name, with their record ids:
	// not parsed, their records are the ones parsed before.
	Kept map[string]string
	// Keys are the keys of the files of Records and Kept, by name (a
	// parsed record's file is its Source).
	Keys     map[string]FileKey
	Problems []Problem
}

// LoadCached is Load, except that a file the cache knows by its key is not
// parsed: it is listed in Kept with the id of its record. Files that
// could not be parsed are parsed again each time. The order, the problems
// and the duplicate-id rule are Load's.
func (r *Rules) LoadCached(fsys fs.FS, c Cache) Loaded {
	_, recs, l := r.LoadStream(fsys, c)
	out := []*Record{}
	for rec := range recs {
		out = append(out, rec)
	}
	l.Records = out
	return *l
}

// streamAhead is how many files LoadStream parses ahead of the record it
// hands over.
const streamAhead = 32

// LoadStream is LoadCached with the parsed records handed over one at a
// time, in path order, by recs as they are parsed (on every core, at most
// streamAhead files ahead of the one handed over), and not kept: a caller
// that indexes them as they come never holds the whole corpus. n is the
// number of record files found. The Loaded (Kept, Keys and Problems;
// Records stays nil) is complete once recs has run to its end; a caller
// that stops early stops the parsing. recs runs once.
func (r *Rules) LoadStream(fsys fs.FS, c Cache) (n int, recs iter.Seq[*Record], l *Loaded) {
	names, problems := recordFiles(fsys)
	l = &Loaded{Kept: map[string]string{}, Keys: map[string]FileKey{}, Problems: problems}
	type one struct {
		rec  *Record
		id   string // a kept file's record
		key  FileKey
		err  error
		kept bool
	}
	load := func(name string) (o one) {
		b, side, key, err := r.readFile(fsys, name)
		if err != nil {
			o.err = err
			return
		}
		o.key = key
		if c != nil {
			if id, ok := c.Lookup(name, key); ok {
				o.id, o.kept = id, true
				return
			}
		}
		o.rec, o.err = r.parseFile(b, name, side)
		return
	}
	recs = func(yield func(*Record) bool) {
		res := make([]chan one, len(names))
		for i := range res {
			res[i] = make(chan one, 1)
		}
		ahead := make(chan struct{}, streamAhead) // a token per file taken and not yet handed over
		stop := make(chan struct{})
		var next atomic.Int64
		var wg sync.WaitGroup
		for range min(runtime.GOMAXPROCS(0), len(names)) {
			wg.Go(func() {
				for {
					select {
					case ahead <- struct{}{}:
					case <-stop:
						return
					}
					i := int(next.Add(1)) - 1
					if i >= len(names) {
						return
					}
					res[i] <- load(names[i])
				}
			})
		}
		defer func() {
			close(stop)
			wg.Wait()
		}()
		byID := map[string]string{}
		for i, name := range names {
			o := <-res[i]
			<-ahead
			if o.err != nil {
				l.Problems = append(l.Problems, Problem{File: name, Err: o.err})
				continue
			}
			id := o.id
			if !o.kept {
				id = o.rec.ID
			}
			if prev, dup := byID[id]; dup {
				l.Problems = append(l.Problems, duplicateProblem(name, id, prev))
				continue
			}
			byID[id] = name
			l.Keys[name] = o.key
			if o.kept {
				l.Kept[name] = id
			} else if !yield(o.rec) {
				return
			}
		}
	}
	return len(names), recs, l
}

// readFile reads record file name of fsys (not past MaxFileSize) and its
// sidecar, and returns them with the file's key.
func (r *Rules) readFile(fsys fs.FS, name string) (data, sidecar []byte, key FileKey, err error) {
	if info, err := fs.Stat(fsys, name); err == nil && info.Size() > MaxFileSize {
		return nil, nil, key, fileError(failure.TooLarge, ErrTooLarge, name, "file is %d bytes, over the %d MB limit", info.Size(), MaxFileSize>>20)
	}
	f, err := Open(fsys, name)
	if errors.Is(err, ErrOutside) {
		return nil, nil, key, err
	}
	if err != nil {
		return nil, nil, key, fmt.Errorf("corpus: %s: %w", name, err)
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil {
		key.Size, key.ModTime = info.Size(), info.ModTime().UnixNano()
	}
	data, err = io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, nil, key, fmt.Errorf("corpus: %s: read: %w", name, err)
	}
	if len(data) > MaxFileSize {
		return nil, nil, key, fileError(failure.TooLarge, ErrTooLarge, name, "file is over the %d MB limit", MaxFileSize>>20)
	}
	key.Size = int64(len(data)) // what was read, whatever the stat said
	key.SHA256 = sha(data)
	sidecar = readSidecar(fsys, name)
	if sidecar != nil {
		key.Sidecar = sha(sidecar)
	}
	return data, sidecar, key, nil
}

// parseFile is ParseWithSidecar of bytes read already.
func (r *Rules) parseFile(data []byte, name string, sidecar []byte) (*Record, error) {
	return r.ParseWithSidecar(bytes.NewReader(data), name, sidecar)
}

func sha(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// recordFiles lists the record files of fsys in path order, with the
// directories that could not be read.
func recordFiles(fsys fs.FS) ([]string, []Problem) {
	var problems []Problem
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			problems = append(problems, Problem{File: p, Err: fmt.Errorf("corpus: %s: %w", p, err)})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		base := pathBase(p)
		if p != "." && len(base) > 0 && base[0] == '.' {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !IsRecordFile(base) {
			return nil
		}
		names = append(names, p)
		return nil
	})
	if err != nil {
		problems = append(problems, Problem{File: ".", Err: err})
	}
	sort.Strings(names)
	return names, problems
}
