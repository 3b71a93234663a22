package browsertest

import (
	"strings"
	"testing"

	build "forum/internal/fixture"
	"forum/internal/markup"
	"forum/internal/multitest"
	"forum/internal/store"
	"forum/internal/testdb"
)

// TestJourneyParticipantThroughCaddy: the participant's whole journey with the browser
// talking to Caddy (deploy/Caddyfile, round robin) in front of two `forum serve`
// processes that reach PostgreSQL through PgBouncer in transaction mode. Every page
// and form may land on either instance. The instances log the browser's address (::1),
// not Caddy's (127.0.0.1), both served the browser, and PgBouncer saw their logins.
func TestJourneyParticipantThroughCaddy(t *testing.T) {
	e := multitest.Shared(t)
	db := testdb.New(t)
	p := e.Start(t, multitest.DBName(db.URL), multitest.Options{Caddy: true})
	st, md := store.New(db.DB), markup.New()
	s := &site{t: t, URL: p.Base, store: st, md: md, fx: build.New(t, st, md)}
	journeyParticipant(t, s)

	if !e.Bouncer.Served(multitest.DBName(db.URL)) {
		t.Error("PgBouncer let no client in to the test database: the instances bypassed it")
	}

	for i, in := range []*multitest.Instance{p.A, p.B} {
		served := 0
		for _, l := range in.Lines() {
			path, _ := l["path"].(string)
			// Caddy's own health checks (and the harness's readiness polls) come from 127.0.0.1.
			if l["msg"] != "request" || path == "/readyz" || path == "/healthz" {
				continue
			}
			served++
			if l["client_ip"] != "::1" {
				t.Errorf("instance %c logged client %v for %s %s, want the browser's ::1", 'a'+i, l["client_ip"], l["method"], path)
			}
			if strings.HasPrefix(path, "/t/") && l["status"] == float64(500) {
				t.Errorf("instance %c answered %s with a 500", 'a'+i, path)
			}
		}
		if served == 0 {
			t.Errorf("instance %c served none of the browser's requests", 'a'+i)
		}
	}
}
