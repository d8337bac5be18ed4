package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"dialoguesearch/bench/internal/mix"
)

// lucenePeer is one Lucene version of the harness: its driver (a Java
// source compiled by the harness), where its jars are and what its result
// files are called.
type lucenePeer struct {
	name    string // result files: <name>-N.json, http-<name>-N.json
	class   string // driver class
	source  string // driver source, relative to the repository root
	version string // jar file version
	jarDirs []string
	install string // how to get the jars
}

// lucenePeers are the two Lucenes Debian ships. liblucene8-java conflicts
// with liblucene4.10-java, so the task unpacks it (apt-get download +
// dpkg-deb -x) into bench/out/lucene8; its jars are named -8.7.0 and hold
// Lucene 8.8.1.
var lucenePeers = map[string]lucenePeer{
	"lucene": {name: "lucene", class: "Bench", source: "bench/lucene/Bench.java", version: "4.10.4",
		jarDirs: []string{"/usr/share/java"}, install: "apt-get install liblucene4.10-java"},
	"lucene8": {name: "lucene8", class: "Bench8", source: "bench/lucene8/Bench8.java", version: "8.7.0",
		jarDirs: []string{"$LUCENE8_JARS", "bench/out/lucene8/usr/share/java", "/usr/share/java"},
		install: "go tool task bench:deps (apt-get download liblucene8-java; dpkg-deb -x into bench/out/lucene8)"},
}

// classpath is the peer's jars plus the compiled driver in out.
func (p lucenePeer) classpath(out string) (string, error) {
	var jars []string
	for _, m := range []string{"core", "analyzers-common", "highlighter", "queryparser", "facet", "queries"} {
		found := ""
		for _, d := range p.jarDirs {
			d = os.ExpandEnv(d)
			if d == "" {
				continue
			}
			j := filepath.Join(d, "lucene-"+m+"-"+p.version+".jar")
			if _, err := os.Stat(j); err == nil {
				found = j
				break
			}
		}
		if found == "" {
			return "", fmt.Errorf("%s: lucene-%s-%s.jar not found in %v (%s)", p.name, m, p.version, p.jarDirs, p.install)
		}
		jars = append(jars, found)
	}
	return strings.Join(append(jars, p.classes(out)), ":"), nil
}

func (p lucenePeer) classes(out string) string { return filepath.Join(out, p.name+"-classes") }

// compile builds the driver with javac into out; root is the repository root.
func (p lucenePeer) compile(out, root string) (string, error) {
	cp, err := p.classpath(out)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(p.classes(out), 0o755); err != nil {
		return "", err
	}
	if b, err := exec.Command("javac", "-nowarn", "-cp", cp, "-d", p.classes(out), filepath.Join(root, p.source)).CombinedOutput(); err != nil {
		return "", fmt.Errorf("javac %s: %v\n%s", p.source, err, b)
	}
	return cp, nil
}

func peerByName(name string) (lucenePeer, error) {
	p, ok := lucenePeers[name]
	if !ok {
		return p, fmt.Errorf("unknown Lucene peer %q (lucene or lucene8)", name)
	}
	return p, nil
}

func runLucene(o opts, p lucenePeer) error {
	cp, err := p.compile(o.out, o.root)
	if err != nil {
		return err
	}
	dir := o.path("%s-%d", p.name, o.n)
	os.RemoveAll(dir)
	res, buildRSS, _, err := runMeasured("", "java", "-Xmx2g", "-cp", cp, p.class, "index", o.path("paras-%d.tsv", o.n), dir, o.path("stopwords.txt"))
	if err != nil {
		return err
	}
	var b struct {
		Paragraphs   int     `json:"paragraphs"`
		BuildSeconds float64 `json:"build_seconds"`
	}
	if err := json.Unmarshal([]byte(lastLine(res)), &b); err != nil {
		return fmt.Errorf("%s index output %q: %w", p.name, res, err)
	}
	tmp := o.path("%s-raw-%d.json", p.name, o.n)
	_, queryRSS, _, err := runMeasured("", "java", "-Xmx2g", "-cp", cp, p.class, "query", dir, o.path("queries.tsv"), o.path("stopwords.txt"), tmp, fmt.Sprint(o.reps))
	if err != nil {
		return err
	}
	raw, err := os.ReadFile(tmp)
	if err != nil {
		return err
	}
	var r mix.Run
	if err := json.Unmarshal(raw, &r); err != nil {
		return fmt.Errorf("%s query output: %w", p.name, err)
	}
	r.Paragraphs = b.Paragraphs
	r.BuildSeconds = b.BuildSeconds
	r.SizeBytes = dirSize(dir)
	r.PeakRSSBytes = max(buildRSS, queryRSS)
	r.Notes = append(r.Notes, "JVM -Xmx2g; build = add all + forceMerge(1), timed inside the JVM; open = DirectoryReader + SortedSetDocValuesReaderState",
		"analysis: StandardTokenizer, lower case, Snowball stop list, Snowball English (Porter2) stemmer; no acronym expansion beyond the mix's OR clauses")
	if p.name == "lucene8" {
		r.Notes = append(r.Notes, "8.8.1 (Debian's liblucene8-java, jars named -8.7.0): exact totals (TopScoreDocCollector with total-hits threshold Integer.MAX_VALUE; DrillSideways counts exactly), UnifiedHighlighter over offsets in the postings; the default query cache is left on")
	}
	return mix.WriteRun(o.path("%s-%d.json", p.name, o.n), &r)
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		return s[i+1:]
	}
	return s
}
