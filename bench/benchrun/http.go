package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"dialoguesearch/bench/internal/mix"
)

// HTTPRun is one load run.
type HTTPRun struct {
	Engine    string  `json:"engine"`
	Tool      string  `json:"tool"`
	Conns     int     `json:"conns"`
	Rate      int     `json:"rate,omitempty"` // open loop: requests/s asked
	ReqPerSec float64 `json:"req_per_sec"`
	P50, P90  float64 // ms
	P99       float64 // ms
	Errors    string  `json:"errors,omitempty"`
}

// paths are the request paths of the mix for one engine.
func paths(engine string, qs []mix.Query) []string {
	var ps []string
	for _, q := range qs {
		if engine != "ours" {
			ps = append(ps, fmt.Sprintf("/search?id=%d", q.ID))
			continue
		}
		v := url.Values{"q": {q.Q}}
		for f, vals := range q.Filters {
			v[f] = vals
		}
		ps = append(ps, "/api/search?"+v.Encode())
	}
	return ps
}

// runHTTP loads a server pinned to core 0 from wrk/hey pinned to core 1:
// closed loop at 1, 4 and 16 connections cycling through the mix, then an
// open loop at a fixed rate (hey -q) on one mid-weight query of the mix.
// -engine ours expects our server at -url (started by the task, pinned);
// Without -url, -engine lucene|lucene8 starts that Lucene driver's HTTP
// server itself.
func runHTTP(o opts) error {
	engine := "ours"
	if o.url == "" {
		p, err := peerByName(o.engine)
		if err != nil {
			return err
		}
		engine = p.name
		cp, err := p.compile(o.out, o.root)
		if err != nil {
			return err
		}
		o.url = fmt.Sprintf("http://127.0.0.1:%d", o.port+1)
		srv := exec.Command("taskset", "-c", "0", "java", "-Xmx2g", "-Dsun.net.httpserver.nodelay=true", "-cp", cp, p.class, "serve", o.path("%s-%d", p.name, o.n), o.path("queries.tsv"), o.path("stopwords.txt"), strconv.Itoa(o.port+1))
		srv.Stdout, srv.Stderr = os.Stderr, os.Stderr
		if err := srv.Start(); err != nil {
			return err
		}
		defer func() { srv.Process.Kill(); srv.Wait() }()
	}
	qs, err := mix.ReadQueries(o.path("queries.jsonl"))
	if err != nil {
		return err
	}
	ps := paths(engine, qs)
	// Wait for the server, then warm it up with one pass of the mix.
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(o.url + ps[0])
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
			err = fmt.Errorf("status %d", resp.StatusCode)
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("server at %s not answering: %v", o.url, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
	bad := 0
	for _, p := range ps {
		resp, err := http.Get(o.url + p)
		if err != nil || resp.StatusCode != 200 {
			bad++
		}
		if err == nil {
			resp.Body.Close()
		}
	}
	lua := o.path("wrk-%s.lua", engine)
	var b strings.Builder
	b.WriteString("local paths = {\n")
	for _, p := range ps {
		fmt.Fprintf(&b, "  %q,\n", p)
	}
	b.WriteString("}\nlocal i = 0\nrequest = function()\n  i = i + 1\n  return wrk.format(\"GET\", paths[(i % #paths) + 1])\nend\n")
	if err := os.WriteFile(lua, []byte(b.String()), 0o644); err != nil {
		return err
	}
	var runs []HTTPRun
	for _, c := range []int{1, 4, 16} {
		out, _, _, err := runMeasured("", "taskset", "-c", "1", "wrk", "-t1", fmt.Sprintf("-c%d", c), "-d"+o.dur, "--latency", "-s", lua, o.url)
		if err != nil {
			return err
		}
		r := parseWrk(out)
		r.Engine, r.Tool, r.Conns = engine, "wrk", c
		if bad > 0 {
			r.Errors = fmt.Sprintf("%d of %d warm-up requests failed", bad, len(ps))
		}
		runs = append(runs, r)
	}
	// Open loop: hey sends at a fixed rate whatever the latency, so
	// queueing shows in the percentiles.
	one := o.url + ps[len(ps)/2]
	conns := 16
	out, _, _, err := runMeasured("", "taskset", "-c", "1", "hey", "-z", o.dur, "-c", strconv.Itoa(conns), "-q", strconv.Itoa(max(1, o.rate/conns)), one)
	if err != nil {
		return err
	}
	os.WriteFile(o.path("hey-%s-%d.txt", engine, o.n), []byte(out), 0o644)
	r := parseHey(out)
	r.Engine, r.Tool, r.Conns, r.Rate = engine, "hey -q (open loop, query "+strconv.Itoa(qs[len(qs)/2].ID)+")", conns, o.rate
	runs = append(runs, r)
	bs, _ := json.MarshalIndent(runs, "", " ")
	return os.WriteFile(o.path("http-%s-%d.json", engine, o.n), bs, 0o644)
}

var (
	wrkRate = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkPct  = regexp.MustCompile(`(?m)^\s+(50|90|99)%\s+([0-9.]+)(us|ms|s)`)
	wrkErr  = regexp.MustCompile(`(Non-2xx or 3xx responses: \d+|Socket errors: .*)`)
	heyRate = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	heyPct  = regexp.MustCompile(`(50|90|99)% in ([0-9.]+) secs`)
	heyCode = regexp.MustCompile(`\[(\d+)\]\s+(\d+) responses`)
)

func parseWrk(out string) HTTPRun {
	var r HTTPRun
	if m := wrkRate.FindStringSubmatch(out); m != nil {
		r.ReqPerSec, _ = strconv.ParseFloat(m[1], 64)
	}
	for _, m := range wrkPct.FindAllStringSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		switch m[3] {
		case "us":
			v /= 1000
		case "s":
			v *= 1000
		}
		switch m[1] {
		case "50":
			r.P50 = v
		case "90":
			r.P90 = v
		case "99":
			r.P99 = v
		}
	}
	if m := wrkErr.FindAllString(out, -1); m != nil {
		r.Errors = strings.Join(m, "; ")
	}
	return r
}

func parseHey(out string) HTTPRun {
	var r HTTPRun
	if m := heyRate.FindStringSubmatch(out); m != nil {
		r.ReqPerSec, _ = strconv.ParseFloat(m[1], 64)
	}
	for _, m := range heyPct.FindAllStringSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		switch m[1] {
		case "50":
			r.P50 = v * 1000
		case "90":
			r.P90 = v * 1000
		case "99":
			r.P99 = v * 1000
		}
	}
	for _, m := range heyCode.FindAllStringSubmatch(out, -1) {
		if m[1] != "200" {
			r.Errors += fmt.Sprintf("[%s] %s responses ", m[1], m[2])
		}
	}
	return r
}
