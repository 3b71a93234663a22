package soak

import (
	"strings"
	"testing"
	"time"
)

func TestReadFaults(t *testing.T) {
	log := "1700000030.250000000 start restart\n1700000032.5 up restart\n" +
		"1700000090.000000001 start kill\n"
	ws, err := ReadFaults(strings.NewReader(log))
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 2 {
		t.Fatalf("got %d windows, want 2: %+v", len(ws), ws)
	}
	if got, want := ws[0].Start, time.Unix(1700000030, 250_000_000); !got.Equal(want) {
		t.Errorf("restart started %v, want %v", got, want)
	}
	if got, want := ws[0].End, time.Unix(1700000032, 500_000_000); !got.Equal(want) {
		t.Errorf("restart ended %v, want %v", got, want)
	}
	if got, want := ws[1].Start, time.Unix(1700000090, 1); !got.Equal(want) {
		t.Errorf("kill started %v, want %v (nanoseconds kept)", got, want)
	}
	if !ws[1].End.IsZero() {
		t.Errorf("kill never came up, but its window ends at %v", ws[1].End)
	}

	for _, bad := range []string{"1700000030 start\n", "x start kill\n", "1700000030 up kill\n", "1 stop kill\n"} {
		if _, err := ReadFaults(strings.NewReader(bad)); err == nil {
			t.Errorf("ReadFaults(%q) accepted a malformed log", bad)
		}
	}
}

func TestInOutage(t *testing.T) {
	t0 := time.Unix(1700000000, 0)
	at := func(s float64) time.Time { return t0.Add(time.Duration(s * float64(time.Second))) }
	ws := []Window{
		{Kind: "restart", Start: at(30), End: at(32)},
		{Kind: "kill", Start: at(90)}, // never came back
	}
	const grace = 3 * time.Second
	for _, tc := range []struct {
		name       string
		sent, recv float64
		want       bool
	}{
		{"BeforeTheFault", 10, 11, false},
		{"AnsweredJustBeforeTheFault", 29, 29.9, false},
		{"UnderWayWhenTheFaultStarted", 29.5, 30.5, true},
		{"DuringTheFault", 31, 31.1, true},
		{"InTheGrace", 34.9, 35, true},
		{"AfterTheGrace", 35.1, 35.2, false},
		{"WindowThatNeverClosed", 200, 201, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := InOutage(ws, grace, at(tc.sent), at(tc.recv)); got != tc.want {
				t.Errorf("InOutage(%v..%v) = %v, want %v", tc.sent, tc.recv, got, tc.want)
			}
		})
	}
}
