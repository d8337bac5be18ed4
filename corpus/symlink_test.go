package corpus

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// A link in the corpus directory that points outside it is not followed
// (the record would publish any file the server can read); links that stay
// inside are.
func TestLoadDoesNotFollowLinksOutside(t *testing.T) {
	good, err := fs.ReadFile(Default(), "2024-04-11-kidd-24-joint-press-statement.txt")
	if err != nil {
		t.Fatal(err)
	}
	good2, err := fs.ReadFile(Default(), "2023-11-13-scm-55-joint-communique.txt")
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	outside, dir := filepath.Join(root, "outside"), filepath.Join(root, "corpus")
	for _, d := range []string{outside, filepath.Join(dir, "sub")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p string, b []byte) {
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(outside, "secret.txt"), good2) // a readable record, so only the link check stops it
	write(filepath.Join(dir, "sub", "kidd.txt"), good)
	links := map[string]string{
		"abs.txt":      filepath.Join(outside, "secret.txt"),
		"rel.txt":      "../outside/secret.txt",
		"hop.txt":      "sub/up.txt",
		"sub/up.txt":   "../../outside/secret.txt",
		"viadir.txt":   "outdir/secret.txt",
		"outdir":       outside,
		"inside.txt":   "sub/kidd.txt",
		"sub/loop.txt": "loop.txt",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Skipf("symbolic links not available: %v", err)
		}
	}
	recs, problems := Load(os.DirFS(dir))
	var got []string
	for _, r := range recs {
		got = append(got, r.Source)
		if r.ID == "scm-55-2023-11-13-communique" {
			t.Errorf("%s: the file outside the corpus was read", r.Source)
		}
	}
	if strings.Join(got, ",") != "inside.txt" {
		t.Errorf("records from %v, want inside.txt (sub/kidd.txt is the same record, a duplicate)", got)
	}
	var outsideNames []string
	for _, p := range problems {
		if errors.Is(p.Err, ErrOutside) {
			outsideNames = append(outsideNames, p.File)
			if !strings.Contains(p.Error(), "outside the corpus directory") {
				t.Errorf("problem %v does not say why", p)
			}
		}
	}
	sort.Strings(outsideNames)
	if want := "abs.txt,hop.txt,outdir,rel.txt,sub/up.txt,viadir.txt"; strings.Join(outsideNames, ",") != want {
		t.Errorf("refused %v, want %s; all problems %v", outsideNames, want, problems)
	}
}
