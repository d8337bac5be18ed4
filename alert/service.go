package alert

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"dialoguesearch/corpus"
	"dialoguesearch/failure"
	"dialoguesearch/indexer"
)

// Config is the alert service's configuration, filled at the edge (the serve
// and alerts commands) from flags and environment.
type Config struct {
	// BaseURL is the server's public URL, without a trailing slash: links in
	// feeds, webhooks and emails start with it.
	BaseURL string
	// WebhookAllowPrivate allows webhook targets on private and loopback
	// addresses (tests, intranets).
	WebhookAllowPrivate bool
	Mail                MailConfig
	// Logger receives delivery failures; nil discards them (they are also
	// kept on the outbox entry).
	Logger *slog.Logger

	RetryBase      time.Duration // first retry delay; default 30s, doubled per failure
	RetryMax       time.Duration // longest delay between retries; default 6h
	MaxAttempts    int           // attempts before a delivery is marked dead; default 20
	PollInterval   time.Duration // how often the deliverer looks at the outbox; default 15s
	WebhookTimeout time.Duration // per request; default 10s
	Now            func() time.Time
}

func (c *Config) defaults() {
	if c.RetryBase <= 0 {
		c.RetryBase = 30 * time.Second
	}
	if c.RetryMax <= 0 {
		c.RetryMax = 6 * time.Hour
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 20
	}
	if c.PollInterval <= 0 {
		c.PollInterval = 15 * time.Second
	}
	if c.WebhookTimeout <= 0 {
		c.WebhookTimeout = 10 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
}

// Service is the alerts feature: CRUD for alerts, matching new paragraphs,
// and delivery through the outbox.
type Service struct {
	cfg    Config
	store  *Store
	client *http.Client
	wake   chan struct{}

	matchMu   sync.Mutex // one matching run at a time
	deliverMu sync.Mutex // one delivery pass at a time
}

// Open opens the alert store in dataDir and returns the service. It fails
// with failure.Unavailable when another process holds the store.
func Open(dataDir string, cfg Config) (*Service, error) {
	cfg.defaults()
	st, err := OpenStore(filepath.Join(dataDir, StoreFile))
	if err != nil {
		return nil, err
	}
	return &Service{
		cfg:    cfg,
		store:  st,
		client: newWebhookClient(cfg.WebhookAllowPrivate, cfg.WebhookTimeout),
		wake:   make(chan struct{}, 1),
	}, nil
}

// Close closes the store. Stop Run first.
func (s *Service) Close() error { return s.store.Close() }

// Store returns the underlying store (operators' commands read it).
func (s *Service) Store() *Store { return s.store }

// BaseURL is the URL links start with.
func (s *Service) BaseURL() string { return s.cfg.BaseURL }

func newSecret() string { return strings.ToLower(rand.Text()) }

// Create validates in and saves a new alert. The returned view carries the
// manage token and webhook secret: the only time they are shown.
func (s *Service) Create(in Input) (*View, error) {
	now := s.cfg.Now().UTC()
	a := &Alert{
		ID: newSecret(), ManageToken: newSecret(), WebhookSecret: newSecret(),
		Active: true, Created: now, Updated: now, LastEmail: now,
	}
	in.Set = nil // every field counts on creation
	if err := in.apply(a, s.cfg.WebhookAllowPrivate); err != nil {
		return nil, err
	}
	// Matches recorded from now on only: an alert does not fire for the
	// corpus that existed before it.
	if err := s.store.PutAlert(a); err != nil {
		return nil, err
	}
	v := s.view(a, 0)
	v.ManageToken, v.WebhookSecret = a.ManageToken, a.WebhookSecret
	return v, nil
}

// authorize returns alert id when token is its manage token: NotFound for an
// unknown alert, Forbidden for a missing or wrong token.
func (s *Service) authorize(id, token string) (*Alert, error) {
	a, err := s.store.Alert(id)
	if err != nil {
		return nil, err
	}
	if token == "" {
		return nil, failure.New(failure.Forbidden, "this alert needs its manage token (Authorization: Bearer <token> or ?token=)")
	}
	if subtle.ConstantTimeCompare([]byte(token), []byte(a.ManageToken)) != 1 {
		return nil, failure.New(failure.Forbidden, "wrong manage token for this alert")
	}
	return a, nil
}

// Get returns alert id for its owner.
func (s *Service) Get(id, token string) (*View, error) {
	a, err := s.authorize(id, token)
	if err != nil {
		return nil, err
	}
	n, err := s.store.MatchCount(id)
	if err != nil {
		return nil, err
	}
	return s.view(a, n), nil
}

// Update changes the fields set in in.
func (s *Service) Update(id, token string, in Input) (*View, error) {
	a, err := s.authorize(id, token)
	if err != nil {
		return nil, err
	}
	if in.Set == nil {
		in.Set = map[string]bool{}
	}
	if err := in.apply(a, s.cfg.WebhookAllowPrivate); err != nil {
		return nil, err
	}
	a.Updated = s.cfg.Now().UTC()
	if err := s.store.PutAlert(a); err != nil {
		return nil, err
	}
	return s.Get(id, token)
}

// Stop deactivates an alert (the stop link of every email): it keeps its
// history and feed but neither matches nor delivers any more.
func (s *Service) Stop(id, token string) error {
	_, err := s.Update(id, token, Input{Active: false, Set: map[string]bool{"active": true}})
	return err
}

// Delete removes an alert, its matches and its pending deliveries.
func (s *Service) Delete(id, token string) error {
	if _, err := s.authorize(id, token); err != nil {
		return err
	}
	return s.store.DeleteAlert(id)
}

// List returns every alert (for the admin), oldest first, without secrets.
func (s *Service) List() ([]View, error) {
	as, err := s.store.Alerts()
	if err != nil {
		return nil, err
	}
	out := make([]View, 0, len(as))
	for _, a := range as {
		n, err := s.store.MatchCount(a.ID)
		if err != nil {
			return nil, err
		}
		out = append(out, *s.view(a, n))
	}
	return out, nil
}

func sortAlerts(as []*Alert) {
	sort.SliceStable(as, func(i, j int) bool {
		if !as[i].Created.Equal(as[j].Created) {
			return as[i].Created.Before(as[j].Created)
		}
		return as[i].ID < as[j].ID
	})
}

func (s *Service) view(a *Alert, matches int) *View {
	f := a.Filters
	if f == nil {
		f = map[string][]string{}
	}
	return &View{
		ID: a.ID, Name: a.Name, Query: a.Query, Filters: f, From: a.From, To: a.To,
		Email: a.Email, WebhookURL: a.WebhookURL, Frequency: a.Frequency, Active: a.Active,
		Created: a.Created, Updated: a.Updated, Matches: matches,
		FeedURL: feedURL(s.cfg.BaseURL, a.ID), PageURL: alertURL(s.cfg.BaseURL, a.ID),
	}
}

// MatchPage is one page of an alert's matches, newest first.
type MatchPage struct {
	Total   int     `json:"total"`
	Page    int     `json:"page"`
	Size    int     `json:"size"`
	Matches []Match `json:"matches"`
}

// Matches returns page (from 1) of alert id's matches, size per page.
func (s *Service) Matches(id, token string, page, size int) (*MatchPage, error) {
	if _, err := s.authorize(id, token); err != nil {
		return nil, err
	}
	if page < 1 {
		return nil, failure.Param("page", "page must be 1 or more")
	}
	if size < 1 || size > indexer.MaxPageSize {
		return nil, failure.Param("size", "size must be 1 to %d", indexer.MaxPageSize)
	}
	ms, total, err := s.store.Matches(id, (page-1)*size, size)
	if err != nil {
		return nil, err
	}
	s.fillURLs(ms)
	if ms == nil {
		ms = []Match{}
	}
	return &MatchPage{Total: total, Page: page, Size: size, Matches: ms}, nil
}

func (s *Service) fillURLs(ms []Match) {
	for i := range ms {
		ms[i].URL = paragraphURL(s.cfg.BaseURL, ms[i].RecordID, ms[i].N)
	}
}

// Feed writes alert id's Atom feed; the unguessable id is the credential,
// so feed readers need no token.
func (s *Service) Feed(w io.Writer, id string) error {
	a, err := s.store.Alert(id)
	if err != nil {
		return err
	}
	ms, _, err := s.store.Matches(id, 0, FeedSize)
	if err != nil {
		return err
	}
	return writeFeed(w, a, ms, s.cfg.BaseURL)
}

// Preview says what a search would have matched in the corpus so far.
type Preview struct {
	Paragraphs uint64        `json:"paragraphs"`
	Records    int           `json:"records"`
	Message    string        `json:"message"`
	Latest     []indexer.Hit `json:"latest"`
}

// previewScan caps how many hits Preview reads to count distinct records.
const previewScan = 5000

// Preview validates in like Create and runs its search on idx (the main
// index): how many paragraphs in how many records it would have matched,
// with the newest few.
func (s *Service) Preview(ctx context.Context, idx *indexer.Index, in Input) (*Preview, error) {
	a := &Alert{}
	in.Set = nil
	in.Email, in.WebhookURL = "", "" // channels do not matter to a preview
	if err := in.apply(a, true); err != nil {
		return nil, err
	}
	req := a.Request()
	req.NoFacets = true
	req.Sort = indexer.SortDateDesc
	req.Size = 5
	res, err := idx.Search(ctx, req)
	if err != nil {
		return nil, err
	}
	p := &Preview{Paragraphs: res.Total, Latest: res.Hits}
	if p.Latest == nil {
		p.Latest = []indexer.Hit{}
	}
	records := map[string]bool{}
	req.Size = indexer.MaxPageSize
	seen := 0
	for page := 1; seen < previewScan && uint64(seen) < res.Total; page++ {
		req.Page = page
		r, err := idx.Search(ctx, req)
		if err != nil {
			return nil, err
		}
		if len(r.Hits) == 0 {
			break
		}
		for _, h := range r.Hits {
			records[h.RecordID] = true
		}
		seen += len(r.Hits)
	}
	p.Records = len(records)
	more := ""
	if uint64(seen) < res.Total {
		more = " at least"
	}
	p.Message = fmt.Sprintf("This search would have matched %d %s in%s %d %s so far.",
		p.Paragraphs, plural(int(p.Paragraphs), "paragraph", "paragraphs"), more, p.Records, plural(p.Records, "record", "records"))
	return p, nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// RecordSource gives a record by id: *indexer.Index is one.
type RecordSource interface {
	Record(id string) (*corpus.Record, error)
}

// OnIndexed checks every active alert against the paragraphs that just
// entered the index with new or changed text (indexer.UpdateStats.NewParagraphs),
// records the new matches and queues their deliveries. Paragraphs already
// checked with the same text are skipped, so calling it twice, or after an
// index rebuild, fires nothing new. src supplies the paragraphs' records.
// It returns how many matches it recorded.
func (s *Service) OnIndexed(ctx context.Context, src RecordSource, newParas []indexer.Hit) (int, error) {
	if len(newParas) == 0 {
		return 0, nil
	}
	s.matchMu.Lock()
	defer s.matchMu.Unlock()

	// Load the records, keep only the new paragraphs, in their order.
	var recs []*corpus.Record
	byID := map[string]*corpus.Record{}
	hashes := map[string]string{}
	for _, h := range newParas {
		if _, ok := byID[h.RecordID]; !ok {
			r, err := src.Record(h.RecordID)
			if err != nil {
				return 0, fmt.Errorf("alert: record %s: %w", h.RecordID, err)
			}
			byID[h.RecordID] = r
			recs = append(recs, r)
		}
	}
	want := map[string]bool{}
	for _, h := range newParas {
		want[h.ID] = true
	}
	for _, r := range recs {
		for _, p := range r.Paragraphs {
			if id := corpus.ParagraphID(r.ID, p.N); want[id] {
				hashes[id] = checkKey(r.ID, textHash(p.Text))
			}
		}
	}
	unchecked, err := s.store.unchecked(hashes)
	if err != nil {
		return 0, err
	}
	if len(unchecked) == 0 {
		return 0, nil
	}
	checked := map[string]string{}
	for id := range unchecked {
		checked[id] = hashes[id]
	}
	alerts, err := s.store.Alerts()
	if err != nil {
		return 0, err
	}
	alerts = slices.DeleteFunc(alerts, func(a *Alert) bool { return !a.Active })
	var b *batch
	if len(alerts) > 0 {
		if b, err = newBatch(ctx, trimRecords(recs, unchecked)); err != nil {
			return 0, err
		}
		defer b.Close()
	}
	// The matches are written as they are found, in one transaction
	// committed after the last: storing overlaps matching.
	results := make(chan alertMatches, 256)
	var added map[string][]Match
	stored := make(chan error, 1)
	go func() {
		var err error
		added, err = s.store.recordStream(checked, results, s.cfg.Now().UTC())
		stored <- err
	}()
	if b != nil {
		_, err = matchAll(ctx, b, alerts, func(alertID string, ms []Match) {
			results <- alertMatches{alertID: alertID, ms: ms}
		})
		if err != nil {
			results <- alertMatches{err: err}
		}
	}
	close(results)
	if serr := <-stored; serr != nil {
		return 0, serr
	}
	n := 0
	for _, ms := range added {
		n += len(ms)
	}
	if n > 0 {
		s.Wake()
	}
	return n, nil
}

// Wake makes the deliverer look at the outbox now.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run delivers in the background until ctx ends: at every poll interval and
// whenever new matches were recorded.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(s.cfg.PollInterval)
	defer t.Stop()
	for {
		if _, err := s.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			s.cfg.Logger.Error("alert delivery pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
	}
}

// DeliveryReport counts what one delivery pass did.
type DeliveryReport struct {
	Queued, Sent, Failed, Dead int
}

// DeliverDue queues the email digests that are due and sends every outbox
// entry whose time has come. A failed entry is retried later with
// exponential backoff.
func (s *Service) DeliverDue(ctx context.Context) (DeliveryReport, error) {
	s.deliverMu.Lock()
	defer s.deliverMu.Unlock()
	var rep DeliveryReport
	now := s.cfg.Now().UTC()
	alerts, err := s.store.Alerts()
	if err != nil {
		return rep, err
	}
	for _, a := range alerts {
		if a.Email == "" || !a.Active || !emailDue(a, now) {
			continue
		}
		// Read-only check first: most passes have nothing to queue, and a
		// write transaction costs a disk sync.
		last, err := s.store.lastMatchSeq(a.ID)
		if err != nil {
			return rep, err
		}
		if last <= a.EmailCursor {
			continue
		}
		d, err := s.store.queueEmail(a.ID, now, func(a *Alert) bool { return emailDue(a, now) })
		if err != nil {
			return rep, err
		}
		if d != nil {
			rep.Queued++
		}
	}
	box, err := s.store.Outbox()
	if err != nil {
		return rep, err
	}
	for _, d := range box {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		if d.Dead || d.NextAt.After(s.cfg.Now()) {
			continue
		}
		err := s.send(ctx, d)
		if errors.Is(err, errDropped) {
			if err := s.store.delivered(d.Seq); err != nil {
				return rep, err
			}
			continue
		}
		if err == nil {
			if err := s.store.delivered(d.Seq); err != nil {
				return rep, err
			}
			rep.Sent++
			continue
		}
		if ctx.Err() != nil {
			return rep, ctx.Err() // shutting down: not the receiver's fault
		}
		d.Attempts++
		d.LastError = err.Error()
		d.NextAt = s.cfg.Now().UTC().Add(s.backoff(d.Attempts))
		if d.Attempts >= s.cfg.MaxAttempts {
			d.Dead = true
			rep.Dead++
		}
		rep.Failed++
		s.cfg.Logger.Warn("alert delivery failed", "alert", d.AlertID, "channel", d.Channel,
			"key", d.Key, "attempt", d.Attempts, "next", d.NextAt, "dead", d.Dead, "err", err)
		if err := s.store.failed(d); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// errDropped: the delivery's alert is gone or stopped; nothing to send.
var errDropped = errors.New("alert: delivery dropped")

func (s *Service) send(ctx context.Context, d *Delivery) error {
	a, err := s.store.Alert(d.AlertID)
	if failure.KindOf(err) == failure.NotFound {
		return errDropped
	}
	if err != nil {
		return err
	}
	if !a.Active {
		return errDropped
	}
	ms := slices.Clone(d.Matches)
	if len(ms) == 0 && d.Last > 0 {
		if ms, err = s.store.matchRange(d.AlertID, d.First, d.Last); err != nil {
			return err
		}
	}
	if len(ms) == 0 {
		return errDropped
	}
	s.fillURLs(ms)
	switch d.Channel {
	case ChannelWebhook:
		if a.WebhookURL == "" {
			return errDropped
		}
		body, err := webhookBody(PayloadAlert{
			ID: a.ID, Name: a.Name, Query: a.Query, Filters: a.Filters, From: a.From, To: a.To,
			URL: alertURL(s.cfg.BaseURL, a.ID), FeedURL: feedURL(s.cfg.BaseURL, a.ID),
		}, ms)
		if err != nil {
			return err
		}
		return postWebhook(ctx, s.client, a, d, body)
	case ChannelEmail:
		if a.Email == "" {
			return errDropped
		}
		msg := digest(s.cfg.Mail, a, ms, s.cfg.BaseURL, d.Key, s.cfg.Now())
		return sendMail(s.cfg.Mail, a.Email, msg)
	}
	return fmt.Errorf("alert: unknown channel %q", d.Channel)
}

// backoff is the delay before retry number attempt (from 1): RetryBase
// doubled per failure, capped at RetryMax, plus up to 10% jitter so that many
// failed deliveries do not retry in lockstep.
func (s *Service) backoff(attempt int) time.Duration {
	d := s.cfg.RetryBase
	for i := 1; i < attempt && d < s.cfg.RetryMax; i++ {
		d *= 2
	}
	d = min(d, s.cfg.RetryMax)
	return d + time.Duration(mrand.Int64N(int64(d)/10+1))
}

// emailDue reports whether a's next digest may be queued now.
func emailDue(a *Alert, now time.Time) bool {
	switch a.Frequency {
	case Daily:
		return !now.Before(a.LastEmail.Add(24 * time.Hour))
	case Weekly:
		return !now.Before(a.LastEmail.Add(7 * 24 * time.Hour))
	default:
		return true
	}
}
