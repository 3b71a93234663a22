package forum_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"forum/internal/forum"
)

func TestCursorRoundTrips(t *testing.T) {
	at := time.Date(2025, 4, 6, 7, 8, 9, 123456000, time.UTC)
	for _, tc := range []struct {
		name   string
		cursor forum.Cursor
		want   string
	}{
		{"ThreadListing", forum.NewCursor(forum.BoolField(true), forum.TimeField(at), 42), "1.1743923289123456.42"},
		{"PlainID", forum.NewCursor(7), "7"},
		{"Zeros", forum.NewCursor(0, 0, 0), "0.0.0"},
		{"LargestInt64", forum.NewCursor(math.MaxInt64), "9223372036854775807"},
		{"SearchRank", forum.NewCursor(forum.Float32Field(0.0607927), 9), "1031340484.9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.cursor.String(); got != tc.want {
				t.Fatalf("String() = %q, want %q", got, tc.want)
			}
			back, err := forum.ParseCursor(tc.want, tc.cursor.Len())
			if err != nil {
				t.Fatalf("ParseCursor(%q): %v", tc.want, err)
			}
			if back.String() != tc.want {
				t.Fatalf("round trip gives %q", back.String())
			}
			for i := range tc.cursor.Len() {
				if back.Int(i) != tc.cursor.Int(i) {
					t.Fatalf("field %d = %d, want %d", i, back.Int(i), tc.cursor.Int(i))
				}
			}
		})
	}

	t.Run("TimeComesBackExactly", func(t *testing.T) {
		c, _ := forum.ParseCursor(forum.NewCursor(forum.TimeField(at)).String(), 1)
		got, err := c.Time(0)
		if err != nil || !got.Equal(at) {
			t.Fatalf("Time = %v, %v; want %v", got, err, at)
		}
	})
	t.Run("BoolComesBack", func(t *testing.T) {
		c := forum.NewCursor(forum.BoolField(false), forum.BoolField(true))
		f, err1 := c.Bool(0)
		tr, err2 := c.Bool(1)
		if f || !tr || err1 != nil || err2 != nil {
			t.Fatalf("Bool = %v, %v (%v, %v)", f, tr, err1, err2)
		}
	})
	t.Run("Float32ComesBackExactly", func(t *testing.T) {
		for _, f := range []float32{0, 1e-30, 0.0607927, 0.1, 1, math.MaxFloat32} {
			c, err := forum.ParseCursor(forum.NewCursor(forum.Float32Field(f)).String(), 1)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := c.Float32(0); err != nil || got != f {
				t.Fatalf("Float32 = %v, %v; want %v", got, err, f)
			}
		}
	})
	t.Run("Float32OrderIsBitOrder", func(t *testing.T) {
		if forum.Float32Field(0.25) >= forum.Float32Field(0.5) || forum.Float32Field(0) >= forum.Float32Field(1e-30) {
			t.Fatal("larger ranks must have larger fields")
		}
	})
	t.Run("ZeroCursorIsEmpty", func(t *testing.T) {
		if s := (forum.Cursor{}).String(); s != "" {
			t.Fatalf("zero Cursor = %q", s)
		}
	})
}

func TestParseCursorRejects(t *testing.T) {
	for _, tc := range []struct {
		name   string
		s      string
		fields int
	}{
		{"Empty", "", 1},
		{"TooFewFields", "1.2", 3},
		{"TooManyFields", "1.2.3.4", 3},
		{"OneFieldGivenThree", "1.2.3", 1},
		{"EmptyField", "1..3", 3},
		{"TrailingDot", "1.2.", 3},
		{"LeadingDot", ".1.2", 3},
		{"Word", "garbage", 1},
		{"WordField", "0.abc.1", 3},
		{"Negative", "-1", 1},
		{"NegativeMinInt64", "0.-9223372036854775808.1", 3},
		{"LeadingPlus", "+1", 1},
		{"LeadingPlusInside", "0.+5.1", 3},
		{"LeadingZero", "007", 1},
		{"Spaces", " 1", 1},
		{"TrailingSpace", "1 ", 1},
		{"Hex", "0x1f", 1},
		{"Underscore", "1_000", 1},
		{"Float", "1.5e3", 1},
		{"OldSearchShape", "0.0607927_12", 2},
		{"FullWidthDigit", "１", 1},
		{"BeyondInt64", "9223372036854775808", 1},
		{"TwentyDigits", "10000000000000000000", 1},
		{"Overlong", strings.Repeat("1", 10000), 1},
		{"OverlongDots", strings.Repeat("1.", 5000) + "1", 3},
		{"ZeroFieldsAsked", "1", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := forum.ParseCursor(tc.s, tc.fields)
			if err != forum.ErrBadCursor {
				t.Fatalf("ParseCursor(%q, %d) = %q, %v; want ErrBadCursor", tc.s, tc.fields, c, err)
			}
		})
	}

	t.Run("ErrBadCursorIsInvalidWithMessage", func(t *testing.T) {
		_, err := forum.ParseCursor("x", 1)
		if forum.ErrorCode(err) != forum.EInvalid || !errors.Is(err, forum.ErrBadCursor) {
			t.Fatalf("err = %v", err)
		}
		if msg := forum.ErrorMessage(err); msg != "That page link is not valid; start again from the first page." {
			t.Fatalf("message %q", msg)
		}
	})
}

func TestCursorAccessorsRejectExtremes(t *testing.T) {
	parse := func(t *testing.T, s string) forum.Cursor {
		t.Helper()
		c, err := forum.ParseCursor(s, 1)
		if err != nil {
			t.Fatalf("ParseCursor(%q): %v", s, err)
		}
		return c
	}
	t.Run("TimeRange", func(t *testing.T) {
		for _, tc := range []struct {
			s  string
			ok bool
		}{
			{"0", true},                   // 1970-01-01
			{"253402300799999999", true},  // the last microsecond of 9999
			{"253402300800000000", false}, // year 10000
			{"99999999999999999", true},   // year 5138: odd, but a time PostgreSQL holds
			{"9223372036854775807", false},
		} {
			_, err := parse(t, tc.s).Time(0)
			if (err == nil) != tc.ok {
				t.Fatalf("Time(%s): err = %v, want ok=%v", tc.s, err, tc.ok)
			}
			if err != nil && err != forum.ErrBadCursor {
				t.Fatalf("Time(%s): err = %v, want ErrBadCursor", tc.s, err)
			}
		}
	})
	t.Run("BoolOnlyZeroOrOne", func(t *testing.T) {
		for _, s := range []string{"2", "9223372036854775807"} {
			if _, err := parse(t, s).Bool(0); err != forum.ErrBadCursor {
				t.Fatalf("Bool(%s): err = %v, want ErrBadCursor", s, err)
			}
		}
	})
	t.Run("Float32OnlyFiniteNonNegative", func(t *testing.T) {
		for _, s := range []string{
			"2139095040",          // +Inf
			"2143289344",          // NaN
			"2147483648",          // -0: the sign bit
			"3212836864",          // -1
			"4294967296",          // beyond 32 bits
			"9223372036854775807", // far beyond
		} {
			if _, err := parse(t, s).Float32(0); err != forum.ErrBadCursor {
				t.Fatalf("Float32(%s): err = %v, want ErrBadCursor", s, err)
			}
		}
	})
}

func TestPaginate(t *testing.T) {
	key := func(n int) forum.Cursor { return forum.NewCursor(int64(n), int64(n*10)) }
	rows := func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i + 1
		}
		return out
	}
	for _, tc := range []struct {
		name     string
		rows     []int
		limit    int
		wantLen  int
		wantNext string
	}{
		{"Empty", nil, 3, 0, ""},
		{"LimitMinusOneIsLastPage", rows(2), 3, 2, ""},
		{"ExactlyLimitIsLastPage", rows(3), 3, 3, ""},
		{"LimitPlusOneHasNext", rows(4), 3, 3, "3.30"},
		{"OneRowPagesHaveNext", rows(2), 1, 1, "1.10"},
		{"ZeroLimitReturnsRows", rows(2), 0, 2, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, next := forum.Paginate(tc.rows, tc.limit, key)
			if len(got) != tc.wantLen || next != tc.wantNext {
				t.Fatalf("Paginate(%v, %d) = %v, %q; want %d rows, %q", tc.rows, tc.limit, got, next, tc.wantLen, tc.wantNext)
			}
			for i, r := range got {
				if r != i+1 {
					t.Fatalf("rows reordered: %v", got)
				}
			}
		})
	}
}
