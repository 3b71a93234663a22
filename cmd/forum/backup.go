package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// backupCmd writes the whole database as pg_dump's custom format (-Fc) to the file named
// by args[0], or to stdout for "-". The dump is one consistent snapshot taken while the
// forum keeps serving; pg_restore reads it back (docs/operations.md). The file appears
// under its name only once pg_dump has finished, so a failed backup never leaves a
// truncated file that looks like a good one.
func backupCmd(ctx context.Context, dbURL string, args []string, stdout io.Writer) error {
	if len(args) != 1 {
		return errors.New("usage: forum backup FILE (\"-\" writes to standard output)")
	}
	bin, err := findPGTool("pg_dump")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	conn, password, err := libpqURL(dbURL)
	if err != nil {
		return err
	}
	env := os.Environ()
	if password != "" {
		env = append(env, "PGPASSWORD="+password)
	}
	// --format=custom is compressed, and pg_restore can restore it selectively and in
	// parallel. Owners and grants are kept; `pg_restore --no-owner --no-acl` drops them
	// when the restoring cluster has other roles.
	dumpArgs := []string{"--format=custom", "--dbname=" + conn}
	start := time.Now()
	out := args[0]
	if out == "-" {
		cmd := exec.CommandContext(ctx, bin, dumpArgs...)
		cmd.Env, cmd.Stdout, cmd.Stderr = env, stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("backup: %s: %w", bin, err)
		}
		slog.Info("backup written", "file", "-", "took", time.Since(start).Round(time.Millisecond).String())
		return nil
	}
	tmp := out + ".partial"
	cmd := exec.CommandContext(ctx, bin, append(dumpArgs, "--file="+tmp)...)
	cmd.Env, cmd.Stdout, cmd.Stderr = env, os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("backup: %s: %w", bin, err)
	}
	if err := os.Rename(tmp, out); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	var size int64
	if fi, err := os.Stat(out); err == nil {
		size = fi.Size()
	}
	slog.Info("backup written", "file", out, "bytes", size, "took", time.Since(start).Round(time.Millisecond).String())
	return nil
}

// findPGTool finds a PostgreSQL client tool (pg_dump, pg_restore) on PATH or, where
// Debian keeps one per major version off PATH, the newest under /usr/lib/postgresql: a
// pg_dump older than the server refuses to dump it, so the newest is the right pick.
func findPGTool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	found, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name)
	sort.Slice(found, func(i, j int) bool { return pgMajor(found[i]) < pgMajor(found[j]) })
	if len(found) > 0 {
		return found[len(found)-1], nil
	}
	return "", fmt.Errorf("%s not found: install PostgreSQL's client tools of the server's major version or newer (Debian: apt-get install postgresql-client)", name)
}

// pgMajor is the version directory of /usr/lib/postgresql/<major>/bin/pg_dump.
func pgMajor(path string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(path))))
	return n
}

// libpqURL turns DATABASE_URL into what pg_dump is given: the query parameters lib/pq
// understands but libpq rejects ("invalid URI query parameter") are dropped, and the
// password moves out of the URL into PGPASSWORD, so it is not on the command line for
// every user of the machine to read in ps. A key=value DSN is passed through as it is.
func libpqURL(raw string) (conn, password string, err error) {
	if !strings.HasPrefix(raw, "postgres://") && !strings.HasPrefix(raw, "postgresql://") {
		return raw, "", nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", "", errors.New("DATABASE_URL: not a valid URL")
	}
	q := u.Query()
	for k := range q {
		switch strings.ToLower(k) {
		case "binary_parameters", "disable_prepared_binary_result":
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	if pw, ok := u.User.Password(); ok {
		password = pw
		u.User = url.User(u.User.Username())
	}
	return u.String(), password, nil
}
