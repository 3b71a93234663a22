package forum

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// ErrBadCursor is the one answer to a page link whose cursor cannot be read, whatever
// the listing: a 400 that sends the reader back to the first page.
var ErrBadCursor = (&Error{Code: EInvalid, Message: "That page link is not valid; start again from the first page."}).T("error.bad_cursor")

// Cursor is a position in a keyset listing: the sort key of the last row shown, as an
// ordered list of non-negative integers. It travels in URLs as decimal numbers joined by
// "." ("0.1718000000000000.42"); a one-field cursor is a plain number, so an id is its own
// cursor. Each listing decides what its fields mean and reads them with the accessors,
// which reject values the listing cannot use, so nothing out of range reaches the
// database.
type Cursor struct {
	fields []int64
}

// maxDigits is the length of the largest int64, 9223372036854775807.
const maxDigits = 19

// NewCursor builds a cursor from its fields, which must be non-negative (a negative
// field makes a link that ParseCursor rejects).
func NewCursor(fields ...int64) Cursor {
	return Cursor{fields: append([]int64(nil), fields...)}
}

// ParseCursor reads a cursor of exactly n fields. Only the canonical spelling is
// accepted: decimal digits without sign, leading zeros or spaces, each within int64.
// Every failure is ErrBadCursor. An empty s is a failure too: callers treat "no cursor"
// as the first page before they get here.
func ParseCursor(s string, n int) (Cursor, error) {
	if n <= 0 || s == "" || len(s) > n*(maxDigits+1)-1 {
		return Cursor{}, ErrBadCursor
	}
	parts := strings.Split(s, ".")
	if len(parts) != n {
		return Cursor{}, ErrBadCursor
	}
	c := Cursor{fields: make([]int64, n)}
	for i, p := range parts {
		if !canonicalDigits(p) {
			return Cursor{}, ErrBadCursor
		}
		v, err := strconv.ParseInt(p, 10, 64)
		if err != nil { // more than math.MaxInt64
			return Cursor{}, ErrBadCursor
		}
		c.fields[i] = v
	}
	return c, nil
}

// canonicalDigits reports whether p is "0" or digits not starting with 0.
func canonicalDigits(p string) bool {
	if p == "" || len(p) > maxDigits || (p[0] == '0' && len(p) > 1) {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	return true
}

// String is the cursor as it appears in a URL; "" for the zero Cursor.
func (c Cursor) String() string {
	var b strings.Builder
	for i, v := range c.fields {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.FormatInt(v, 10))
	}
	return b.String()
}

// Len is the number of fields.
func (c Cursor) Len() int { return len(c.fields) }

// Int is field i as a number, any non-negative int64 (ids, counts).
func (c Cursor) Int(i int) int64 { return c.fields[i] }

// BoolField encodes a flag: 1 for true, 0 for false.
func BoolField(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// Bool reads field i as a flag written by BoolField: only 0 and 1 are valid.
func (c Cursor) Bool(i int) (bool, error) {
	switch c.fields[i] {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, ErrBadCursor
}

// TimeField encodes a time as microseconds since 1970, PostgreSQL's own precision, so a
// timestamp read from the database comes back exactly.
func TimeField(t time.Time) int64 { return t.UnixMicro() }

// The range of times a cursor may hold: the years 1970 to 9999. Beyond them a time is not
// one any row has, and may not be one PostgreSQL accepts.
var (
	minCursorTime = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	maxCursorTime = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro() - 1
)

// Time reads field i as a time written by TimeField, in UTC; a time outside the years
// 1970–9999 is ErrBadCursor.
func (c Cursor) Time(i int) (time.Time, error) {
	v := c.fields[i]
	if v < minCursorTime || v > maxCursorTime {
		return time.Time{}, ErrBadCursor
	}
	return time.UnixMicro(v).UTC(), nil
}

// Float32Field encodes a non-negative float32 (a search rank) by its IEEE 754 bits, which
// order the same way as the values and come back exactly.
func Float32Field(f float32) int64 { return int64(math.Float32bits(f)) }

// Float32 reads field i as a float written by Float32Field: bits of a finite,
// non-negative float32, or ErrBadCursor.
func (c Cursor) Float32(i int) (float32, error) {
	v := c.fields[i]
	if v >= 1<<31 { // the sign bit, or more than 32 bits
		return 0, ErrBadCursor
	}
	f := math.Float32frombits(uint32(v))
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return 0, ErrBadCursor
	}
	return f, nil
}

// Paginate finishes a keyset page: rows were fetched with LIMIT limit+1, so a row beyond
// limit means there is a next page, which starts after the last row kept. It returns at
// most limit rows and the next page's cursor, "" on the last page. key gives a row's
// position in the listing's order.
func Paginate[T any](rows []T, limit int, key func(T) Cursor) ([]T, string) {
	if limit <= 0 || len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	return rows, key(rows[limit-1]).String()
}
