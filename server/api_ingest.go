package server

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/labstack/echo/v4"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
)

// MaxIngestBytes is the largest record POST /api/records accepts.
const MaxIngestBytes = corpus.MaxFileSize

// ingestAnswer is the body of a 201 from POST /api/records.
type ingestAnswer struct {
	ID           string `json:"id"`
	Paragraphs   int    `json:"paragraphs"`
	AlertMatches int    `json:"alert_matches"`
}

// handleIngest takes a raw record (text/plain, text/html, or a multipart
// upload with a "file" part) and hands it to App.Ingest, which parses it,
// keeps the original, indexes it and runs the alerts. A file that cannot be
// parsed is a 422 and changes nothing.
func (s *Server) handleIngest(c echo.Context) error {
	if err := s.requireAdmin(c); err != nil {
		return err
	}
	name, data, err := readUpload(c)
	if err != nil {
		return err
	}
	in, err := s.app.Ingest(c.Request().Context(), name, data)
	if err != nil {
		return err
	}
	rec := in.Record
	s.log.Info("record ingested", "request_id", requestID(c), "id", rec.ID,
		"paragraphs", len(rec.Paragraphs), "new_paragraphs", in.NewParagraphs, "alert_matches", in.AlertMatches)
	c.Response().Header().Set("Location", "/api/records/"+rec.ID)
	return c.JSON(http.StatusCreated, ingestAnswer{ID: rec.ID, Paragraphs: len(rec.Paragraphs), AlertMatches: in.AlertMatches})
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
