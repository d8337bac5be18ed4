package server

import (
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"dialoguesearch/alert"
	"dialoguesearch/failure"
	"dialoguesearch/indexer"
)

// The alert pages: "Save as alert" (/alerts/new), an alert's page
// (/alerts/{id}?token=...), its stop page, and "My alerts" (/alerts), which
// lists the alerts this browser remembers (their tokens live in
// localStorage; the server keeps no session).

type alertNewPage struct {
	chrome
	Q, From, To string
	Filters     []carried
	Latest      []previewItem
	Describe    string
	Preview     *alert.Preview
	Error       string
	Name        string
	Email       string
	Webhook     string
	Frequency   string
}

// carried is a filter an alert's form carries, with its label, as a box
// the user may untick to drop it.
type carried struct {
	Name, Value, Label, ValueLabel string
}

// previewItem is one of the newest paragraphs a search would have matched.
type previewItem struct {
	indexer.Hit
	Snippet template.HTML
	URL     string
}

// carriedFilters lists an alert's facet filters and dates as boxes.
func carriedFilters(filters map[string][]string, from, to string) []carried {
	var out []carried
	for _, f := range indexer.FacetNames {
		for _, v := range filters[f] {
			out = append(out, carried{Name: f, Value: v, Label: facetLabels[f], ValueLabel: facetValueLabel(f, v)})
		}
	}
	if from != "" {
		out = append(out, carried{Name: "from", Value: from, Label: "From", ValueLabel: from})
	}
	if to != "" {
		out = append(out, carried{Name: "to", Value: to, Label: "To", ValueLabel: to})
	}
	return out
}

type alertPage struct {
	chrome
	Carried    []carried
	SeriesList []string // a series watch's choices
	Track      string   // its tracked phrases, one a line
	Alert      *alert.View
	Token      string
	Created    bool
	Notice     string
	Search     string // the alert's search as a /?... link, for past matches
	Describe   string
	Matches    []alertMatchView
	Total      int
	PrevURL    string
	NextURL    string
	FilterText string
}

type alertMatchView struct {
	alert.Match
	Snippet template.HTML
}

// inputFromForm reads the alert fields of a search or creation form.
func inputFromForm(v url.Values) alert.Input {
	in := alert.Input{Settings: alert.Settings{
		Name:   v.Get("name"),
		Search: alert.Search{Query: strings.TrimSpace(v.Get("q")), From: strings.TrimSpace(v.Get("from")), To: strings.TrimSpace(v.Get("to"))},
		Email:  v.Get("email"), WebhookURL: v.Get("webhook_url"), Frequency: v.Get("frequency"),
	}}
	// a series watch: the series, and tracked phrases one a line
	in.Series = strings.TrimSpace(v.Get("watch"))
	for _, line := range strings.Split(v.Get("track"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			in.Track = append(in.Track, line)
		}
	}
	for _, f := range indexer.FacetNames {
		for _, val := range v[f] {
			if val = strings.TrimSpace(val); val != "" {
				if in.Filters == nil {
					in.Filters = map[string][]string{}
				}
				in.Filters[f] = append(in.Filters[f], val)
			}
		}
	}
	return in
}

func (s *Server) newAlertPage(c echo.Context, in alert.Input) alertNewPage {
	p := alertNewPage{
		chrome: chrome{Nav: "alerts"}, Q: in.Query, From: in.From, To: in.To,
		Name: in.Name, Email: in.Email, Webhook: in.WebhookURL, Frequency: in.Frequency,
	}
	p.Filters = carriedFilters(in.Filters, in.From, in.To)
	svc, serr := s.app.Alerts()
	idx, ierr := s.app.Index()
	if serr == nil && ierr == nil && (in.Query != "" || len(in.Filters) > 0) {
		pv, err := svc.Preview(c.Request().Context(), idx, in)
		if err != nil {
			p.Error = failure.Message(err)
		} else {
			p.Preview = pv
			for _, h := range pv.Latest {
				sn := template.HTML(h.SnippetHTML)
				if sn == "" {
					sn = template.HTML(template.HTMLEscapeString(h.Text))
				}
				p.Latest = append(p.Latest, previewItem{Hit: h, Snippet: sn, URL: paragraphPath(h.RecordID, h.N)})
			}
		}
	}
	return p
}

func (s *Server) handleUIAlertNew(c echo.Context) error {
	if _, err := s.alertService(); err != nil {
		return err
	}
	in := inputFromForm(c.QueryParams())
	return s.render(c, http.StatusOK, "alert_new", s.newAlertPage(c, in))
}

func (s *Server) handleUIAlertCreate(c echo.Context) error {
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return failure.Param("body", "malformed form")
	}
	in := inputFromForm(form)
	if err := s.allowAlertCreate(c); err != nil {
		return err
	}
	v, err := svc.Create(in)
	if err != nil {
		if failure.KindOf(err) == failure.BadInput && form.Has("watch") {
			p := s.myAlertsPage(in)
			p.Error = failure.Message(err)
			return s.render(c, http.StatusBadRequest, "alerts", p)
		}
		if failure.KindOf(err) == failure.BadInput {
			p := s.newAlertPage(c, in)
			p.Error = failure.Message(err)
			return s.render(c, http.StatusBadRequest, "alert_new", p)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/alerts/"+v.ID+"?created=1&token="+url.QueryEscape(v.ManageToken))
}

// handleAlertPage is /alerts/{id}?token=...: the alert, its matches, its
// feed link, and forms to edit, stop or delete it.
func (s *Server) handleAlertPage(c echo.Context) error {
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	id, tok := c.Param("id"), credential(c)
	v, err := svc.Get(id, tok)
	if err != nil {
		if failure.KindOf(err) == failure.Forbidden && tok == "" {
			return failure.New(failure.Forbidden, "This alert's page needs its link with the token: open it from an alert email, or from My alerts in the browser where you saved it.")
		}
		return err
	}
	page, err := intParam(c.QueryParams(), "page", 1, 1, math.MaxInt32)
	if err != nil {
		return err
	}
	const size = 20
	mp, err := svc.Matches(id, tok, page, size)
	if err != nil {
		return err
	}
	p := alertPage{
		chrome: chrome{Nav: "alerts"}, Alert: v, Token: tok, Created: c.QueryParam("created") == "1",
		Total: mp.Total, Search: "/?" + alertSearchParams(v).Encode(),
	}
	switch c.QueryParam("notice") {
	case "saved":
		p.Notice = "Changes saved."
	case "stopped":
		p.Notice = "This alert is paused: it no longer checks new records nor sends anything. Resume it below."
	case "resumed":
		p.Notice = "This alert is active again."
	case "resent":
		p.Notice = "The confirmation email was sent again."
	}
	p.Carried = carriedFilters(v.Filters, v.From, v.To)
	if v.Series != "" {
		p.SeriesList = s.seriesList(v.Series)
		p.Track = strings.Join(v.Track, "\n")
	}
	for _, m := range mp.Matches {
		p.Matches = append(p.Matches, alertMatchView{Match: m, Snippet: template.HTML(m.SnippetHTML)})
	}
	p.FilterText = describeAlertFilters(v)
	base := "/alerts/" + id + "?token=" + url.QueryEscape(tok) + "&"
	if page > 1 {
		p.PrevURL = base + "page=" + strconv.Itoa(page-1)
	}
	if page*size < mp.Total {
		p.NextURL = base + "page=" + strconv.Itoa(page+1)
	}
	return s.render(c, http.StatusOK, "alert", p)
}

func alertSearchParams(v *alert.View) url.Values {
	q := url.Values{}
	if v.Query != "" {
		q.Set("q", v.Query)
	}
	for _, f := range indexer.FacetNames {
		for _, val := range v.Filters[f] {
			q.Add(f, val)
		}
	}
	if v.From != "" {
		q.Set("from", v.From)
	}
	if v.To != "" {
		q.Set("to", v.To)
	}
	return q
}

func describeAlertFilters(v *alert.View) string {
	var parts []string
	for _, f := range indexer.FacetNames {
		if vals := v.Filters[f]; len(vals) > 0 {
			parts = append(parts, f+": "+strings.Join(vals, ", "))
		}
	}
	if v.From != "" || v.To != "" {
		parts = append(parts, "dates "+v.From+" – "+v.To)
	}
	return strings.Join(parts, "; ")
}

func (s *Server) handleUIAlertEdit(c echo.Context) error {
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	id, tok := c.Param("id"), credential(c)
	if _, err := svc.Get(id, tok); err != nil {
		return err
	}
	form, err := c.FormParams()
	if err != nil {
		return failure.Param("body", "malformed form")
	}
	// The form holds every field: the search, the filters still ticked
	// (the others are dropped), the dates, the channels.
	in := inputFromForm(form)
	filters := map[string][]string{}
	for _, f := range indexer.FacetNames {
		filters[f] = in.Filters[f] // nil removes the facet
	}
	in.Filters = filters
	in.Active = form.Get("active") != ""
	in.Set = map[string]bool{"name": true, "q": true, "filters": true, "from": true, "to": true,
		"email": true, "webhook_url": true, "frequency": true, "active": true}
	if form.Has("watch") {
		// a series watch's form: its series and tracked phrases instead
		// of a search (one set through the API is kept)
		in.Set = map[string]bool{"name": true, "watch": true, "track": true,
			"email": true, "webhook_url": true, "frequency": true, "active": true}
	}
	if _, err := svc.Update(id, tok, in); err != nil {
		return err
	}
	return redirectToAlert(c, id, tok, "saved")
}

func (s *Server) handleUIAlertDelete(c echo.Context) error {
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	id, tok := c.Param("id"), credential(c)
	if c.FormValue("confirm") != "1" {
		// Deleting loses the matches and the feed: ask first.
		v, err := svc.Get(id, tok)
		if err != nil {
			return err
		}
		return s.render(c, http.StatusOK, "alert_action", alertActionPage{
			chrome: chrome{Nav: "alerts"}, Heading: "Delete the alert “" + v.Name + "”?",
			Text:   "Its matches, its feed and its page go for good. To only stop it for a while, pause it instead.",
			Action: "/alerts/" + id + "/delete", Fields: []hidden{{"token", tok}, {"confirm", "1"}},
			Button: "Delete for good", Danger: true, Cancel: "/alerts/" + id + "?token=" + url.QueryEscape(tok),
		})
	}
	if err := svc.Delete(id, tok); err != nil {
		return err
	}
	p := s.myAlertsPage(alert.Input{})
	p.Deleted = id
	return s.render(c, http.StatusOK, "alerts", p)
}

type alertStopPage struct {
	chrome
	Alert *alert.View
	Token string
}

// handleUIAlertStopPage is the stop link of every email: a confirmation
// page, so that a mail scanner following links does not stop the alert.
func (s *Server) handleUIAlertStopPage(c echo.Context) error {
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	tok := credential(c)
	v, err := svc.Get(c.Param("id"), tok)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "alert_stop", alertStopPage{chrome: chrome{Nav: "alerts"}, Alert: v, Token: tok})
}

func (s *Server) handleUIAlertStop(c echo.Context) error {
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	id, tok := c.Param("id"), credential(c)
	if err := svc.Stop(id, tok); err != nil {
		return err
	}
	return redirectToAlert(c, id, tok, "stopped")
}

type myAlertsPage struct {
	chrome
	Deleted string // id of an alert just deleted: the browser forgets it
	// the form of a new series watch
	SeriesList []string
	Watch      alert.Input
	Track      string
	Error      string
}

// handleUIMyAlerts is "My alerts": the page's script lists the alerts whose
// tokens this browser remembers, reading each from the API; below, the
// form of a new series watch.
func (s *Server) handleUIMyAlerts(c echo.Context) error {
	if _, err := s.alertService(); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "alerts", s.myAlertsPage(alert.Input{Settings: alert.Settings{Search: alert.Search{Series: c.QueryParam("watch")}}}))
}

func (s *Server) myAlertsPage(in alert.Input) myAlertsPage {
	return myAlertsPage{chrome: chrome{Nav: "alerts"}, SeriesList: s.seriesList(in.Series), Watch: in, Track: strings.Join(in.Track, "\n")}
}

// seriesList is the meeting series of the indexed records, by name, with
// keep (an alert's series) among them even when no record has it yet.
func (s *Server) seriesList(keep string) []string {
	var out []string
	if idx, err := s.app.Index(); err == nil {
		if recs, err := idx.Records(); err == nil {
			for _, r := range recs {
				if r.Meeting.Series != "" && !slices.Contains(out, r.Meeting.Series) {
					out = append(out, r.Meeting.Series)
				}
			}
		}
	}
	if keep != "" && !slices.ContainsFunc(out, func(v string) bool { return strings.EqualFold(v, keep) }) {
		out = append(out, keep)
	}
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return out
}

// alertActionPage is a one-question page: confirm an address, unsubscribe
// it, delete an alert; or the answer once done.
type alertActionPage struct {
	chrome
	Heading, Text string
	Action        string // POST target; "" when there is nothing to do
	Fields        []hidden
	Button        string
	Danger        bool
	Cancel        string
}

func (s *Server) handleUIAlertResume(c echo.Context) error {
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	id, tok := c.Param("id"), credential(c)
	if _, err := svc.Update(id, tok, alert.Input{Settings: alert.Settings{Active: true}, Set: map[string]bool{"active": true}}); err != nil {
		return err
	}
	return redirectToAlert(c, id, tok, "resumed")
}

func (s *Server) handleUIAlertResend(c echo.Context) error {
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	id, tok := c.Param("id"), credential(c)
	if err := svc.ResendConfirmation(id, tok); err != nil {
		return err
	}
	return redirectToAlert(c, id, tok, "resent")
}

// handleUIAlertConfirm is the link of the confirmation email: GET asks (a
// mail scanner that follows links confirms nothing), POST confirms.
func (s *Server) handleUIAlertConfirm(c echo.Context) error {
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	id, code := c.Param("id"), c.QueryParam("code")
	if code == "" {
		code = c.FormValue("code")
	}
	page := alertActionPage{chrome: chrome{Nav: "alerts"}}
	if c.Request().Method != http.MethodPost {
		page.Heading = "Confirm your email address"
		page.Text = "Press the button to receive this alert's email. Until then, nothing is sent to the address."
		page.Action = "/alerts/" + id + "/confirm"
		page.Fields = []hidden{{"code", code}}
		page.Button = "Confirm my address"
		return s.render(c, http.StatusOK, "alert_action", page)
	}
	v, err := svc.ConfirmEmail(id, code)
	if err != nil {
		return err
	}
	page.Heading = "Address confirmed"
	page.Text = "Alert “" + v.Name + "” will email " + v.Email + " (" + v.Frequency + ") when new records match. Every email has a link to unsubscribe."
	return s.render(c, http.StatusOK, "alert_action", page)
}

// handleUIAlertUnsubscribe is the unsubscribe link of every email (no
// login: its code is the key): GET asks, POST removes the address. A mail
// client's one-click unsubscribe (RFC 8058) POSTs to the same URL.
func (s *Server) handleUIAlertUnsubscribe(c echo.Context) error {
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	id, code := c.Param("id"), c.QueryParam("code")
	if code == "" {
		code = c.FormValue("code")
	}
	v, err := svc.UnsubscribeInfo(id, code)
	if err != nil {
		return err
	}
	page := alertActionPage{chrome: chrome{Nav: "alerts"}}
	if c.Request().Method != http.MethodPost {
		page.Heading = "Unsubscribe " + v.Email + "?"
		page.Text = "No more email from the alert “" + v.Name + "” will go to this address. The alert itself (its feed and page) goes on for its owner."
		page.Action = "/alerts/" + id + "/unsubscribe"
		page.Fields = []hidden{{"code", code}}
		page.Button = "Unsubscribe"
		return s.render(c, http.StatusOK, "alert_action", page)
	}
	if err := svc.Unsubscribe(id, code); err != nil {
		return err
	}
	page.Heading = "Unsubscribed"
	page.Text = "No more email from the alert “" + v.Name + "” will go to " + v.Email + "."
	return s.render(c, http.StatusOK, "alert_action", page)
}

// redirectToAlert answers an alert action with the alert's page, carrying the
// manage token and a notice that says what was done.
func redirectToAlert(c echo.Context, id, tok, notice string) error {
	return c.Redirect(http.StatusSeeOther, "/alerts/"+id+"?notice="+notice+"&token="+url.QueryEscape(tok))
}
