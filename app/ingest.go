package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
)

// IngestDirName is where ingested originals are kept, inside the data dir.
const IngestDirName = "records"

// Ingested is what Ingest did.
type Ingested struct {
	Record        *corpus.Record
	NewParagraphs int // paragraphs with new or changed text
	AlertMatches  int
}

// Ingest takes a raw record file (name says its format by its extension),
// parses it, keeps the original under <data>/records/, indexes it and runs
// the alerts. A file that cannot be parsed is failure.Unprocessable and
// changes nothing.
func (a *App) Ingest(ctx context.Context, name string, data []byte) (Ingested, error) {
	idx, err := a.Index()
	if err != nil {
		return Ingested{}, err
	}
	rec, err := corpus.Parse(bytes.NewReader(data), name)
	if err != nil {
		switch failure.KindOf(err) {
		case failure.TooLarge, failure.Unprocessable:
			return Ingested{}, err
		}
		msg := failure.Message(err)
		if msg == "" {
			msg = err.Error()
		}
		return Ingested{}, failure.Wrap(failure.Unprocessable, err, "the record could not be parsed: "+msg)
	}
	a.write.Lock()
	defer a.write.Unlock()
	commit, err := saveOriginal(a.cfg.DataDir, rec, name, data)
	if err != nil {
		return Ingested{}, idx.NoteWrite(fmt.Errorf("app: keep the ingested original: %w", err))
	}
	stats, err := idx.Upsert(ctx, []*corpus.Record{rec})
	if err != nil {
		commit(false)
		return Ingested{}, err
	}
	if err := commit(true); err != nil {
		return Ingested{}, err
	}
	// The record is in the index now; the alerts run even if the caller
	// has gone away.
	n, err := a.afterIndex(context.WithoutCancel(ctx), idx, stats)
	if err != nil {
		return Ingested{}, err
	}
	return Ingested{Record: rec, NewParagraphs: stats.NewCount, AlertMatches: n}, nil
}

// keptExt are the extensions ingestExt gives.
var keptExt = []string{".txt", ".html", ".md"}

// ingestExt is the extension an ingested original is kept under: one that
// corpus.Load reads back the same way.
func ingestExt(name string) string {
	switch {
	case corpus.IsHTMLName(name):
		return ".html"
	case strings.EqualFold(filepath.Ext(name), ".md"):
		return ".md"
	}
	return ".txt"
}

// saveOriginal writes the original file of rec to a temporary file under
// <data>/records/ and returns commit: commit(true) moves it into place as
// <record id><ext> (replacing an earlier upload of the record), commit(false)
// removes it. rec.Source becomes the kept file's name, as corpus.Load of
// that directory would say.
func saveOriginal(dataDir string, rec *corpus.Record, name string, data []byte) (func(bool) error, error) {
	dir := filepath.Join(dataDir, IngestDirName)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, ".ingest-*")
	if err != nil {
		return nil, err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return nil, err
	}
	final := safeFileName(rec.ID) + ingestExt(name)
	rec.Source = final
	return func(ok bool) error {
		if !ok {
			return os.Remove(tmp)
		}
		for _, ext := range keptExt {
			if old := safeFileName(rec.ID) + ext; old != final {
				os.Remove(filepath.Join(dir, old))
			}
		}
		return os.Rename(tmp, filepath.Join(dir, final))
	}, nil
}

// safeFileName keeps a record id usable as a file name.
func safeFileName(id string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 || r == ':' {
			return '_'
		}
		return r
	}, strings.TrimLeft(id, "."))
}

// WithIngested returns recs plus the records ingested through the API (an
// ingested record replaces a corpus record with the same id), for the
// index build on start and for `dialoguesearch index`.
func WithIngested(recs []*corpus.Record, dataDir string) ([]*corpus.Record, []corpus.Problem) {
	ingested, problems := LoadIngested(dataDir)
	out, _ := withIngested(recs, ingested)
	return out, problems
}

// withIngested is recs with the ingested records, which replace those of
// the same id; it returns the ids of the ingested records too.
func withIngested(recs, ingested []*corpus.Record) ([]*corpus.Record, map[string]bool) {
	byID := map[string]bool{}
	for _, r := range ingested {
		byID[r.ID] = true
	}
	if len(ingested) == 0 {
		return recs, byID
	}
	out := make([]*corpus.Record, 0, len(recs)+len(ingested))
	for _, r := range recs {
		if !byID[r.ID] {
			out = append(out, r)
		}
	}
	return append(out, ingested...), byID
}

// LoadIngested parses the records ingested through the API (kept under
// <data>/records/), so that a rebuild or restart keeps them in the index
// next to the corpus.
func LoadIngested(dataDir string) ([]*corpus.Record, []corpus.Problem) {
	dir := filepath.Join(dataDir, IngestDirName)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return corpus.Load(os.DirFS(dir))
}
