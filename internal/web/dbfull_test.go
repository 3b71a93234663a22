package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"forum/internal/forum"
	"forum/internal/store"
)

// TestDatabaseFullIsA503: when PostgreSQL refuses a write for want of disk space
// (SQLSTATE 53100, raised here by a trigger exactly as a full disk raises it), the writer
// gets a 503 with Retry-After that says the database is full, with their text kept, not a
// 500; reading still works.
func TestDatabaseFullIsA503(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ann := e.user("ann", forum.RoleMember)
	th, _ := e.fx.Thread(ann, "A thread", "Opening post.")
	if _, err := e.db.Exec(`
		CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'could not extend file "base/1/2": No space left on device' USING ERRCODE = 'disk_full'; END $$;
		CREATE TRIGGER disk_full BEFORE INSERT ON posts FOR EACH ROW EXECUTE FUNCTION disk_full();`); err != nil {
		t.Fatal(err)
	}
	c := e.login("ann")
	page := fmt.Sprintf("/t/%d", th.ID)
	resp, body := c.post(page+"/reply", url.Values{"body": {"Words that could not be saved."}})
	wantStatus(t, resp, body, http.StatusServiceUnavailable)
	if got := resp.Header.Get("Retry-After"); got != "60" {
		t.Errorf("Retry-After %q; want 60", got)
	}
	if text := html.UnescapeString(body); !strings.Contains(text, store.ErrDatabaseFull.Message) ||
		!strings.Contains(text, "Words that could not be saved.") {
		t.Errorf("the refusal does not say the database is full or lost the reply's text:\n%.3000s", body)
	}
	resp, body = c.get(page)
	wantStatus(t, resp, body, http.StatusOK)
}
