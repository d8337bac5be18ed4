package server

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The checkers from npm that the tests run: axe-core (accessibility, in the
// browser tests) and Redocly CLI (the OpenAPI lint). `go tool task test`
// installs them into tools/web/node_modules (task deps:web); a test that
// needs one fails when it is missing, as the browser tests do without
// Chromium.

// webTool returns the path of a file under tools/web/node_modules.
func webTool(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "tools", "web", "node_modules", rel))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is missing: run `go tool task deps:web` (npm ci in tools/web), or use -short to skip", rel)
	}
	return p
}

var (
	axeOnce   sync.Once
	axeSource string
)

// axeViolation is one failed axe-core rule with the nodes that fail it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// checkAxe runs axe-core (WCAG 2.x A and AA rules and best practices) on
// the page in ctx and fails the test on every serious or critical finding.
func checkAxe(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	path := webTool(t, "axe-core/axe.min.js")
	axeOnce.Do(func() {
		b, err := os.ReadFile(path)
		if err == nil {
			axeSource = string(b)
		}
	})
	if axeSource == "" {
		t.Fatal("cannot read axe-core")
	}
	if !eval[bool](t, ctx, `typeof window.axe !== "undefined"`) {
		eval[any](t, ctx, axeSource+";0")
	}
	// axe takes seconds on a long page of a busy machine: its own time limit.
	actx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()
	raw, err := chromedp.Run(actx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe: %v", page, err)
	}
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatalf("%s: axe result: %v", page, err)
	}
	for _, v := range vs {
		if v.Impact != "serious" && v.Impact != "critical" {
			continue
		}
		var where []string
		for i, n := range v.Nodes {
			if i == 3 {
				where = append(where, "…")
				break
			}
			where = append(where, strings.TrimSpace(n.HTML))
		}
		t.Errorf("%s: axe %s (%s): %s: %s", page, v.ID, v.Impact, v.Help, strings.Join(where, " | "))
	}
}

// TestOpenAPILint lints /api/openapi.json with Redocly CLI's recommended
// rules: no error and no warning.
func TestOpenAPILint(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Redocly CLI (node); skipped under -short")
	}
	redocly := webTool(t, ".bin/redocly")
	cfg, _ := filepath.Abs(filepath.Join("..", "tools", "web", "redocly.yaml"))
	cmd := exec.Command(redocly, "lint", "--config", cfg, "--format", "json", "openapi.json")
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true", "NO_COLOR=1")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	runErr := cmd.Run()
	var rep struct {
		Totals struct {
			Errors   int `json:"errors"`
			Warnings int `json:"warnings"`
		} `json:"totals"`
		Problems []struct {
			RuleID   string `json:"ruleId"`
			Severity string `json:"severity"`
			Message  string `json:"message"`
			Location []struct {
				Pointer string `json:"pointer"`
			} `json:"location"`
		} `json:"problems"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("redocly lint: %v (%v)\n%s\n%s", err, runErr, out.String(), errb.String())
	}
	for _, p := range rep.Problems {
		where := ""
		if len(p.Location) > 0 {
			where = p.Location[0].Pointer
		}
		t.Errorf("openapi.json %s: %s %s: %s", where, p.Severity, p.RuleID, p.Message)
	}
	if runErr != nil && len(rep.Problems) == 0 {
		t.Errorf("redocly lint failed: %v\n%s", runErr, errb.String())
	}
}

// TestOpenAPIClient generates TypeScript types from openapi.json with
// openapi-typescript and type-checks the client of docs/api.md against
// them: the document stays usable by generators.
func TestOpenAPIClient(t *testing.T) {
	if testing.Short() {
		t.Skip("runs openapi-typescript and tsc (node); skipped under -short")
	}
	gen, tsc := webTool(t, ".bin/openapi-typescript"), webTool(t, ".bin/tsc")
	dir := t.TempDir()
	if out, err := exec.Command(gen, "openapi.json", "-o", filepath.Join(dir, "api.d.ts")).CombinedOutput(); err != nil {
		t.Fatalf("openapi-typescript: %v\n%s", err, out)
	}
	example, err := os.ReadFile(filepath.Join("..", "tools", "web", "client-example.ts"))
	if err != nil {
		t.Fatal(err)
	}
	// docs/api.md shows the same client.
	doc, err := os.ReadFile(filepath.Join("..", "docs", "api.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(doc, bytes.TrimSpace(example)) {
		t.Error("docs/api.md does not show tools/web/client-example.ts as it is")
	}
	if err := os.WriteFile(filepath.Join(dir, "client.ts"), example, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(tsc, "--noEmit", "--strict", "--target", "es2022", "--module", "es2022", "--moduleResolution", "bundler", "--lib", "es2022,dom", "client.ts")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tsc on the generated client: %v\n%s", err, out)
	}
}
