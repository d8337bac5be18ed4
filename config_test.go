package main

import (
	"flag"
	"io"
	"slices"
	"testing"
)

// The flag groups declare each flag once (binding them all into one set
// would panic on a repeat), and flags and environment fill the packages'
// configs.
func TestConfigFlagsAndEnvironment(t *testing.T) {
	cfg := defaultConfig()
	fs := flag.NewFlagSet("all", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	cfg.bindData(fs)
	cfg.bindAlerts(fs)
	cfg.bindServe(fs)
	t.Setenv("DIALOGUESEARCH_SMTP_FROM", "alerts@example.org")
	t.Setenv("DIALOGUESEARCH_CORS_ORIGINS", "https://a.example, ,https://b.example")
	t.Setenv("DIALOGUESEARCH_DATA", "/from/env")
	if err := parseFlags(fs, []string{"--data", "/from/flag", "--watch", "--rate-limit", "7"}); err != nil {
		t.Fatal(err)
	}
	if got := cfg.App.DataDir; got != "/from/flag" {
		t.Errorf("data dir = %q, want the flag's value over the environment's", got)
	}
	if !cfg.App.Watch || cfg.Server.RateLimit != 7 {
		t.Errorf("watch %v, rate limit %v", cfg.App.Watch, cfg.Server.RateLimit)
	}
	if got := cfg.App.Alerts.Mail.From; got != "alerts@example.org" {
		t.Errorf("smtp from = %q", got)
	}
	if want := []string{"https://a.example", "https://b.example"}; !slices.Equal(cfg.Server.CORSOrigins, want) {
		t.Errorf("cors origins = %q, want %q", cfg.Server.CORSOrigins, want)
	}
	if got := cfg.Server.RequestTimeout; got != defaultConfig().Server.RequestTimeout {
		t.Errorf("request timeout = %v, want the default", got)
	}
	if got := cfg.baseURL(); got != "http://127.0.0.1:8080" {
		t.Errorf("base URL = %q", got)
	}
}
