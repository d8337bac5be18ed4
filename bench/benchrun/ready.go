package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"dialoguesearch/bench/internal/mix"
)

// ReadyRun is the record-files-to-ready path: `dialoguesearch serve
// --corpus DIR` on record files in the shipped records' shape, from the
// start of the process to the first 200 of /readyz, and its peak RSS.
type ReadyRun struct {
	Files        int     `json:"files"`
	Paragraphs   int     `json:"paragraphs"`
	ReadySeconds float64 `json:"ready_seconds"`
	// ReadyCPUSeconds is the CPU time (user+sys) of the serve process up
	// to ready (from /proc: 0 where there is none); on a shared machine a
	// steadier figure of the path to ready than its wall time.
	ReadyCPUSeconds float64 `json:"ready_cpu_seconds"`
	PeakRSSBytes    int64   `json:"peak_rss_bytes"` // the serve process, up to ready
	// MergedSeconds is when /readyz stopped saying "merging" (the segments
	// of the fresh build merged into one, in the background after ready).
	MergedSeconds float64 `json:"merged_seconds"`
	// CPUSeconds is the CPU time (user+sys) of the serve process, up to
	// the end of the merge and one search: the whole build.
	CPUSeconds float64 `json:"cpu_seconds"`
	// ParseSeconds is `dialoguesearch parse` of every file alone (JSON to
	// /dev/null), for the share of parsing in the time to ready.
	ParseSeconds    float64 `json:"parse_seconds"`
	ParseCPUSeconds float64 `json:"parse_cpu_seconds"`
	Hits            int     `json:"hits"` // total of a search after ready (a check)
	// Restart: serve again over the same data dir with nothing changed:
	// the first 200 of /readyz, the end of its background check of the
	// corpus ("index ready" on stdout), and the CPU time (user+sys) of
	// the whole restart up to then.
	RestartReadySeconds float64 `json:"restart_ready_seconds"`
	RestartSyncSeconds  float64 `json:"restart_sync_seconds"`
	RestartCPUSeconds   float64 `json:"restart_cpu_seconds"`
	RestartPeakRSSBytes int64   `json:"restart_peak_rss_bytes"`
}

// runReady builds the binary, starts `serve --corpus -files` with an empty
// data directory, polls /readyz every 10 ms, then stops the server and
// reads its peak RSS; then times `parse` of the same files.
func runReady(o opts) error {
	bin := filepath.Join(o.out, "dialoguesearch")
	if b, err := exec.Command("go", "build", "-o", bin, o.root).CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, b)
	}
	entries, err := os.ReadDir(o.files)
	if err != nil {
		return fmt.Errorf("ready: %w (benchgen -files DIR writes the record files)", err)
	}
	var names []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".txt") {
			names = append(names, filepath.Join(o.files, e.Name()))
		}
	}
	data, err := os.MkdirTemp(o.out, "ready-data-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(data)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	addr := l.Addr().String()
	l.Close()
	srv := exec.Command(bin, "serve", "--corpus", o.files, "--data", data, "--addr", addr, "--log-level", "warn")
	srv.Stdout, srv.Stderr = os.Stderr, os.Stderr
	t := mix.Start()
	if err := srv.Start(); err != nil {
		return err
	}
	defer srv.Process.Kill()
	var r ReadyRun
	r.Files = len(names)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := client.Get("http://" + addr + "/readyz")
		if err == nil {
			var body struct {
				Paragraphs int `json:"paragraphs"`
			}
			json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				r.ReadySeconds = t.Seconds()
				r.ReadyCPUSeconds = procCPU(srv.Process.Pid)
				r.Paragraphs = body.Paragraphs
				break
			}
		}
		if t.Seconds() > 600 {
			return fmt.Errorf("ready: not ready after 600 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The restart below opens the merged index, as after any build that
	// was left to finish.
	for merging := true; merging; {
		resp, err := client.Get("http://" + addr + "/readyz")
		if err == nil {
			var body struct {
				Merging bool `json:"merging"`
			}
			json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			merging = body.Merging
		}
		if !merging {
			r.MergedSeconds = t.Seconds()
			break
		}
		if t.Seconds() > 600 {
			return fmt.Errorf("ready: not merged after 600 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if resp, err := client.Get("http://" + addr + "/api/search?" + url.Values{"q": {"alliance"}}.Encode()); err == nil {
		var body struct {
			Total int `json:"total"`
		}
		json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		r.Hits = body.Total
	}
	srv.Process.Signal(syscall.SIGTERM)
	srv.Wait()
	if ru, ok := srv.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.PeakRSSBytes = ru.Maxrss * 1024
	}
	r.CPUSeconds = (srv.ProcessState.UserTime() + srv.ProcessState.SystemTime()).Seconds()
	if r.Paragraphs == 0 || r.Hits == 0 {
		return fmt.Errorf("ready: %d paragraphs indexed, %d hits for alliance", r.Paragraphs, r.Hits)
	}
	if err := restartReady(bin, o.files, data, addr, &r); err != nil {
		return err
	}
	pt := mix.Start()
	p := exec.Command(bin, append([]string{"parse"}, names...)...)
	p.Stdout = io.Discard
	if err := p.Run(); err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	r.ParseSeconds = pt.Seconds()
	r.ParseCPUSeconds = (p.ProcessState.UserTime() + p.ProcessState.SystemTime()).Seconds()
	bs, _ := json.MarshalIndent(r, "", " ")
	fmt.Printf("ready: %d files, %d paragraphs: ready in %.2f s (%.2f s CPU), merged at %.2f s, %.2f s CPU, peak RSS %.0f MB; parse alone %.2f s, %.2f s CPU (%.0f paragraphs/s)\n",
		r.Files, r.Paragraphs, r.ReadySeconds, r.ReadyCPUSeconds, r.MergedSeconds, r.CPUSeconds, float64(r.PeakRSSBytes)/(1<<20), r.ParseSeconds, r.ParseCPUSeconds, float64(r.Paragraphs)/r.ParseSeconds)
	fmt.Printf("ready: restart with nothing changed: ready in %.2f s, corpus checked in %.2f s, %.2f s CPU, peak RSS %.0f MB\n",
		r.RestartReadySeconds, r.RestartSyncSeconds, r.RestartCPUSeconds, float64(r.RestartPeakRSSBytes)/(1<<20))
	return os.WriteFile(o.path("ready.json"), bs, 0o644)
}

// restartReady starts serve again over data (nothing changed since the
// first run) and measures it into r.
func restartReady(bin, files, data, addr string, r *ReadyRun) error {
	srv := exec.Command(bin, "serve", "--corpus", files, "--data", data, "--addr", addr, "--log-level", "warn")
	out, err := srv.StdoutPipe()
	if err != nil {
		return err
	}
	srv.Stderr = os.Stderr
	t := mix.Start()
	if err := srv.Start(); err != nil {
		return err
	}
	defer srv.Process.Kill()
	synced := make(chan float64, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "index ready") {
				synced <- t.Seconds()
			}
		}
	}()
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := client.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				r.RestartReadySeconds = t.Seconds()
				break
			}
		}
		if t.Seconds() > 600 {
			return fmt.Errorf("ready: restart not ready after 600 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case r.RestartSyncSeconds = <-synced:
	case <-time.After(600 * time.Second):
		return fmt.Errorf("ready: the restart did not finish checking the corpus in 600 s")
	}
	srv.Process.Signal(syscall.SIGTERM)
	srv.Wait()
	if ru, ok := srv.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.RestartPeakRSSBytes = ru.Maxrss * 1024
	}
	r.RestartCPUSeconds = (srv.ProcessState.UserTime() + srv.ProcessState.SystemTime()).Seconds()
	return nil
}

// procCPU is the CPU time (user+sys) of process pid so far, from
// /proc/pid/stat; 0 when it cannot be read.
func procCPU(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// the fields after the command name, which is in parentheses
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	var utime, stime float64
	fmt.Sscan(f[11], &utime)
	fmt.Sscan(f[12], &stime)
	return (utime + stime) / clockTicks
}

// clockTicks is the kernel's USER_HZ, the unit of /proc/pid/stat's times
// (100 on every Linux platform Go supports).
const clockTicks = 100
