package alert

import (
	"bytes"
	"crypto/subtle"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"strings"
	"time"

	"dialoguesearch/failure"
)

// Double opt-in: an alert's email address receives nothing but a
// confirmation message until the link in it is followed, so nobody can
// subscribe someone else's address. The unsubscribe link of every mail
// (with its own code, not the manage token) removes the address without
// any login.

// ErrEmailPending is the reason a digest is not sent: the address is not
// confirmed yet.
var ErrEmailPending = failure.New(failure.Forbidden, "the email address is not confirmed yet")

// needsConfirmation starts (again) the confirmation of a's address when it
// changed: a new code, and the address pending until it is confirmed.
func (s *Service) needsConfirmation(a *Alert, oldEmail string) bool {
	if a.Email == "" {
		a.EmailPending, a.ConfirmCode = false, ""
		return false
	}
	if strings.EqualFold(a.Email, oldEmail) && !a.EmailPending {
		return false
	}
	if !strings.EqualFold(a.Email, oldEmail) || a.ConfirmCode == "" {
		a.ConfirmCode = newSecret()
	}
	a.EmailPending = true
	if a.UnsubscribeCode == "" {
		a.UnsubscribeCode = newSecret()
	}
	return true
}

// sendConfirmation mails the confirmation link to a's pending address.
func (s *Service) sendConfirmation(a *Alert) error {
	if s.cfg.Mail.Addr == "" {
		return fmt.Errorf("alert: email: no SMTP server configured (--smtp-addr)")
	}
	link := alertURL(s.cfg.BaseURL, a.ID) + "/confirm?code=" + a.ConfirmCode
	var body strings.Builder
	fmt.Fprintf(&body, "Someone (we hope you) asked for email from the dialoguesearch alert %q\n", a.Name)
	fmt.Fprintf(&body, "(search: %s) to be sent to this address.\n\n", describeSearch(a))
	fmt.Fprintf(&body, "To confirm, open this link and press the button:\n%s\n\n", link)
	body.WriteString("Until you do, no alert email goes to this address. If it was not you,\nignore this message: nothing more will come.\n")
	var msg bytes.Buffer
	hdr := func(k, v string) { fmt.Fprintf(&msg, "%s: %s\r\n", k, v) }
	hdr("From", s.cfg.Mail.From)
	hdr("To", a.Email)
	hdr("Subject", mime.QEncoding.Encode("utf-8", "[dialoguesearch] Confirm your email for the alert "+a.Name))
	hdr("Date", s.cfg.Now().Format(time.RFC1123Z))
	hdr("Message-ID", "<confirm-"+a.ID+"-"+newSecret()[:8]+"@dialoguesearch>")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", `text/plain; charset="utf-8"`)
	hdr("Content-Transfer-Encoding", "quoted-printable")
	hdr("Auto-Submitted", "auto-generated")
	msg.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&msg)
	qp.Write([]byte(strings.ReplaceAll(body.String(), "\n", "\r\n")))
	qp.Close()
	return sendMail(s.cfg.Mail, a.Email, msg.Bytes())
}

// ResendConfirmation mails the confirmation link again (the owner's
// "resend" button).
func (s *Service) ResendConfirmation(id, token string) error {
	a, err := s.authorize(id, token)
	if err != nil {
		return err
	}
	if !a.EmailPending {
		return failure.New(failure.BadInput, "there is no address waiting for confirmation")
	}
	return s.sendConfirmation(a)
}

// ConfirmEmail confirms the pending address of alert id with the code from
// the confirmation mail; digests are sent to it from now on.
func (s *Service) ConfirmEmail(id, code string) (*View, error) {
	a, err := s.store.Alert(id)
	if err != nil {
		return nil, err
	}
	if !a.EmailPending {
		if code != "" && a.Email != "" && a.ConfirmCode == "" {
			return s.view(a, 0), nil // confirmed already (a second click)
		}
		return nil, failure.New(failure.NotFound, "this confirmation link is no longer valid")
	}
	if code == "" || subtle.ConstantTimeCompare([]byte(code), []byte(a.ConfirmCode)) != 1 {
		return nil, failure.New(failure.NotFound, "this confirmation link is not valid (the address may have changed since it was sent)")
	}
	a.EmailPending, a.ConfirmCode = false, ""
	a.Updated = s.cfg.Now().UTC()
	if err := s.store.PutAlert(a); err != nil {
		return nil, err
	}
	return s.view(a, 0), nil
}

// UnsubscribeInfo returns the alert behind an unsubscribe link, checking
// its code.
func (s *Service) UnsubscribeInfo(id, code string) (*View, error) {
	a, err := s.store.Alert(id)
	if err != nil {
		return nil, err
	}
	if code == "" || a.UnsubscribeCode == "" || subtle.ConstantTimeCompare([]byte(code), []byte(a.UnsubscribeCode)) != 1 {
		return nil, failure.New(failure.NotFound, "this unsubscribe link is not valid")
	}
	return s.view(a, 0), nil
}

// Unsubscribe removes the email address of alert id (the link in every
// mail, or a one-click List-Unsubscribe POST); the alert, its feed and
// webhook go on.
func (s *Service) Unsubscribe(id, code string) error {
	if _, err := s.UnsubscribeInfo(id, code); err != nil {
		return err
	}
	a, err := s.store.Alert(id)
	if err != nil {
		return err
	}
	a.Email, a.EmailPending, a.ConfirmCode = "", false, ""
	a.Updated = s.cfg.Now().UTC()
	return s.store.PutAlert(a)
}

// unsubscribeURL is the link every digest carries.
func unsubscribeURL(base string, a *Alert) string {
	return alertURL(base, a.ID) + "/unsubscribe?code=" + a.UnsubscribeCode
}
