package store_test

import (
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

	"forum/internal/forum"
	"forum/migrations"
)

// TestCreateUserSkeleton: the store refuses a look-alike of an existing name for every
// caller, the operator's `forum user add` and the seed included; reserved names are the
// registration form's rule, not the store's.
func TestCreateUserSkeleton(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := t.Context()
	if _, err := w.st.CreateUser(ctx, "forum-team", "!locked", forum.RoleAdmin); err != nil {
		t.Fatalf("the operator may create a reserved name: %v", err)
	}
	for _, tc := range []struct{ name, msg string }{
		{"forum_team", "That name is too close to an existing one (forum-team)."},
		{"f0rumteam", "That name is too close to an existing one (forum-team)."},
		{"forum-team", `The username "forum-team" is taken.`},
	} {
		_, err := w.st.CreateUser(ctx, tc.name, "!locked", forum.RoleMember)
		if forum.ErrorCode(err) != forum.EConflict || !strings.Contains(forum.ErrorMessage(err), tc.msg) {
			t.Errorf("CreateUser(%q) = %v, want a conflict saying %q", tc.name, err, tc.msg)
		}
	}
	var skeleton string
	if err := w.db.Get(&skeleton, `SELECT skeleton FROM users WHERE username = 'forum-team'`); err != nil {
		t.Fatal(err)
	}
	if skeleton != forum.Skeleton("forum-team") {
		t.Errorf("stored skeleton %q, want %q", skeleton, forum.Skeleton("forum-team"))
	}
}

// TestSkeletonMigration: migration 00005 backfills existing users without failing on
// names that already collide, and its SQL skeleton equals forum.Skeleton.
func TestSkeletonMigration(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := t.Context()

	t.Run("SQLMirrorEqualsGo", func(t *testing.T) {
		// Every name the users table's CHECK allows is ASCII; these cover each fold.
		for _, name := range []string{"mod1", "m0d_1", "--mod--1--", "forum-team", "barn", "vvolf",
			"r-n", "rrnn", "vvv", "5ilo", "alice", "ri_jong_ok", "___", "0123456789"} {
			var got string
			if err := w.db.Get(&got, `SELECT username_skeleton($1)`, name); err != nil {
				t.Fatal(err)
			}
			if want := forum.Skeleton(name); got != want {
				t.Errorf("username_skeleton(%q) = %q, forum.Skeleton = %q", name, got, want)
			}
		}
	})

	t.Run("BackfillKeepsTheOldestOfACollision", func(t *testing.T) {
		p, err := goose.NewProvider(goose.DialectPostgres, w.db.DB.DB, migrations.FS)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.DownTo(ctx, 4); err != nil {
			t.Fatalf("migrate down to 4: %v", err)
		}
		// Users registered before the rule: "mod1" first, then two of its look-alikes.
		if _, err := w.db.Exec(`
			INSERT INTO users (username, password_hash, created_at) VALUES
				('mod1', '!', now() - interval '3 days'),
				('modl', '!', now() - interval '2 days'),
				('m0d_1', '!', now() - interval '1 day'),
				('bob', '!', now())`); err != nil {
			t.Fatal(err)
		}
		if _, err := p.UpTo(ctx, 5); err != nil {
			t.Fatalf("migrate up to 5 over colliding names: %v", err)
		}
		got := map[string]*string{}
		rows, err := w.db.Query(`SELECT username, skeleton FROM users`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			var sk *string
			if err := rows.Scan(&name, &sk); err != nil {
				t.Fatal(err)
			}
			got[name] = sk
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]string{"mod1": "modl", "modl": "", "m0d_1": "", "bob": "bob"} {
			sk, ok := got[name]
			switch {
			case !ok:
				t.Errorf("user %s lost by the migration", name)
			case want == "" && sk != nil:
				t.Errorf("%s: skeleton %q, want NULL (a younger look-alike)", name, *sk)
			case want != "" && (sk == nil || *sk != want):
				t.Errorf("%s: skeleton %v, want %q", name, sk, want)
			}
		}
		// The skeleton stays taken: a new look-alike names the oldest holder (with the
		// later migrations applied, as the store expects).
		if _, err := p.Up(ctx); err != nil {
			t.Fatalf("migrate up: %v", err)
		}
		_, err = w.st.CreateUser(ctx, "mod-l", "!", forum.RoleMember)
		if msg := forum.ErrorMessage(err); !strings.Contains(msg, "(mod1)") {
			t.Errorf("new look-alike after the backfill: %v", err)
		}
	})
}
