package alert

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"time"

	"dialoguesearch/failure"
)

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
		if a.Email == "" || a.EmailPending || !a.Active || !emailDue(a, now) {
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
	ms, err := s.store.matchRange(d.AlertID, d.First, d.Last)
	if err != nil {
		return err
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
		p := PayloadAlert{ID: a.ID, Name: a.Name, Search: a.Search,
			URL: alertURL(s.cfg.BaseURL, a.ID), FeedURL: feedURL(s.cfg.BaseURL, a.ID)}
		if p.Filters == nil {
			p.Filters = map[string][]string{} // {} rather than null
		}
		body, err := webhookBody(p, ms)
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
