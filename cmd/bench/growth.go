package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
)

// Growth (issue 16): the thread page and the home page at a large database within 1.25×
// of their time at a small one, and the mega-thread's first page within 2× of the
// 200-reply thread's. Time is the mean time per request at the run's concurrency, the
// inverse of requests/s; BENCH_GROWTH=1 (scripts/bench.sh) runs both databases one after
// the other in one invocation and compares them here.

// growthTargets are the ratios issue 16 sets.
const (
	growthTargetSize = 1.25
	growthTargetMega = 2.0
)

type growthRow struct {
	what           string
	slow, fast     float64 // requests/s of the slower case and of the case it is held to
	target         float64
	slowOf, fastOf string
}

// compareGrowth reads "SMALL.json,LARGE.json" and prints each ratio against its target.
func compareGrowth(w io.Writer, files string) error {
	smallFile, largeFile, ok := strings.Cut(files, ",")
	if !ok {
		return fmt.Errorf("-growth wants SMALL.json,LARGE.json, got %q", files)
	}
	small, err := readReport(smallFile)
	if err != nil {
		return err
	}
	large, err := readReport(largeFile)
	if err != nil {
		return err
	}
	rps := func(r *report, name string) (float64, error) {
		for _, s := range r.Scenarios {
			if s.Forum.Name == name {
				if s.Forum.RPS <= 0 || s.Forum.Errors > 0 {
					return 0, fmt.Errorf("%s: %q has %.0f req/s and %d errors", r.Machine, name, s.Forum.RPS, s.Forum.Errors)
				}
				return s.Forum.RPS, nil
			}
		}
		return 0, fmt.Errorf("no scenario %q in a growth run", name)
	}
	var rows []growthRow
	for _, name := range []string{"thread-200 visitor", "home"} {
		sm, err := rps(small, name)
		if err != nil {
			return err
		}
		lg, err := rps(large, name)
		if err != nil {
			return err
		}
		rows = append(rows, growthRow{what: name + ": large vs small database", slow: lg, fast: sm, target: growthTargetSize,
			slowOf: largeFile, fastOf: smallFile})
	}
	mega, err := rps(large, "mega-thread first page")
	if err != nil {
		return err
	}
	t200, err := rps(large, "thread-200 visitor")
	if err != nil {
		return err
	}
	rows = append(rows, growthRow{what: "mega-thread first page vs 200-reply thread", slow: mega, fast: t200,
		target: growthTargetMega, slowOf: largeFile, fastOf: largeFile})

	fmt.Fprintf(w, "\ngrowth (time per request = 1 / req/s; small %s, large %s)\n\n", smallFile, largeFile)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "comparison\treq/s\tagainst req/s\ttime ratio\ttarget\t\t")
	for _, r := range rows {
		ratio := r.fast / r.slow
		verdict := "met"
		if ratio > r.target {
			verdict = "MISSED"
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.2f×\t≤ %.2f×\t%s\t\n", r.what, r.slow, r.fast, ratio, r.target, verdict)
	}
	return tw.Flush()
}

func readReport(file string) (*report, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("growth: %w", err)
	}
	var r report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("growth: %s: %w", file, err)
	}
	return &r, nil
}
