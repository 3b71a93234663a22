package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"

	"forum/internal/bench"
)

// report is one run: each scenario's figures against the forum and, for reads, the
// baseline's and the ratio between them, with the machine they ran on.
type report struct {
	At        time.Time `json:"at"`
	Machine   string    `json:"machine"`
	Workers   int       `json:"concurrency"`
	Duration  string    `json:"duration_per_scenario"`
	PeakRSS   int64     `json:"server_peak_rss_bytes"`
	Scenarios []row     `json:"scenarios"`
}

type row struct {
	Forum    bench.Result  `json:"forum"`
	Baseline *bench.Result `json:"baseline,omitempty"`
	Ratio    float64       `json:"ratio_to_baseline,omitempty"`
}

func makeReport(results []bench.Result, rss int64, o options) *report {
	r := &report{At: time.Now().UTC(), Machine: machine(), Workers: o.workers, Duration: o.duration.String(), PeakRSS: rss}
	var pending *bench.Result
	for i := range results {
		res := results[i]
		if res.Target == "baseline" {
			pending = &res
			continue
		}
		rw := row{Forum: res}
		if pending != nil && pending.Name == res.Name {
			rw.Baseline = pending
			if pending.RPS > 0 {
				rw.Ratio = res.RPS / pending.RPS
			}
		}
		pending = nil
		r.Scenarios = append(r.Scenarios, rw)
	}
	return r
}

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "\n%s · %d connections · %s per scenario and target\n\n", r.Machine, r.Workers, r.Duration)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\treq/s\tp50\tp99\terrors\tbytes/resp\tbaseline req/s\tratio\t")
	for _, s := range r.Scenarios {
		f := s.Forum
		per := int64(0)
		if f.Requests > 0 {
			per = f.Bytes / int64(f.Requests)
		}
		base, ratio := "", ""
		if s.Baseline != nil {
			base = fmt.Sprintf("%.0f", s.Baseline.RPS)
			ratio = fmt.Sprintf("%.3f×", s.Ratio)
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%s\t%d\t%d\t%s\t%s\t\n", f.Name, f.RPS, ms(f.P50), ms(f.P99), f.Errors, per, base, ratio)
	}
	tw.Flush()
	if r.PeakRSS > 0 {
		fmt.Fprintf(w, "\nserver peak RSS: %.0f MB\n", float64(r.PeakRSS)/1e6)
	}
	for _, s := range r.Scenarios {
		for _, e := range s.Forum.FirstErrors {
			fmt.Fprintf(w, "error in %s: %s\n", s.Forum.Name, e)
		}
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// machine names the CPU and cores the figures came from.
func machine() string {
	cpu := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if rest, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(rest), ":"))
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores, %s", cpu, runtime.NumCPU(), runtime.Version())
}
