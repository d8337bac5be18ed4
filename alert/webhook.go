package alert

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"dialoguesearch/failure"
)

// Webhook headers.
const (
	// SignatureHeader carries "sha256=" + hex(HMAC-SHA256(alert's webhook
	// secret, body)).
	SignatureHeader = "X-Dialoguesearch-Signature"
	// IdempotencyHeader carries the delivery's key: the same on every retry,
	// so a receiver acts on each key once.
	IdempotencyHeader = "Idempotency-Key"
)

// WebhookPayload is the JSON body POSTed to an alert's webhook.
type WebhookPayload struct {
	Alert   PayloadAlert `json:"alert"`
	Matches []Match      `json:"matches"`
}

// PayloadAlert says which alert fired and why.
type PayloadAlert struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Search
	URL     string `json:"url"`
	FeedURL string `json:"feed_url"`
}

// Sign returns the signature header value of body under secret.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// VerifySignature reports whether header is body's signature under secret;
// receivers can use it as written.
func VerifySignature(secret string, body []byte, header string) bool {
	return hmac.Equal([]byte(header), []byte(Sign(secret, body)))
}

// errPrivateTarget is returned when a webhook would reach a private,
// loopback or otherwise internal address.
var errPrivateTarget = errors.New("private or loopback address")

// forbiddenIP reports whether ip is not a public unicast address: loopback,
// private, link-local, CGNAT, benchmarking (198.18.0.0/15), reserved and
// broadcast (240.0.0.0/4), unspecified, multicast, and the IPv6 forms that
// carry an IPv4 address a host or a gateway would reach: IPv4-mapped,
// IPv4-compatible (::a.b.c.d), 6to4 (2002::/16) with a forbidden address
// inside, and NAT64 (64:ff9b::/96, 64:ff9b:1::/48), which is refused whole
// since a translator may reach any IPv4 address behind it.
func forbiddenIP(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() ||
		ip.IsUnspecified() {
		return true
	}
	for _, p := range forbiddenPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	if ip.Is6() {
		b := ip.As16()
		switch {
		case ipv4Compatible.Contains(ip):
			// ::a.b.c.d, deprecated, still routed to a.b.c.d by some stacks.
			return forbiddenIP(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFour.Contains(ip):
			return forbiddenIP(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	return false
}

var (
	forbiddenPrefixes = []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"),
		netip.MustParsePrefix("100.64.0.0/10"),
		netip.MustParsePrefix("192.0.0.0/24"),
		netip.MustParsePrefix("198.18.0.0/15"),
		netip.MustParsePrefix("240.0.0.0/4"), // reserved, and 255.255.255.255
		netip.MustParsePrefix("64:ff9b::/96"),
		netip.MustParsePrefix("64:ff9b:1::/48"),
	}
	ipv4Compatible = netip.MustParsePrefix("::/96")
	sixToFour      = netip.MustParsePrefix("2002::/16")
)

// checkWebhookURL validates an alert's webhook URL when it is saved: http(s),
// a host, no credentials, and (unless allowPrivate) a host whose addresses
// are all public. The addresses are checked again at every delivery, since
// DNS may change.
func checkWebhookURL(raw string, allowPrivate bool) error {
	if len(raw) > MaxURLLength {
		return failure.Param("webhook_url", "webhook_url is longer than %d characters", MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return failure.Param("webhook_url", "webhook_url must be an absolute http or https URL")
	}
	if u.User != nil {
		return failure.Param("webhook_url", "webhook_url must not carry credentials; the payload is signed instead")
	}
	if allowPrivate {
		return nil
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return failure.Param("webhook_url", "webhook_url points at this machine (%s); private and loopback targets are not allowed", host)
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if forbiddenIP(ip) {
			return failure.Param("webhook_url", "webhook_url points at a private or loopback address (%s); not allowed", host)
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	if err != nil || len(addrs) == 0 {
		return failure.Param("webhook_url", "webhook_url host %q does not resolve", host)
	}
	for _, ip := range addrs {
		if forbiddenIP(ip) {
			return failure.Param("webhook_url", "webhook_url host %q resolves to a private or loopback address (%s); not allowed", host, ip)
		}
	}
	return nil
}

// newWebhookClient returns the HTTP client for webhooks. Unless allowPrivate,
// its dialer refuses, after name resolution, any connection to a private or
// loopback address (so DNS rebinding cannot reach internal services); it
// never follows redirects.
func newWebhookClient(allowPrivate bool, timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: timeout}
	if !allowPrivate {
		dialer.Control = func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("alert: webhook dial %s: %w", address, err)
			}
			if forbiddenIP(ap.Addr()) {
				return fmt.Errorf("alert: webhook target %s: %w", ap.Addr(), errPrivateTarget)
			}
			return nil
		}
	}
	tr := &http.Transport{
		Proxy:               nil, // a proxy would hide the real target from the check above
		DialContext:         dialer.DialContext,
		TLSHandshakeTimeout: timeout,
		MaxIdleConns:        10,
		IdleConnTimeout:     30 * time.Second,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// postWebhook sends one delivery. Any answer but 2xx is a failure (retried).
func postWebhook(ctx context.Context, client *http.Client, a *Alert, d *Delivery, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.WebhookURL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("alert: webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "dialoguesearch-alerts/1")
	req.Header.Set(SignatureHeader, Sign(a.WebhookSecret, body))
	req.Header.Set(IdempotencyHeader, d.Key)
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("alert: webhook %s: %w", a.ID, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("alert: webhook %s: receiver answered %s", a.ID, resp.Status)
	}
	return nil
}

// webhookBody is the payload of d, deterministic so every retry signs the
// same bytes.
func webhookBody(p PayloadAlert, ms []Match) ([]byte, error) {
	return json.Marshal(WebhookPayload{Alert: p, Matches: ms})
}
