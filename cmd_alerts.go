package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"

	"dialoguesearch/alert"
	"dialoguesearch/app"
	"dialoguesearch/failure"
)

const alertsUsage = `usage: dialoguesearch alerts <list|run|deliver> [flags]

  list      print every saved alert and the delivery outbox
  run       check the alerts against indexed paragraphs they have not seen yet
            (catch-up after a crash or a restored backup), then deliver
  deliver   send what is due: pending webhooks (with retries) and email digests;
            for cron when no server runs

A running server does all of this itself and holds the data dir; these
commands then say so and change nothing.
`

// openAlerts opens the alert service of the data dir alone.
func openAlerts(c Config, log *slog.Logger) (*alert.Service, error) {
	return app.OpenAlerts(c.App.DataDir, c.appConfig(log, c.baseURL()).Alerts)
}

func cmdAlerts(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stderr, alertsUsage)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	sub := args[0]
	if sub != "list" && sub != "run" && sub != "deliver" {
		fmt.Fprintf(stderr, "dialoguesearch alerts: unknown subcommand %q\n\n%s", sub, alertsUsage)
		return 2
	}
	cfg := defaultConfig()
	fset := newFlagSet("alerts "+sub, alertsUsage, stderr)
	cfg.bindData(fset)
	cfg.bindAlerts(fset)
	if code, ok := parseArgs(fset, args[1:], "dialoguesearch alerts", stderr); !ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	var err error
	switch sub {
	case "list":
		err = alertsList(cfg, log, stdout)
	case "run":
		err = alertsRun(ctx, cfg, log, stdout)
	case "deliver":
		err = alertsDeliver(ctx, cfg, log, stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "dialoguesearch alerts %s: %v\n", sub, err)
		return 1
	}
	return 0
}

func alertsList(cfg Config, log *slog.Logger, stdout io.Writer) error {
	svc, err := openAlerts(cfg, log)
	if err != nil {
		return err
	}
	defer svc.Close()
	vs, err := svc.List()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 2, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tQUERY\tCHANNELS\tMATCHES\tSTATUS\tCREATED")
	for _, v := range vs {
		ch := []string{"feed"}
		if v.Email != "" {
			ch = append(ch, "email:"+v.Frequency)
		}
		if v.WebhookURL != "" {
			ch = append(ch, "webhook")
		}
		status := "active"
		if !v.Active {
			status = "stopped"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", v.ID, v.Name, v.Query, strings.Join(ch, ","),
			v.Matches, status, v.Created.Format("2006-01-02"))
	}
	tw.Flush()
	box, err := svc.Store().Outbox()
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\n%d alerts; %d deliveries pending\n", len(vs), len(box))
	for _, d := range box {
		state := "next " + d.NextAt.Format("2006-01-02 15:04:05")
		if d.Dead {
			state = "dead (gave up)"
		}
		fmt.Fprintf(stdout, "  %s %s %d matches, %d attempts, %s", d.Channel, d.Key, d.Count(), d.Attempts, state)
		if d.LastError != "" {
			fmt.Fprintf(stdout, ": %s", d.LastError)
		}
		fmt.Fprintln(stdout)
	}
	return nil
}

func alertsRun(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	a, err := app.Open(cfg.appConfig(log, cfg.baseURL()), log)
	if err != nil {
		if failure.KindOf(err) == failure.Unavailable {
			return fmt.Errorf("%v; a running server checks alerts itself", err)
		}
		return err
	}
	defer a.Close(context.Background())
	paras, n, err := a.CatchUp(ctx)
	if err != nil {
		return err
	}
	svc, err := a.Alerts()
	if err != nil {
		return err
	}
	rep, err := svc.DeliverDue(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "checked %d paragraphs: %d new matches; %d notifications sent, %d failed\n", paras, n, rep.Sent, rep.Failed)
	return nil
}

func alertsDeliver(ctx context.Context, cfg Config, log *slog.Logger, stdout io.Writer) error {
	svc, err := openAlerts(cfg, log)
	if err != nil {
		return err
	}
	defer svc.Close()
	rep, err := svc.DeliverDue(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d digests queued; %d notifications sent, %d failed (retried later), %d given up\n", rep.Queued, rep.Sent, rep.Failed, rep.Dead)
	return nil
}
