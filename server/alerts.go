package server

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"math"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"dialoguesearch/alert"
	"dialoguesearch/corpus"
	"dialoguesearch/failure"
	"dialoguesearch/indexer"
)

// AlertDeps is what the alert routes need from the caller (cmd_serve.go
// fills it).
type AlertDeps struct {
	// Service is the opened alert service; the server runs its deliverer
	// and closes it on Shutdown. nil turns alerts off (their routes answer
	// 503); ingest still works.
	Service *alert.Service
	// WatchInterval is how often serve --watch looks at the corpus dir;
	// default 3s.
	WatchInterval time.Duration
}

// MaxIngestBytes is the largest record POST /api/records accepts.
const MaxIngestBytes = corpus.MaxFileSize

// IngestDirName is where ingested originals are kept, inside the data dir.
const IngestDirName = "records"

// alertState is the server's alert machinery: the background deliverer and
// the corpus watcher.
type alertState struct {
	cancel context.CancelFunc
	wg     sync.WaitGroup
	ingest sync.Mutex // one ingest or watch update at a time
}

// registerAlertRoutes adds /api/alerts, /alerts/{id}.atom and ingest
// (POST /api/records); called from the route table in server.go.
func (s *Server) registerAlertRoutes() {
	e := s.e
	e.POST("/api/records", s.handleIngest)
	e.POST("/api/alerts", s.handleAlertCreate)
	e.GET("/api/alerts", s.handleAlertList)
	e.GET("/api/alerts/preview", s.handleAlertPreview)
	e.POST("/api/alerts/preview", s.handleAlertPreview)
	e.GET("/api/alerts/:id", s.handleAlertGet)
	e.PATCH("/api/alerts/:id", s.handleAlertUpdate)
	e.DELETE("/api/alerts/:id", s.handleAlertDelete)
	e.GET("/api/alerts/:id/matches", s.handleAlertMatches)
	// /alerts/{id}.atom is the feed; /alerts/{id} (and its stop page) are
	// UI pages (alerts_ui.go).
	e.GET("/alerts/:id", s.handleAlertPageOrFeed)
	s.registerAlertUIRoutes()
}

// startAlerts starts the deliverer and, with --watch, the corpus watcher;
// called by Start.
func (s *Server) startAlerts(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	s.alerts.cancel = cancel
	if svc := s.deps.Alerts.Service; svc != nil {
		s.alerts.wg.Go(func() { svc.Run(ctx) })
	}
	if s.cfg.Watch {
		if s.cfg.CorpusDir == "" {
			s.log.Warn("--watch needs --corpus: the embedded corpus never changes; not watching")
		} else {
			s.alerts.wg.Go(func() { s.watchCorpus(ctx) })
		}
	}
	return nil
}

// stopAlerts stops the background work and closes the alert store; called
// by Shutdown after in-flight requests finished and before the index closes.
func (s *Server) stopAlerts(ctx context.Context) error {
	if s.alerts.cancel != nil {
		s.alerts.cancel()
	}
	done := make(chan struct{})
	go func() { s.alerts.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return ctx.Err()
	}
	if svc := s.deps.Alerts.Service; svc != nil {
		return svc.Close()
	}
	return nil
}

// indexUpdated is called after the index changed (the background build on
// start, or any later sync), with what changed: the alerts check the new
// paragraphs.
func (s *Server) indexUpdated(ctx context.Context, stats indexer.UpdateStats) {
	svc, idx := s.deps.Alerts.Service, s.idx.Load()
	if svc == nil || idx == nil || len(stats.NewParagraphs) == 0 {
		return
	}
	n, err := svc.OnIndexed(ctx, idx, stats.NewParagraphs)
	if err != nil {
		s.log.Error("alerts: check new paragraphs", "err", err)
		return
	}
	s.log.Info("alerts checked", "new_paragraphs", len(stats.NewParagraphs), "matches", n)
}

// alertService returns the service, or a 503 when alerts are off.
func (s *Server) alertService() (*alert.Service, error) {
	if svc := s.deps.Alerts.Service; svc != nil {
		return svc, nil
	}
	return nil, unavailable("alerts are not enabled on this server", nil)
}

// credential is the token of a request: "Authorization: Bearer <token>",
// else ?token= (links in emails), else a form field "token".
func credential(c echo.Context) string {
	if h := c.Request().Header.Get("Authorization"); h != "" {
		if tok, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(tok)
		}
	}
	if t := c.QueryParam("token"); t != "" {
		return t
	}
	if c.Request().Method == http.MethodPost {
		if ct, _, _ := mime.ParseMediaType(c.Request().Header.Get("Content-Type")); ct == "application/x-www-form-urlencoded" {
			return c.FormValue("token")
		}
	}
	return ""
}

// requireAdmin checks the admin bearer token; without one configured the
// admin endpoints are off.
func (s *Server) requireAdmin(c echo.Context) error {
	if s.cfg.AdminToken == "" {
		return failure.New(failure.Forbidden, "this endpoint is off: the server has no admin token (--admin-token or DIALOGUESEARCH_ADMIN_TOKEN)")
	}
	tok := credential(c)
	if tok == "" {
		return failure.New(failure.Forbidden, "the admin token is required (Authorization: Bearer <token>)")
	}
	if subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.AdminToken)) != 1 {
		return failure.New(failure.Forbidden, "wrong admin token")
	}
	return nil
}

// decodeAlertInput reads the JSON body of POST/PATCH /api/alerts.
func decodeAlertInput(c echo.Context) (alert.Input, error) {
	var in alert.Input
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return in, failure.New(failure.TooLarge, "request body too large")
		}
		return in, failure.Param("body", "cannot read the body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return in, failure.Param("body", "the body must be a JSON object")
	}
	if err := json.Unmarshal(body, &in); err != nil {
		var fe *failure.Error
		if errors.As(err, &fe) {
			return in, fe
		}
		return in, failure.Param("body", "the body is not valid JSON: %v", err)
	}
	return in, nil
}

func (s *Server) handleAlertCreate(c echo.Context) error {
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	in, err := decodeAlertInput(c)
	if err != nil {
		return err
	}
	v, err := svc.Create(in)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/api/alerts/"+v.ID)
	return c.JSON(http.StatusCreated, v)
}

func (s *Server) handleAlertList(c echo.Context) error {
	if err := s.requireAdmin(c); err != nil {
		return err
	}
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	vs, err := svc.List()
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"total": len(vs), "alerts": vs})
}

// handleAlertPreview answers "this search would have matched N paragraphs
// in M records so far", with the latest few: GET with the search's query
// parameters, or POST with the alert's JSON.
func (s *Server) handleAlertPreview(c echo.Context) error {
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	idx, err := s.readyIndex()
	if err != nil {
		return err
	}
	var in alert.Input
	if c.Request().Method == http.MethodPost {
		if in, err = decodeAlertInput(c); err != nil {
			return err
		}
	} else {
		v := c.QueryParams()
		req, err := parseSearchParams(v)
		if err != nil {
			return err
		}
		in = alert.Input{Query: req.Query, Filters: req.Filters, From: strings.TrimSpace(v.Get("from")), To: strings.TrimSpace(v.Get("to"))}
	}
	p, err := svc.Preview(c.Request().Context(), idx, in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) handleAlertGet(c echo.Context) error {
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	v, err := svc.Get(c.Param("id"), credential(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) handleAlertUpdate(c echo.Context) error {
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	// Authorize before reading the body: a stranger learns nothing from
	// validation errors.
	if _, err := svc.Get(c.Param("id"), credential(c)); err != nil {
		return err
	}
	in, err := decodeAlertInput(c)
	if err != nil {
		return err
	}
	v, err := svc.Update(c.Param("id"), credential(c), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

func (s *Server) handleAlertDelete(c echo.Context) error {
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	if err := svc.Delete(c.Param("id"), credential(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) handleAlertMatches(c echo.Context) error {
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	v := c.QueryParams()
	page, err := intParam(v, "page", 1, 1, math.MaxInt32)
	if err != nil {
		return err
	}
	size, err := intParam(v, "size", DefaultPageSize, 1, indexer.MaxPageSize)
	if err != nil {
		return err
	}
	mp, err := svc.Matches(c.Param("id"), credential(c), page, size)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, mp)
}

// handleAlertPageOrFeed serves /alerts/{id}.atom (the feed: the id is
// unguessable and is the feed's only credential) and /alerts/{id} (the
// alert's page).
func (s *Server) handleAlertPageOrFeed(c echo.Context) error {
	id, isFeed := strings.CutSuffix(c.Param("id"), ".atom")
	if !isFeed {
		return s.handleAlertPage(c)
	}
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := svc.Feed(&buf, id); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.Blob(http.StatusOK, "application/atom+xml; charset=utf-8", buf.Bytes())
}

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

// watchCorpus is serve --watch: it polls the corpus dir and indexes record
// files that are new or changed (by size and modification time), then runs
// the alerts on their new paragraphs. The first pass, once the index is
// ready, covers every file: unchanged records cost a parse and nothing more.
// A file deleted from the dir removes its record from the index, unless
// another file or an ingested record provides the same id.
func (s *Server) watchCorpus(ctx context.Context) {
	interval := s.deps.Alerts.WatchInterval
	if interval <= 0 {
		interval = 3 * time.Second
	}
	seen := &watchState{stamps: map[string]fileStamp{}, ids: map[string]string{}}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		idx := s.idx.Load()
		if idx == nil {
			continue // still building
		}
		if err := s.watchPass(ctx, idx, seen); err != nil && ctx.Err() == nil {
			s.log.Error("watch: update failed", "dir", s.cfg.CorpusDir, "err", err)
		}
	}
}

type fileStamp struct {
	size int64
	mod  time.Time
}

// watchState is what the watcher knows of the corpus dir: each file's
// stamp when last looked at, and the id of the record it held.
type watchState struct {
	stamps map[string]fileStamp
	ids    map[string]string
}

// watchedExt are the record file extensions (as corpus.Load reads them).
var watchedExt = map[string]bool{".txt": true, ".text": true, ".md": true, ".html": true, ".htm": true, ".xhtml": true, "": true}

func (s *Server) watchPass(ctx context.Context, idx *indexer.Index, state *watchState) error {
	seen := state.stamps
	fsys := os.DirFS(s.cfg.CorpusDir)
	var changed []string
	stamps := map[string]fileStamp{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a file vanished mid-walk: next pass
		}
		if strings.HasPrefix(d.Name(), ".") && p != "." {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !watchedExt[strings.ToLower(filepath.Ext(p))] {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		st := fileStamp{info.Size(), info.ModTime()}
		stamps[p] = st
		if old, ok := seen[p]; !ok || old != st {
			changed = append(changed, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	var gone []string
	for p := range seen {
		if _, ok := stamps[p]; !ok {
			gone = append(gone, p)
		}
	}
	if len(changed) == 0 && len(gone) == 0 {
		return nil
	}
	var recs []*corpus.Record
	for _, p := range changed {
		f, err := fsys.Open(p)
		if err != nil {
			continue
		}
		rec, err := corpus.Parse(f, p)
		f.Close()
		if err != nil {
			s.log.Warn("watch: record skipped", "file", p, "err", err)
			seen[p] = stamps[p] // do not retry until it changes again
			continue
		}
		recs = append(recs, rec)
		state.ids[p] = rec.ID
	}
	s.alerts.ingest.Lock()
	defer s.alerts.ingest.Unlock()
	stats, err := idx.Upsert(ctx, recs)
	if err != nil {
		return err
	}
	for _, p := range changed {
		seen[p] = stamps[p]
	}
	if stats.Added+stats.Changed > 0 {
		s.log.Info("watch: indexed", "added", stats.Added, "changed", stats.Changed, "new_paragraphs", len(stats.NewParagraphs))
	}
	s.indexUpdated(ctx, stats)
	if len(gone) == 0 {
		return nil
	}
	removed, err := s.removeGone(ctx, idx, state, gone)
	if err != nil {
		return err
	}
	for _, p := range gone {
		delete(seen, p)
		delete(state.ids, p)
	}
	if removed > 0 {
		s.log.Info("watch: removed", "records", removed, "files", len(gone))
	}
	return nil
}

// removeGone removes from idx the records of the deleted files gone, except
// ids still held by another file of the dir or by a record ingested through
// the API. The caller holds the ingest lock, so the index cannot gain a
// record meanwhile: it is synced to what it holds minus those records.
func (s *Server) removeGone(ctx context.Context, idx *indexer.Index, state *watchState, gone []string) (int, error) {
	drop := map[string]bool{}
	for _, p := range gone {
		if id, ok := state.ids[p]; ok {
			drop[id] = true
		}
	}
	goneSet := map[string]bool{}
	for _, p := range gone {
		goneSet[p] = true
	}
	for p, id := range state.ids {
		if !goneSet[p] {
			delete(drop, id)
		}
	}
	if len(drop) > 0 {
		ingested, _ := LoadIngested(s.cfg.DataDir)
		for _, r := range ingested {
			delete(drop, r.ID)
		}
	}
	if len(drop) == 0 {
		return 0, nil
	}
	sums, err := idx.Records()
	if err != nil {
		return 0, err
	}
	keep := make([]*corpus.Record, 0, len(sums))
	for _, sum := range sums {
		if drop[sum.ID] {
			continue
		}
		r, err := idx.Record(sum.ID)
		if err != nil {
			return 0, err
		}
		keep = append(keep, r)
	}
	stats, err := idx.Sync(ctx, keep, nil)
	if err != nil {
		return 0, err
	}
	s.indexUpdated(ctx, stats)
	return stats.Removed, nil
}
