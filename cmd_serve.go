package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"dialoguesearch/app"
	"dialoguesearch/server"
)

func init() { commands["serve"] = cmdServe }

// shutdownGrace is how long in-flight requests get to finish on SIGINT/SIGTERM.
const shutdownGrace = 15 * time.Second

// bindServe registers the serve command's flags (besides bindCommon).
func (c *Config) bindServe(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address host:port (port 0 picks a free one)")
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "public URL of the server, for links in alerts (default: from --addr)")
	fs.StringVar(&c.CORSOrigins, "cors-origins", c.CORSOrigins, "comma-separated origins allowed by CORS (default: CORS off)")
	fs.Float64Var(&c.RateLimit, "rate-limit", c.RateLimit, "requests per second per client (0: no limit)")
	fs.IntVar(&c.RateBurst, "rate-burst", c.RateBurst, "burst of requests per client")
	fs.DurationVar(&c.RequestTimeout, "request-timeout", c.RequestTimeout, "time limit of one request")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", c.MaxBodyBytes, "request body limit in bytes")
	fs.BoolVar(&c.TrustProxy, "trust-proxy", c.TrustProxy, "take the client address from X-Forwarded-For (behind a reverse proxy)")
	fs.BoolVar(&c.Watch, "watch", c.Watch, "watch the corpus directory for new record files")
	fs.StringVar(&c.AdminToken, "admin-token", c.AdminToken, "bearer token for ingest (POST /api/records) and the alert list (default: off)")
	fs.BoolVar(&c.WebhookAllowPrivate, "webhook-allow-private", c.WebhookAllowPrivate, "allow webhook targets on private and loopback addresses")
	fs.StringVar(&c.SMTPAddr, "smtp-addr", c.SMTPAddr, "SMTP server host:port for alert email (default: no email)")
	fs.StringVar(&c.SMTPUser, "smtp-user", c.SMTPUser, "SMTP user")
	fs.StringVar(&c.SMTPPassword, "smtp-password", c.SMTPPassword, "SMTP password")
	fs.StringVar(&c.SMTPFrom, "smtp-from", c.SMTPFrom, "sender address of alert email")
	fs.BoolVar(&c.SMTPInsecure, "smtp-insecure", c.SMTPInsecure, "allow SMTP without STARTTLS (local relays, tests)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn, error")
}

// serverConfig is the server's part of c.
func (c Config) serverConfig() server.Config {
	var origins []string
	for _, o := range strings.Split(c.CORSOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			origins = append(origins, o)
		}
	}
	return server.Config{
		CORSOrigins: origins, RateLimit: c.RateLimit, RateBurst: c.RateBurst,
		RequestTimeout: c.RequestTimeout, MaxBodyBytes: c.MaxBodyBytes, TrustProxy: c.TrustProxy,
		AdminToken: c.AdminToken,
	}
}

func cmdServe(args []string, stdout, stderr io.Writer) int {
	cfg := defaultConfig()
	fset := flag.NewFlagSet("serve", flag.ContinueOnError)
	fset.SetOutput(stderr)
	fset.Usage = func() {
		fmt.Fprint(stderr, "usage: dialoguesearch serve [flags]\n\n"+
			"Serves the web UI and JSON API. On first start the index is built in the\n"+
			"background; /readyz answers 503 until it is ready. Every flag can also be\n"+
			"set as DIALOGUESEARCH_<FLAG> (--data -> DIALOGUESEARCH_DATA).\n\n")
		fset.PrintDefaults()
	}
	cfg.bindCommon(fset)
	cfg.bindServe(fset)
	if err := parseFlags(fset, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(stderr, "dialoguesearch serve:", err)
		return 2
	}
	if fset.NArg() > 0 {
		fmt.Fprintf(stderr, "dialoguesearch serve: unexpected argument %q\n", fset.Arg(0))
		return 2
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		fmt.Fprintf(stderr, "dialoguesearch serve: --log-level: %v\n", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if err := serve(cfg, log, stdout); err != nil {
		fmt.Fprintln(stderr, "dialoguesearch serve:", err)
		return 1
	}
	return 0
}

// serve runs the server until SIGINT or SIGTERM.
func serve(cfg Config, log *slog.Logger, stdout io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	url := "http://" + ln.Addr().String()
	baseURL := url
	if cfg.BaseURL != "" {
		baseURL = strings.TrimRight(cfg.BaseURL, "/")
	}
	// Opening is quick (a version change only empties the index); the slow
	// part, indexing the corpus, runs in the background (App.Start). A data
	// dir held by another process fails here, before anything is served.
	a, err := app.Open(cfg.appConfig(log, baseURL), log)
	if err != nil {
		ln.Close()
		return err
	}
	srv := server.New(cfg.serverConfig(), server.Deps{Logger: log, App: a})
	fmt.Fprintf(stdout, "dialoguesearch: serving %s (API: %s/api/search, docs: %s/api/openapi.json)\n", url, url, url)

	start := time.Now()
	a.Start(ctx, func(up app.Update, err error) {
		for _, p := range up.Skipped {
			log.Warn("record skipped", "file", p.File, "err", p.Err)
		}
		if err != nil {
			log.Error("index build failed", "err", err)
			return
		}
		if up.AlertErr != nil {
			log.Error("alerts: check new paragraphs", "err", up.AlertErr)
		}
		idx, _ := a.Index()
		st := idx.Stats()
		log.Info("index ready", "records", st.Records, "paragraphs", st.Paragraphs,
			"added", up.Added, "changed", up.Changed, "removed", up.Removed,
			"took", time.Since(start).Round(time.Millisecond))
		fmt.Fprintf(stdout, "dialoguesearch: index ready (%d records, %d paragraphs) at %s\n", st.Records, st.Paragraphs, url)
	})

	served := make(chan error, 1)
	go func() { served <- srv.Start(ln) }()

	var serveErr error
	stopped := false
	select {
	case <-ctx.Done():
		log.Info("shutting down", "grace", shutdownGrace)
	case serveErr = <-served:
		stopped = true
	}
	shCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err = srv.Shutdown(shCtx)              // finishes in-flight requests
	err = errors.Join(err, a.Close(shCtx)) // stops the build, watcher and deliverer, closes the data dir
	if !stopped {
		serveErr = <-served
	}
	if err = errors.Join(serveErr, err); err != nil {
		return err
	}
	log.Info("stopped cleanly")
	return nil
}
