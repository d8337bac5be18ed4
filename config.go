package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"
)

// Config is every setting of the program, filled from flags first, then from
// DIALOGUESEARCH_* environment variables (flag --data-dir is
// DIALOGUESEARCH_DATA_DIR), then defaults. Each command binds the fields it uses.
type Config struct {
	Addr      string // serve: listen address
	CorpusDir string // record files; "" means the embedded default corpus
	DataDir   string // index, alert store, ingested originals
	BaseURL   string // public URL of the server, for links in alerts; "" derives it from Addr

	AdminToken          string // enables POST /api/records and GET /api/alerts
	WebhookAllowPrivate bool   // allow webhook targets on private and loopback addresses
	Watch               bool   // serve: watch the corpus dir for new files

	CORSOrigins    string        // comma-separated allowed origins; "" means CORS off
	RateLimit      float64       // requests per second per client
	RateBurst      int           // burst per client
	RequestTimeout time.Duration // per request
	MaxBodyBytes   int64         // request body limit
	TrustProxy     bool          // take the client address from X-Forwarded-For
	LogLevel       string        // debug, info, warn, error

	SMTPAddr     string // host:port of the SMTP server for alert email
	SMTPUser     string
	SMTPPassword string
	SMTPFrom     string
	SMTPInsecure bool // allow SMTP without STARTTLS (tests, local relays)
}

// defaultConfig makes `go tool task run` work with no configuration at all.
func defaultConfig() Config {
	return Config{
		Addr:           "127.0.0.1:8080",
		DataDir:        "data",
		RateLimit:      50,
		RateBurst:      100,
		RequestTimeout: 10 * time.Second,
		MaxBodyBytes:   11 << 20,
		LogLevel:       "info",
		SMTPFrom:       "dialoguesearch@localhost",
	}
}

// bindCommon registers the flags every index-touching command shares.
func (c *Config) bindCommon(fs *flag.FlagSet) {
	fs.StringVar(&c.CorpusDir, "corpus", c.CorpusDir, "directory of record files (default: the embedded corpus)")
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data directory: index, alert store, ingested records")
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
