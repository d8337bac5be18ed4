package alert

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"html"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"regexp"
	"strings"
	"time"
)

// MailConfig is how to reach the SMTP server for alert email.
type MailConfig struct {
	Addr     string // host:port; "" disables email delivery
	Username string // with Password: AUTH PLAIN after STARTTLS
	Password string
	From     string
	// Insecure allows a server without STARTTLS (a local relay); by default
	// mail is never sent, nor credentials offered, in the clear.
	Insecure bool
	// TLS overrides the STARTTLS configuration (tests add their CA).
	TLS *tls.Config
	// Timeout bounds one whole SMTP conversation.
	Timeout time.Duration
}

// sendMail delivers one message through the configured server with
// STARTTLS and AUTH PLAIN.
func sendMail(cfg MailConfig, to string, msg []byte) error {
	if cfg.Addr == "" {
		return errors.New("alert: email: no SMTP server configured (--smtp-addr)")
	}
	host, _, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return fmt.Errorf("alert: email: smtp address %q: %w", cfg.Addr, err)
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	conn, err := net.DialTimeout("tcp", cfg.Addr, timeout)
	if err != nil {
		return fmt.Errorf("alert: email: %w", err)
	}
	conn.SetDeadline(time.Now().Add(timeout))
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("alert: email: %w", err)
	}
	defer c.Close()
	if err := c.Hello("localhost"); err != nil {
		return fmt.Errorf("alert: email: HELO: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		tc := cfg.TLS
		if tc == nil {
			tc = &tls.Config{}
		}
		tc = tc.Clone()
		if tc.ServerName == "" {
			tc.ServerName = host
		}
		if err := c.StartTLS(tc); err != nil {
			return fmt.Errorf("alert: email: STARTTLS: %w", err)
		}
	} else if !cfg.Insecure {
		return fmt.Errorf("alert: email: %s does not offer STARTTLS (set --smtp-insecure to send in the clear)", cfg.Addr)
	}
	if cfg.Username != "" {
		if ok, _ := c.Extension("AUTH"); !ok {
			return fmt.Errorf("alert: email: %s does not offer AUTH", cfg.Addr)
		}
		if err := c.Auth(plainAuth{cfg.Username, cfg.Password, host, cfg.Insecure}); err != nil {
			return fmt.Errorf("alert: email: AUTH: %w", err)
		}
	}
	if err := c.Mail(cfg.From); err != nil {
		return fmt.Errorf("alert: email: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("alert: email: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("alert: email: DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("alert: email: DATA: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("alert: email: DATA: %w", err)
	}
	return c.Quit()
}

// plainAuth is AUTH PLAIN (RFC 4616). Unlike smtp.PlainAuth it also allows a
// non-TLS connection to any host when the operator said Insecure.
type plainAuth struct {
	username, password, host string
	insecure                 bool
}

func (a plainAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS && !a.insecure {
		return "", nil, errors.New("refusing to send credentials without TLS")
	}
	if server.Name != a.host {
		return "", nil, errors.New("wrong host name")
	}
	return "PLAIN", []byte("\x00" + a.username + "\x00" + a.password), nil
}

func (a plainAuth) Next(_ []byte, more bool) ([]byte, error) {
	if more {
		return nil, errors.New("unexpected server challenge")
	}
	return nil, nil
}

var tagRE = regexp.MustCompile(`<[^>]*>`)

// plainSnippet turns a highlighted snippet into text: <mark>x</mark> -> [x].
func plainSnippet(h string) string {
	h = strings.NewReplacer("<mark>", "[", "</mark>", "]").Replace(h)
	return html.UnescapeString(tagRE.ReplaceAllString(h, ""))
}

// digest builds the email for delivery d of alert a: why it fired (name,
// query), each match's snippet and link, and links to the alert's page and
// to stop it. It is a plain-text, quoted-printable, UTF-8 message.
func digest(cfg MailConfig, a *Alert, ms []Match, baseURL, msgID string, now time.Time) []byte {
	var body strings.Builder
	n := len(ms)
	plural := "es"
	if n == 1 {
		plural = ""
	}
	fmt.Fprintf(&body, "Your alert %q found %d new match%s.\n", a.Name, n, plural)
	fmt.Fprintf(&body, "Search: %s\n\n", describeSearch(a))
	for i, m := range ms {
		fmt.Fprintf(&body, "%d. %s\n", i+1, entryTitle(m))
		if m.Meeting.Name != "" {
			fmt.Fprintf(&body, "   %s", m.Meeting.Name)
			if m.Section != "" {
				fmt.Fprintf(&body, ", %s", m.Section)
			}
			body.WriteString("\n")
		}
		snippet := plainSnippet(m.SnippetHTML)
		if snippet == "" {
			snippet = m.Text
		}
		fmt.Fprintf(&body, "   %s\n", snippet)
		if len(m.Expansions) > 0 {
			fmt.Fprintf(&body, "   (matched through %s)\n", strings.Join(m.Expansions, "; "))
		}
		fmt.Fprintf(&body, "   %s\n\n", paragraphURL(baseURL, m.RecordID, m.N))
	}
	fmt.Fprintf(&body, "Alert page: %s?token=%s\n", alertURL(baseURL, a.ID), a.ManageToken)
	fmt.Fprintf(&body, "Stop this alert: %s/stop?token=%s\n", alertURL(baseURL, a.ID), a.ManageToken)
	if a.UnsubscribeCode != "" {
		fmt.Fprintf(&body, "Unsubscribe this address (no login needed): %s\n", unsubscribeURL(baseURL, a))
	}
	fmt.Fprintf(&body, "Atom feed: %s\n", feedURL(baseURL, a.ID))

	subject := fmt.Sprintf("[dialoguesearch] %s: %d new match%s", a.Name, n, plural)
	var msg bytes.Buffer
	hdr := func(k, v string) { fmt.Fprintf(&msg, "%s: %s\r\n", k, v) }
	hdr("From", cfg.From)
	hdr("To", a.Email)
	hdr("Subject", mime.QEncoding.Encode("utf-8", subject))
	hdr("Date", now.Format(time.RFC1123Z))
	hdr("Message-ID", "<"+msgID+"@dialoguesearch>")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", `text/plain; charset="utf-8"`)
	hdr("Content-Transfer-Encoding", "quoted-printable")
	if a.UnsubscribeCode != "" {
		// RFC 8058: a mail client's one-click unsubscribe POSTs to it.
		hdr("List-Unsubscribe", "<"+unsubscribeURL(baseURL, a)+">")
		hdr("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	} else {
		hdr("List-Unsubscribe", "<"+alertURL(baseURL, a.ID)+"/stop?token="+a.ManageToken+">")
	}
	hdr("Auto-Submitted", "auto-generated")
	msg.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&msg)
	qp.Write([]byte(strings.ReplaceAll(body.String(), "\n", "\r\n")))
	qp.Close()
	return msg.Bytes()
}
