package alert

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	"dialoguesearch/failure"
	"dialoguesearch/indexer"
)

// Email frequencies.
const (
	Immediate = "immediate" // one email per indexing run that produced matches
	Daily     = "daily"     // at most one digest a day
	Weekly    = "weekly"    // at most one digest a week
)

// Limits on what an alert may hold.
const (
	MaxNameLength = 200
	MaxURLLength  = 2000
)

// Search is an alert's saved search: the query, facet filters and date
// range of a search request.
type Search struct {
	Query   string              `json:"q"`
	Filters map[string][]string `json:"filters"`
	From    string              `json:"from,omitempty"`
	To      string              `json:"to,omitempty"`
	// Series, when set, makes the alert a series watch (series.go): a
	// change report for each new edition of the series instead of
	// paragraph matches; Track are phrases whose disappearance it reports.
	Series string   `json:"watch,omitempty"`
	Track  []string `json:"track,omitempty"`
}

// Settings are what an alert's owner sets: its name, its search and where
// it delivers. Alert, View and Input embed them.
type Settings struct {
	Name string `json:"name"`
	Search
	Email      string `json:"email,omitempty"`
	WebhookURL string `json:"webhook_url,omitempty"`
	Frequency  string `json:"frequency"`
	// Active is false once the owner stopped the alert (the stop link in
	// every email): it no longer matches nor delivers, but keeps its history.
	Active bool `json:"active"`
}

// Alert is a saved search with its delivery channels.
type Alert struct {
	ID string `json:"id"`
	Settings

	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`

	// Secrets: the owner's manage token and the webhook signing secret. They
	// are kept (not hashed) because emails carry the token in their links and
	// webhooks are signed with the secret; alerts.db is protected like a
	// password file.
	ManageToken   string `json:"manage_token"`
	WebhookSecret string `json:"webhook_secret,omitempty"`

	// Email digest state: matches with Seq > EmailCursor are not yet queued
	// for email; LastEmail is when the last digest was queued.
	EmailCursor uint64    `json:"email_cursor"`
	LastEmail   time.Time `json:"last_email"`

	// Double opt-in (confirm.go): EmailPending until the link with
	// ConfirmCode is followed; no digest goes out meanwhile. Alerts saved
	// before confirmation existed have it false and keep their email.
	// UnsubscribeCode is the key of the unsubscribe link of every mail.
	EmailPending    bool   `json:"email_pending,omitempty"`
	ConfirmCode     string `json:"confirm_code,omitempty"`
	UnsubscribeCode string `json:"unsubscribe_code,omitempty"`
}

// Request is the search as an indexer request.
func (s Search) Request() indexer.Request {
	return indexer.Request{Query: s.Query, Filters: s.Filters, From: s.From, To: s.To}
}

// View is an alert as shown to its owner: no secrets except, right after
// creation, the manage token and webhook secret.
type View struct {
	ID string `json:"id"`
	Settings
	// EmailPending: the address has not confirmed yet; nothing is mailed
	// to it but the confirmation.
	EmailPending  bool      `json:"email_pending"`
	Created       time.Time `json:"created"`
	Updated       time.Time `json:"updated"`
	Matches       int       `json:"matches"`
	FeedURL       string    `json:"feed_url"`
	PageURL       string    `json:"page_url"`
	ManageToken   string    `json:"manage_token,omitempty"`
	WebhookSecret string    `json:"webhook_secret,omitempty"`
}

// Input is the JSON body of POST /api/alerts and PATCH /api/alerts/{id}:
//
//	{"name", "q", "speaker": [...], "topic": [...], ..., "from", "to",
//	 "email", "webhook_url", "frequency", "active"}
//
// Facet filters are top-level keys named after indexer.FacetNames, each an
// array of values (a single string is accepted too). Set records which keys
// were present, so a PATCH changes only those.
type Input struct {
	Settings
	Set map[string]bool
}

// UnmarshalJSON decodes the contract's flat shape; unknown keys are an error
// so a typo ("speakers") does not silently widen an alert.
func (in *Input) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return failure.Param("body", "the body is not a JSON object: %v", err)
	}
	*in = Input{Set: map[string]bool{}}
	str := func(key string, dst *string) error {
		if err := json.Unmarshal(raw[key], dst); err != nil {
			return failure.Param(key, "%s must be a string", key)
		}
		return nil
	}
	for key, val := range raw {
		in.Set[key] = true
		var err error
		switch key {
		case "name":
			err = str(key, &in.Name)
		case "q":
			err = str(key, &in.Query)
		case "from":
			err = str(key, &in.From)
		case "to":
			err = str(key, &in.To)
		case "watch":
			err = str(key, &in.Series)
		case "track":
			in.Track, err = stringList(key, val)
		case "email":
			err = str(key, &in.Email)
		case "webhook_url":
			err = str(key, &in.WebhookURL)
		case "frequency":
			err = str(key, &in.Frequency)
		case "active":
			if e := json.Unmarshal(val, &in.Active); e != nil {
				err = failure.Param(key, "active must be true or false")
			}
		case "filters":
			// Also accept the nested shape that View returns, so a client can
			// send back what it read.
			var m map[string]json.RawMessage
			if e := json.Unmarshal(val, &m); e != nil {
				return failure.Param(key, "filters must be an object of facet -> [values]")
			}
			delete(in.Set, "filters")
			for k, v := range m {
				vals, e := stringList(k, v)
				if e != nil {
					return e
				}
				in.setFilter(k, vals)
			}
		default:
			if !slices.Contains(indexer.FacetNames, key) {
				return failure.Param(key, "unknown field %q (facet filters are %s)", key, strings.Join(indexer.FacetNames, ", "))
			}
			vals, e := stringList(key, val)
			if e != nil {
				return e
			}
			delete(in.Set, key)
			in.setFilter(key, vals)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (in *Input) setFilter(facet string, vals []string) {
	if in.Filters == nil {
		in.Filters = map[string][]string{}
	}
	in.Filters[facet] = vals
	in.Set["filters"] = true
}

func stringList(key string, raw json.RawMessage) ([]string, error) {
	raw = bytes.TrimSpace(raw)
	if bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		if one == "" {
			return nil, nil
		}
		return []string{one}, nil
	}
	var vals []string
	if err := json.Unmarshal(raw, &vals); err != nil {
		return nil, failure.Param(key, "%s must be an array of strings", key)
	}
	return vals, nil
}

// apply copies the fields set in in onto a and validates the result.
func (in *Input) apply(a *Alert, allowPrivate bool) error {
	set := func(k string) bool { return in.Set == nil || in.Set[k] }
	if set("name") {
		a.Name = strings.TrimSpace(in.Name)
	}
	if set("q") {
		a.Query = strings.TrimSpace(in.Query)
	}
	if set("filters") {
		// A PATCH changes the facets it names ([] or null removes one);
		// creation sets them all.
		if in.Set == nil || a.Filters == nil {
			a.Filters = map[string][]string{}
		}
		for k, vs := range in.Filters {
			delete(a.Filters, k)
			var clean []string
			for _, v := range vs {
				if v = strings.TrimSpace(v); v != "" && !slices.Contains(clean, v) {
					clean = append(clean, v)
				}
			}
			if len(clean) > 0 {
				a.Filters[k] = clean
			}
		}
	}
	if set("from") {
		a.From = strings.TrimSpace(in.From)
	}
	if set("to") {
		a.To = strings.TrimSpace(in.To)
	}
	if set("watch") {
		a.Series = strings.TrimSpace(in.Series)
	}
	if set("track") {
		a.Track = nil
		for _, p := range in.Track {
			if p = strings.Join(strings.Fields(p), " "); p != "" && !slices.Contains(a.Track, p) {
				a.Track = append(a.Track, p)
			}
		}
	}
	if set("email") {
		a.Email = strings.TrimSpace(in.Email)
	}
	if set("webhook_url") {
		a.WebhookURL = strings.TrimSpace(in.WebhookURL)
	}
	if set("frequency") {
		a.Frequency = strings.TrimSpace(in.Frequency)
	}
	if in.Set != nil && in.Set["active"] {
		a.Active = in.Active
	}
	return validate(a, allowPrivate)
}

func validate(a *Alert, allowPrivate bool) error {
	if len([]rune(a.Query)) > indexer.MaxQueryLength {
		return failure.Param("q", "q is longer than %d characters", indexer.MaxQueryLength)
	}
	if a.Query == "" && len(a.Filters) == 0 && a.Series == "" {
		return failure.Param("q", "an alert needs a query (q), at least one filter, or a series to watch (watch)")
	}
	if err := validateSeries(a); err != nil {
		return failure.Param("watch", "%v", err)
	}
	if a.Series == "" && len(a.Track) > 0 {
		return failure.Param("track", "tracked phrases need a series to watch (watch)")
	}
	if a.Query != "" {
		if err := indexer.ValidateQuery(a.Query); err != nil {
			if failure.KindOf(err) == failure.BadInput {
				return err
			}
			return failure.Param("q", "q: %s", failure.Message(err))
		}
	}
	if strings.ContainsRune(a.Query, 0) {
		return failure.Param("q", "q holds a NUL character")
	}
	// The same limits as a search's filters: an alert is a saved search.
	for k, vs := range a.Filters {
		if !slices.Contains(indexer.FacetNames, k) {
			return failure.Param(k, "unknown filter %q (facet filters are %s)", k, strings.Join(indexer.FacetNames, ", "))
		}
		if len(vs) > indexer.MaxFilterValues {
			return failure.Param(k, "%s has %d values; the limit is %d", k, len(vs), indexer.MaxFilterValues)
		}
		for _, v := range vs {
			if len([]rune(v)) > indexer.MaxQueryLength || strings.ContainsRune(v, 0) {
				return failure.Param(k, "a %s value is longer than %d characters or holds a NUL character", k, indexer.MaxQueryLength)
			}
		}
	}
	for _, d := range []struct{ name, v string }{{"from", a.From}, {"to", a.To}} {
		if d.v == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, d.v); err != nil {
			return failure.Param(d.name, "%s must be a date YYYY-MM-DD, not %q", d.name, d.v)
		}
	}
	if a.From != "" && a.To != "" && a.From > a.To {
		return failure.Param("from", "from (%s) is after to (%s)", a.From, a.To)
	}
	if a.Name == "" {
		a.Name = a.Query
		if a.Name == "" {
			a.Name = describeFilters(a.Filters)
		}
		if a.Name == "" && a.Series != "" {
			a.Name = "Changes in " + a.Series
		}
	}
	if len([]rune(a.Name)) > MaxNameLength {
		return failure.Param("name", "name is longer than %d characters", MaxNameLength)
	}
	if a.Email != "" {
		addr, err := mail.ParseAddress(a.Email)
		if err != nil || addr.Name != "" || addr.Address != a.Email {
			return failure.Param("email", "email %q is not a plain e-mail address", a.Email)
		}
	}
	if a.WebhookURL != "" {
		if err := checkWebhookURL(a.WebhookURL, allowPrivate); err != nil {
			return err
		}
	}
	switch a.Frequency {
	case "":
		a.Frequency = Immediate
	case Immediate, Daily, Weekly:
	default:
		return failure.Param("frequency", "frequency must be %s, %s or %s, not %q", Immediate, Daily, Weekly, a.Frequency)
	}
	return nil
}

func describeFilters(f map[string][]string) string {
	var parts []string
	for _, k := range indexer.FacetNames {
		if vs := f[k]; len(vs) > 0 {
			parts = append(parts, fmt.Sprintf("%s: %s", k, strings.Join(vs, ", ")))
		}
	}
	return strings.Join(parts, "; ")
}
