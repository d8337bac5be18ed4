package app

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"dialoguesearch/corpus"
)

// ParseCacheName is the parse cache's file in the data dir: for each
// record file of the corpus, its key (size, modification time, SHA-256 of
// its bytes and of its sidecar's) and the id and indexed version of the
// record it parsed to. A start with nothing changed parses no file: each
// file is read and hashed, and a file whose key, parser (rules version)
// and indexed record are what the cache says keeps its record in the
// index as it is. It is derived data: deleting it only costs one parse.
const ParseCacheName = "parse-cache.json"

type parseCacheFile struct {
	// Rules is corpus.Rules.Version: the parser's code version and its
	// data files; another version invalidates every entry.
	Rules string `json:"rules"`
	// Corpus is the corpus directory (absolute), "" for the embedded one.
	Corpus string                     `json:"corpus"`
	Files  map[string]parseCacheEntry `json:"files"`
}

type parseCacheEntry struct {
	corpus.FileKey
	ID      string `json:"id"`
	Version string `json:"version"` // the record's indexed version (Index.Versions)
}

// parseCache answers corpus.LoadCached from the cache file and the index:
// a file is known when its key and the rules match the cache and the
// index still holds the version of the record the cache names.
type parseCache struct {
	file     parseCacheFile
	versions map[string]string // indexed versions, by record id
}

func (c *parseCache) Lookup(name string, key corpus.FileKey) (string, bool) {
	e, ok := c.file.Files[name]
	if !ok || e.FileKey != key || e.Version == "" || c.versions[e.ID] != e.Version {
		return "", false
	}
	return e.ID, true
}

// corpusKey is the corpus dir as the cache names it.
func (a *App) corpusKey() string {
	if a.cfg.CorpusDir == "" {
		return ""
	}
	if abs, err := filepath.Abs(a.cfg.CorpusDir); err == nil {
		return abs
	}
	return a.cfg.CorpusDir
}

// loadParseCache reads the cache of the data dir; one that is missing,
// unreadable, or made for other rules or another corpus dir is empty.
func (a *App) loadParseCache(rules *corpus.Rules, versions map[string]string) *parseCache {
	c := &parseCache{versions: versions}
	b, err := os.ReadFile(filepath.Join(a.cfg.DataDir, ParseCacheName))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			a.log.Warn("parse cache unreadable; parsing every record file", "err", err)
		}
		return c
	}
	var f parseCacheFile
	if err := json.Unmarshal(b, &f); err != nil {
		a.log.Warn("parse cache damaged; parsing every record file", "err", err)
		return c
	}
	if f.Rules != rules.Version() || f.Corpus != a.corpusKey() {
		return c // another parser, data files or corpus dir
	}
	c.file = f
	return c
}

// saveParseCache writes the cache for the files of l, kept and parsed
// (file name -> record id), whose records the index now holds at versions
// (a record an ingested one replaced is left out: its file is parsed again
// next time). It writes a temporary file and renames it, so that a crash
// leaves the old cache or the new one.
func (a *App) saveParseCache(rules *corpus.Rules, l corpus.Loaded, parsed map[string]string, replaced map[string]bool, versions map[string]string) error {
	f := parseCacheFile{Rules: rules.Version(), Corpus: a.corpusKey(), Files: make(map[string]parseCacheEntry, len(l.Keys))}
	add := func(name, id string) {
		if replaced[id] || versions[id] == "" {
			return
		}
		f.Files[name] = parseCacheEntry{FileKey: l.Keys[name], ID: id, Version: versions[id]}
	}
	for name, id := range l.Kept {
		add(name, id)
	}
	for name, id := range parsed {
		add(name, id)
	}
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	path := filepath.Join(a.cfg.DataDir, ParseCacheName)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}
