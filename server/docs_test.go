package server

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocsCurlExamples runs every curl example of docs/api.md (and the
// README's read-only ones), as written,
// against the real server (only the address is replaced), and checks each
// answer: an error where the page shows one (# → {"error":{"code":"..."),
// a non-empty, non-error answer everywhere else (except assignments and -o).
func TestDocsCurlExamples(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl not installed")
	}
	api, err := os.ReadFile(filepath.Join("..", "docs", "api.md"))
	if err != nil {
		t.Fatal(err)
	}
	// The README's read-only examples too (its alert examples need tokens
	// and a running alert store; docs/alerts.md's tests cover those).
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var readOnly []string
	for _, b := range regexp.MustCompile("(?s)```sh\n.*?```").FindAllString(string(readme), -1) {
		if regexp.MustCompile(` -X | -H | -d | --data| -F `).MatchString(b) {
			continue
		}
		allCurl := true
		for _, line := range strings.Split(strings.Trim(b, "`sh\n"), "\n") {
			if line != "" && !strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "curl ") {
				allCurl = false
			}
		}
		if allCurl {
			readOnly = append(readOnly, b)
		}
	}
	doc := string(api) + "\n" + strings.Join(readOnly, "\n")
	s, _ := newTestServer(t, testConfig())
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()

	blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(doc, -1)
	wantCode := regexp.MustCompile(`^# → \{"error":\{"code":"([a-z_]+)"`)
	examples := 0
	for _, b := range blocks {
		if !strings.Contains(b[1], "http://127.0.0.1:8080") {
			continue
		}
		// One shell per block (a block may set a variable for the next
		// line); a marker after each command splits the output.
		var script strings.Builder
		var expect []string // per command: "" or the error code shown
		lines := strings.Split(strings.TrimSpace(b[1]), "\n")
		for i, line := range lines {
			if strings.HasPrefix(line, "#") {
				continue
			}
			want := ""
			if strings.Contains(line, "=$(") || strings.Contains(line, " -o ") {
				want = "-" // prints nothing by design
			}
			if i+1 < len(lines) {
				if m := wantCode.FindStringSubmatch(lines[i+1]); m != nil {
					want = m[1]
				}
			}
			expect = append(expect, want)
			script.WriteString(strings.ReplaceAll(line, "http://127.0.0.1:8080", ts.URL))
			script.WriteString("\necho; echo '<<<end>>>'\n")
		}
		cmd := exec.Command("sh", "-ec", script.String())
		cmd.Dir = t.TempDir()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("block failed: %v\n%s\n%s", err, b[1], out)
			continue
		}
		outputs := strings.Split(string(out), "<<<end>>>\n")
		for i, want := range expect {
			examples++
			o := strings.TrimSpace(outputs[i])
			cmdLine := strings.Split(strings.TrimSpace(b[1]), "\n")[0]
			switch {
			case want == "-":
			case want != "":
				if !strings.Contains(o, `"code":"`+want+`"`) {
					t.Errorf("example %d of %q: want error %s, got %s", i+1, cmdLine, want, truncate(o, 300))
				}
			case strings.Contains(o, `{"error":{`):
				t.Errorf("example %d of %q answered an error: %s", i+1, cmdLine, truncate(o, 300))
			case o == "":
				t.Errorf("example %d of %q printed nothing", i+1, cmdLine)
			}
		}
	}
	if examples < 10 {
		t.Errorf("found %d curl examples in docs/api.md, want at least 10", examples)
	}
}
