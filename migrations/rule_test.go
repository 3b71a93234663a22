package migrations

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// lastReviewed is the last migration checked by hand against old instances still
// running (docs/operations.md, "Upgrades"); the rule below guards the ones after it.
const lastReviewed = "00016"

// breakingMarker is what a migration after lastReviewed must say when it may break the
// previous release's code while that still runs: the upgrade notes then say to stop the
// old instances first.
const breakingMarker = "-- breaking: stop old instances"

// breaking matches the statements that can break old code still running: dropping or
// renaming what it names (a column, a table, the unique index its ON CONFLICT infers, as
// 00011 did), changing a column's type, or a new NOT NULL its inserts do not fill.
var breaking = regexp.MustCompile(`(?is)\bDROP\s+(COLUMN|TABLE|CONSTRAINT|INDEX|VIEW|FUNCTION|TYPE)\b|\bRENAME\b|\bALTER\s+COLUMN\s+\S+\s+(SET\s+DATA\s+)?TYPE\b|\bSET\s+NOT\s+NULL\b`)

// TestMigrationsAreAdditiveOrMarked keeps the upgrade rule for migrations after
// lastReviewed: additive (expand/contract: add, deploy code that uses it, drop what old
// code used only in a later release), or marked with breakingMarker.
func TestMigrationsAreAdditiveOrMarked(t *testing.T) {
	names, err := fs.Glob(FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if name[:5] <= lastReviewed {
			continue
		}
		b, err := FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		if strings.Contains(src, breakingMarker) {
			continue
		}
		up, _, _ := strings.Cut(src, "-- +goose Down")
		var code strings.Builder
		for line := range strings.Lines(up) {
			if l, _, _ := strings.Cut(line, "--"); strings.TrimSpace(l) != "" {
				code.WriteString(l + "\n")
			}
		}
		if m := breaking.FindString(code.String()); m != "" {
			t.Errorf("%s: %q may break the previous release's instances during a rolling upgrade: "+
				"split it (expand now, contract in a later release) or mark it %q and say so in the upgrade notes",
				name, m, breakingMarker)
		}
	}
}
