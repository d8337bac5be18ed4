package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/labstack/echo/v4"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
)

// MaxIngestBytes is the largest record POST /api/records accepts.
const MaxIngestBytes = corpus.MaxFileSize

// IngestDirName is where ingested originals are kept, inside the data dir.
const IngestDirName = "records"

// ingestAnswer is the body of a 201 from POST /api/records.
type ingestAnswer struct {
	ID           string `json:"id"`
	Paragraphs   int    `json:"paragraphs"`
	AlertMatches int    `json:"alert_matches"`
}

// handleIngest takes a raw record (text/plain, text/html, or a multipart
// upload with a "file" part), parses it, keeps the original under
// <data>/records/, indexes it and runs the alerts. A file that cannot be
// parsed is a 422 and changes nothing.
func (s *Server) handleIngest(c echo.Context) error {
	if err := s.requireAdmin(c); err != nil {
		return err
	}
	idx, err := s.readyIndex()
	if err != nil {
		return err
	}
	name, data, err := readUpload(c)
	if err != nil {
		return err
	}
	rec, err := corpus.Parse(bytes.NewReader(data), name)
	if err != nil {
		switch failure.KindOf(err) {
		case failure.TooLarge, failure.Unprocessable:
			return err
		}
		msg := failure.Message(err)
		if msg == "" {
			msg = err.Error()
		}
		return failure.Wrap(failure.Unprocessable, err, "the record could not be parsed: "+msg)
	}
	s.alerts.ingest.Lock()
	defer s.alerts.ingest.Unlock()
	ctx := c.Request().Context()
	commit, err := saveOriginal(s.cfg.DataDir, rec, name, data)
	if err != nil {
		return err
	}
	stats, err := idx.Upsert(ctx, []*corpus.Record{rec})
	if err != nil {
		commit(false)
		return err
	}
	if err := commit(true); err != nil {
		return err
	}
	matches := 0
	if svc := s.deps.Alerts.Service; svc != nil {
		// The record is in the index now; alerts run even if the client
		// has gone away.
		matches, err = svc.OnIndexed(context.WithoutCancel(ctx), idx, stats.NewParagraphs)
		if err != nil {
			return err
		}
	}
	s.log.Info("record ingested", "request_id", requestID(c), "id", rec.ID,
		"paragraphs", len(rec.Paragraphs), "new_paragraphs", len(stats.NewParagraphs), "alert_matches", matches)
	c.Response().Header().Set("Location", "/api/records/"+rec.ID)
	return c.JSON(http.StatusCreated, ingestAnswer{ID: rec.ID, Paragraphs: len(rec.Paragraphs), AlertMatches: matches})
}

// readUpload returns the uploaded file's name and bytes, at most
// MaxIngestBytes (413 beyond).
func readUpload(c echo.Context) (string, []byte, error) {
	r := c.Request()
	ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return "", nil, failure.New(failure.BadInput, "Content-Type must be text/plain, text/html or multipart/form-data")
	}
	tooLarge := failure.New(failure.TooLarge, "the record is over the %d MB limit", MaxIngestBytes>>20)
	read := func(rd io.Reader) ([]byte, error) {
		b, err := io.ReadAll(io.LimitReader(rd, MaxIngestBytes+1))
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, tooLarge
			}
			return nil, failure.Param("body", "cannot read the body: %v", err)
		}
		if len(b) > MaxIngestBytes {
			return nil, tooLarge
		}
		return b, nil
	}
	name := filepath.Base(strings.TrimSpace(c.QueryParam("name")))
	switch ct {
	case "text/plain", "text/html", "application/xhtml+xml":
		b, err := read(r.Body)
		if err != nil {
			return "", nil, err
		}
		if _, p, err := mime.ParseMediaType(r.Header.Get("Content-Disposition")); err == nil && p["filename"] != "" {
			name = filepath.Base(p["filename"])
		}
		if name == "" || name == "." || name == "/" {
			name = "upload.txt"
			if ct != "text/plain" {
				name = "upload.html"
			}
		}
		return name, b, nil
	case "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil || params["boundary"] == "" {
			return "", nil, failure.Param("body", "malformed multipart body")
		}
		for {
			part, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return "", nil, failure.Param("file", "the multipart upload has no file part (name it \"file\")")
			}
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					return "", nil, tooLarge
				}
				return "", nil, failure.Param("body", "malformed multipart body: %v", err)
			}
			if part.FormName() != "file" {
				continue
			}
			b, err := read(part)
			if err != nil {
				return "", nil, err
			}
			if fn := filepath.Base(part.FileName()); fn != "" && fn != "." && fn != "/" {
				name = fn
			} else if name == "" {
				name = "upload.txt"
			}
			return name, b, nil
		}
	default:
		return "", nil, &echo.HTTPError{Code: http.StatusUnsupportedMediaType,
			Message: "Content-Type must be text/plain, text/html or multipart/form-data"}
	}
}

// ingestExt is the extension an ingested original is kept under: one that
// corpus.Load reads back the same way.
func ingestExt(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".html", ".htm", ".xhtml":
		return ".html"
	case ".md":
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
		for _, ext := range []string{".txt", ".html", ".md"} {
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
	if len(ingested) == 0 {
		return recs, problems
	}
	byID := map[string]bool{}
	for _, r := range ingested {
		byID[r.ID] = true
	}
	out := make([]*corpus.Record, 0, len(recs)+len(ingested))
	for _, r := range recs {
		if !byID[r.ID] {
			out = append(out, r)
		}
	}
	return append(out, ingested...), problems
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
