package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"dialoguesearch/alert"
	"dialoguesearch/app"
	"dialoguesearch/server"
)

// Config is every setting of the program: the packages' own configurations
// plus the few the commands read themselves. It is filled from flags first,
// then from DIALOGUESEARCH_* environment variables (flag --data is
// DIALOGUESEARCH_DATA), then defaults. Each flag is declared once, in one of
// the bind methods below; a command binds the groups it uses.
type Config struct {
	Addr     string // serve: listen address; alert links derive from it when BaseURL is ""
	BaseURL  string // public URL of the server, for links in alerts
	LogLevel string // debug, info, warn, error
	// serve: CPU and heap profiles of the start, written once its build
	// (and the alerts' check of what it brought in) is done ("" none)
	CPUProfile, HeapProfile string

	App    app.Config    // data dir, corpus, watcher, alert delivery (App.Alerts)
	Server server.Config // HTTP limits, CORS, admin token
}

// defaultConfig makes `go tool task run` work with no configuration at all.
func defaultConfig() Config {
	return Config{
		Addr:     "127.0.0.1:8080",
		LogLevel: "info",
		App: app.Config{
			DataDir: "data",
			Alerts:  alert.Config{Mail: alert.MailConfig{From: "dialoguesearch@localhost"}},
		},
		Server: server.Config{
			RateLimit:      50,
			RateBurst:      100,
			RequestTimeout: 10 * time.Second,
			MaxBodyBytes:   server.DefaultMaxBodyBytes,
		},
	}
}

// bindData registers the flags of every command that touches the data dir.
func (c *Config) bindData(fs *flag.FlagSet) {
	fs.StringVar(&c.App.CorpusDir, "corpus", c.App.CorpusDir, "directory of record files (default: the embedded corpus)")
	fs.StringVar(&c.App.DataDir, "data", c.App.DataDir, "data directory: index, alert store, ingested records")
}

// bindAlerts registers the flags of alert links and delivery: serve, index
// and alerts deliver.
func (c *Config) bindAlerts(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address host:port (port 0 picks a free one); links in alerts use it when --base-url is not set")
	fs.StringVar(&c.BaseURL, "base-url", c.BaseURL, "public URL of the server, for links in alerts (default: from --addr)")
	a := &c.App.Alerts
	fs.BoolVar(&a.WebhookAllowPrivate, "webhook-allow-private", a.WebhookAllowPrivate, "allow webhook targets on private and loopback addresses")
	fs.StringVar(&a.Mail.Addr, "smtp-addr", a.Mail.Addr, "SMTP server host:port for alert email (default: no email)")
	fs.StringVar(&a.Mail.Username, "smtp-user", a.Mail.Username, "SMTP user")
	fs.StringVar(&a.Mail.Password, "smtp-password", a.Mail.Password, "SMTP password")
	fs.StringVar(&a.Mail.From, "smtp-from", a.Mail.From, "sender address of alert email")
	fs.BoolVar(&a.Mail.Insecure, "smtp-insecure", a.Mail.Insecure, "allow SMTP without STARTTLS (local relays, tests)")
}

// bindServe registers the flags of the serve command alone: HTTP, the
// watcher and logging.
func (c *Config) bindServe(fs *flag.FlagSet) {
	s := &c.Server
	fs.Var((*listValue)(&s.CORSOrigins), "cors-origins", "comma-separated origins allowed by CORS (default: CORS off)")
	fs.Float64Var(&s.RateLimit, "rate-limit", s.RateLimit, "requests per second per client (0: no limit)")
	fs.IntVar(&s.RateBurst, "rate-burst", s.RateBurst, "burst of requests per client")
	fs.DurationVar(&s.RequestTimeout, "request-timeout", s.RequestTimeout, "time limit of one request")
	fs.Int64Var(&s.MaxBodyBytes, "max-body-bytes", s.MaxBodyBytes, "request body limit in bytes")
	fs.BoolVar(&s.TrustProxy, "trust-proxy", s.TrustProxy, "take the client address from X-Forwarded-For (behind a reverse proxy)")
	fs.StringVar(&s.AdminToken, "admin-token", s.AdminToken, "bearer token for ingest (POST /api/records) and the alert list (default: off)")
	fs.BoolVar(&c.App.Watch, "watch", c.App.Watch, "watch the corpus directory for new record files")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn, error")
	fs.StringVar(&c.CPUProfile, "cpuprofile", c.CPUProfile, "write a CPU profile of the start, up to the end of its index build and alert check, to this file")
	fs.StringVar(&c.HeapProfile, "heapprofile", c.HeapProfile, "write a heap profile (allocations since the start, what is live) to this file at the end of the start's index build and alert check")
}

// baseURL is the public URL for links in alerts.
func (c Config) baseURL() string {
	if c.BaseURL != "" {
		return strings.TrimRight(c.BaseURL, "/")
	}
	return "http://" + c.Addr
}

// appConfig is c.App with the alert links and logger set.
func (c Config) appConfig(log *slog.Logger, baseURL string) app.Config {
	ac := c.App
	ac.Alerts.BaseURL, ac.Alerts.Logger = baseURL, log
	return ac
}

// listValue is a comma-separated list flag; empty items are dropped.
type listValue []string

func (l *listValue) String() string { return strings.Join(*l, ",") }

func (l *listValue) Set(v string) error {
	*l = nil
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// newFlagSet returns the flag set of a command; -h prints usage (a usage
// line and what the command does) and the flags.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parseArgs is parseFlags for a command: on -h it returns 0, on an error
// it prints it after prefix and returns 2; ok says to go on.
func parseArgs(fs *flag.FlagSet, args []string, prefix string, stderr io.Writer) (code int, ok bool) {
	if err := parseFlags(fs, args); err != nil {
		if err == flag.ErrHelp {
			return 0, false
		}
		fmt.Fprintf(stderr, "%s: %v\n", prefix, err)
		return 2, false
	}
	return 0, true
}

// parseFlags parses args, then fills every flag not given on the command line
// from its DIALOGUESEARCH_* environment variable.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var errs []string
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] {
			return
		}
		env := envName(f.Name)
		if v, ok := os.LookupEnv(env); ok {
			if err := f.Value.Set(v); err != nil {
				errs = append(errs, fmt.Sprintf("%s=%q: %v", env, v, err))
			}
		}
	})
	if len(errs) > 0 {
		return fmt.Errorf("bad environment: %s", strings.Join(errs, "; "))
	}
	return nil
}

// envName maps a flag name to its environment variable: data -> DIALOGUESEARCH_DATA.
func envName(flagName string) string {
	return "DIALOGUESEARCH_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}
