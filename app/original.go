package app

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
)

// Original returns the bytes of rec's original file, for a reader who
// wants the source: the copy kept by ingest (<data>/records/<id><ext>) when
// the record came that way, else its file in the corpus.
func (a *App) Original(rec *corpus.Record) ([]byte, error) {
	src := path.Clean(rec.Source)
	if rec.Source == "" || src == "." || strings.HasPrefix(src, "../") || path.IsAbs(src) {
		return nil, failure.New(failure.NotFound, "the record has no original file")
	}
	if src == safeFileName(rec.ID)+ingestExt(src) && a.cfg.DataDir != "" {
		if b, err := os.ReadFile(filepath.Join(a.cfg.DataDir, IngestDirName, src)); err == nil {
			return b, nil
		}
	}
	b, err := fs.ReadFile(a.corpusFS(), src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, failure.New(failure.NotFound, "the original file of this record is no longer there")
	}
	if err != nil {
		return nil, fmt.Errorf("app: original of %s: %w", rec.ID, err)
	}
	return b, nil
}
