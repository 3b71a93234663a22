package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"forum/internal/forum"
	"forum/internal/web"
)

// exportDoc is the export's JSON as a reader of the file sees it.
type exportDoc struct {
	Account struct {
		ID       int64  `json:"id"`
		Username string `json:"username"`
	} `json:"account"`
	ExportedAt time.Time `json:"exported_at"`
	Posts      []struct {
		ID          int64  `json:"id"`
		ThreadID    int64  `json:"thread_id"`
		ThreadTitle string `json:"thread_title"`
		ParentID    *int64 `json:"parent_id"`
		Status      string `json:"status"`
		BodySource  string `json:"body_source"`
		BodyHTML    string `json:"body_html"`
	} `json:"posts"`
	Notifications []struct {
		PostID int64  `json:"post_id"`
		Text   string `json:"text"`
	} `json:"notifications"`
}

// TestExport: the export is one JSON document, offered as a download, holding every post
// of the person's — across several of the export's batches, whatever became of each post
// — and their notifications; nobody else's posts, and nothing for a visitor.
func TestExport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	alice, bob := e.user("alice", forum.RoleMember), e.user("bob", forum.RoleMember)
	th, op := e.fx.Thread(alice, "Everything alice wrote", "Alice's opening post.")
	other, _ := e.fx.Thread(bob, "Bob's own thread", "Bob's opening post.")
	const replies = 1100 // more than two of the export's batches of 500
	// One statement writes them, shaped as replies to the opening post: through the
	// fixture they take 15 s, and what is tested is the reading, not the writing.
	e.db.MustExec(`
		INSERT INTO posts (id, thread_id, parent_id, author_id, path, depth, top_id, body_source, body_html)
		SELECT n.id, $1, $2, $3, ARRAY[$2::bigint, n.id], 1, n.id, 'Bulk reply ' || n.g, '<p>Bulk reply ' || n.g || '</p>'
		FROM (SELECT nextval(pg_get_serial_sequence('posts', 'id')) AS id, g FROM generate_series(1, $4::int) g) n`,
		th.ID, op.ID, alice.ID, replies)
	inOther := e.fx.Reply(other, alice, nil, "Alice in bob's thread.", forum.StanceHelps)
	gone := e.fx.Reply(th, alice, op, "Alice then deleted this.", forum.StanceNone)
	if err := e.store.DeletePost(t.Context(), gone.ID, alice.ID, ""); err != nil {
		t.Fatal(err)
	}
	e.fx.Reply(th, bob, op, "Bob replies to alice.", forum.StanceNone)

	resp, body := e.client().get(web.RouteSettingsExport)
	wantStatus(t, resp, body, http.StatusSeeOther) // a visitor is sent to log in

	c := e.login("alice")
	resp, body = c.get(web.RouteSettingsExport)
	wantStatus(t, resp, body, http.StatusOK)
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="alice-`) {
		t.Errorf("Content-Disposition %q", cd)
	}
	var doc exportDoc
	if err := json.Unmarshal([]byte(body), &doc); err != nil {
		t.Fatalf("the export is not one JSON document: %v\n%.500s", err, body)
	}
	if doc.Account.Username != "alice" || doc.Account.ID != alice.ID {
		t.Errorf("account %+v", doc.Account)
	}
	var want []int64
	if err := e.db.Select(&want, `SELECT id FROM posts WHERE author_id = $1 ORDER BY id`, alice.ID); err != nil {
		t.Fatal(err)
	}
	if len(want) != replies+3 {
		t.Fatalf("alice has %d posts, want %d", len(want), replies+3)
	}
	if len(doc.Posts) != len(want) {
		t.Fatalf("the export holds %d posts, alice wrote %d", len(doc.Posts), len(want))
	}
	seen := map[string]bool{}
	for i, p := range doc.Posts {
		if p.ID != want[i] {
			t.Fatalf("post %d of the export is %d, want %d (every post, oldest first)", i, p.ID, want[i])
		}
		seen[p.BodySource] = true
		switch p.ID {
		case inOther.ID:
			if p.ThreadTitle != "Bob's own thread" || p.ThreadID != other.ID || p.BodyHTML == "" {
				t.Errorf("post in bob's thread exported as %+v", p)
			}
		case gone.ID:
			if p.Status != string(forum.StatusDeleted) || p.BodySource != gone.BodySource {
				t.Errorf("deleted post exported as %+v", p)
			}
		}
	}
	for _, s := range []string{"Alice's opening post.", "Bulk reply 1", fmt.Sprintf("Bulk reply %d", replies)} {
		if !seen[s] {
			t.Errorf("the export lacks %q", s)
		}
	}
	if seen["Bob's opening post."] || seen["Bob replies to alice."] {
		t.Error("the export holds bob's posts")
	}
	if len(doc.Notifications) != 1 || !strings.Contains(doc.Notifications[0].Text, "bob replied to your post") {
		t.Errorf("notifications %+v, want bob's reply", doc.Notifications)
	}
}
