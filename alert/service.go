package alert

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

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
	// CheckQuery applies a search's cost budget to an alert's query
	// against the live index (indexer.Index.CheckQuery: terms, and words
	// of its prefix and fuzzy terms) when the alert is saved; nil checks
	// what needs no index (indexer.ValidateQuery: syntax and terms).
	CheckQuery func(q string) error
	Mail       MailConfig
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
//
// alerts.db is user data, never rebuilt: a file that cannot be read stops
// the start with a message that says what to do, and an empty (0-byte)
// file, which bbolt would silently start afresh, is logged as a warning.
func Open(dataDir string, cfg Config) (*Service, error) {
	cfg.defaults()
	path := filepath.Join(dataDir, StoreFile)
	if st, err := os.Stat(path); err == nil && st.Size() == 0 {
		cfg.Logger.Warn("alerts.db is empty (0 bytes): a store that held alerts was truncated or lost, "+
			"and they are gone; restore it from a backup (docs/operations.md) if it had any. Starting with no alerts.",
			"path", path)
	}
	st, err := OpenStore(path)
	if err != nil {
		if failure.KindOf(err) == failure.Unavailable {
			return nil, err
		}
		return nil, &failure.Error{Kind: failure.Unprocessable, Err: err, Msg: fmt.Sprintf(
			"the alert store %s cannot be read (%v). It holds user data (saved alerts, their matches and deliveries), "+
				"so it is not rebuilt: restore it from a backup (docs/operations.md), or move it away to start with no alerts",
			path, errors.Unwrap(err))}
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
		Settings: Settings{Active: true}, Created: now, Updated: now, LastEmail: now,
	}
	in.Set = nil // every field counts on creation
	if err := in.apply(a, s.cfg.WebhookAllowPrivate); err != nil {
		return nil, err
	}
	if err := s.checkQuery(a); err != nil {
		return nil, err
	}
	confirm := s.needsConfirmation(a, "")
	// Matches recorded from now on only: an alert does not fire for the
	// corpus that existed before it.
	if err := s.store.PutAlert(a); err != nil {
		return nil, err
	}
	v := s.view(a, 0)
	v.ManageToken, v.WebhookSecret = a.ManageToken, a.WebhookSecret
	if confirm {
		if err := s.sendConfirmation(a); err != nil {
			s.cfg.Logger.Warn("alert: confirmation email not sent", "alert", a.ID, "err", err)
		}
	}
	return v, nil
}

// checkQuery applies Config.CheckQuery to a's query: an alert is a saved
// search, with a search's budget.
func (s *Service) checkQuery(a *Alert) error {
	if a.Query == "" || s.cfg.CheckQuery == nil {
		return nil
	}
	return s.cfg.CheckQuery(a.Query)
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
	oldEmail := a.Email
	if err := in.apply(a, s.cfg.WebhookAllowPrivate); err != nil {
		return nil, err
	}
	if err := s.checkQuery(a); err != nil {
		return nil, err
	}
	confirm := !strings.EqualFold(a.Email, oldEmail) && s.needsConfirmation(a, oldEmail)
	if a.Email == "" {
		a.EmailPending, a.ConfirmCode = false, ""
	}
	a.Updated = s.cfg.Now().UTC()
	if err := s.store.PutAlert(a); err != nil {
		return nil, err
	}
	if confirm {
		if err := s.sendConfirmation(a); err != nil {
			s.cfg.Logger.Warn("alert: confirmation email not sent", "alert", a.ID, "err", err)
		}
	}
	return s.Get(id, token)
}

// Stop deactivates an alert (the stop link of every email): it keeps its
// history and feed but neither matches nor delivers any more.
func (s *Service) Stop(id, token string) error {
	_, err := s.Update(id, token, Input{Set: map[string]bool{"active": true}})
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
	v := &View{
		ID: a.ID, Settings: a.Settings, EmailPending: a.EmailPending, Created: a.Created, Updated: a.Updated, Matches: matches,
		FeedURL: feedURL(s.cfg.BaseURL, a.ID), PageURL: alertURL(s.cfg.BaseURL, a.ID),
	}
	if v.Filters == nil {
		v.Filters = map[string][]string{}
	}
	return v
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
