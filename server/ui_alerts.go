package server

import (
	"html/template"
	"math"
	"net/http"
	"net/url"
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
	Filters     []hidden
	Describe    string
	Preview     *alert.Preview
	Error       string
	Name        string
	Email       string
	Webhook     string
	Frequency   string
}

type alertPage struct {
	chrome
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
	for _, f := range indexer.FacetNames {
		for _, v := range in.Filters[f] {
			p.Filters = append(p.Filters, hidden{Name: f, Value: v})
		}
	}
	svc, serr := s.app.Alerts()
	idx, ierr := s.app.Index()
	if serr == nil && ierr == nil && (in.Query != "" || len(in.Filters) > 0) {
		pv, err := svc.Preview(c.Request().Context(), idx, in)
		if err != nil {
			p.Error = failure.Message(err)
		} else {
			p.Preview = pv
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
		p.Notice = "This alert is stopped: it no longer checks new records nor sends anything. Resume it below."
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
	in := alert.Input{
		Settings: alert.Settings{Name: form.Get("name"), Email: form.Get("email"), WebhookURL: form.Get("webhook_url"),
			Frequency: form.Get("frequency"), Active: form.Get("active") != ""},
		Set: map[string]bool{"name": true, "email": true, "webhook_url": true, "frequency": true, "active": true},
	}
	if _, err := svc.Update(id, tok, in); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/alerts/"+id+"?notice=saved&token="+url.QueryEscape(tok))
}

func (s *Server) handleUIAlertDelete(c echo.Context) error {
	svc, err := s.alertService()
	if err != nil {
		return err
	}
	id := c.Param("id")
	if err := svc.Delete(id, credential(c)); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "alerts", myAlertsPage{chrome: chrome{Nav: "alerts"}, Deleted: id})
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
	return c.Redirect(http.StatusSeeOther, "/alerts/"+id+"?notice=stopped&token="+url.QueryEscape(tok))
}

type myAlertsPage struct {
	chrome
	Deleted string // id of an alert just deleted: the browser forgets it
}

// handleUIMyAlerts is "My alerts": the page's script lists the alerts whose
// tokens this browser remembers, reading each from the API.
func (s *Server) handleUIMyAlerts(c echo.Context) error {
	if _, err := s.alertService(); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "alerts", myAlertsPage{chrome: chrome{Nav: "alerts"}})
}
