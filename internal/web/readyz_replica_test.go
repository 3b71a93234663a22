package web_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"forum/internal/testdb"
	"forum/internal/webtest"
)

// TestReadyzReportsTheReplica: with DATABASE_READ_URL set, /readyz says whether reads go
// to the replica and its lag; when the replica goes away it says the reads fell back to
// the primary, and the instance stays ready (200): the primary serves those reads. A
// second test database stands in for the replica, as in TestReadsFromReplica.
func TestReadyzReportsTheReplica(t *testing.T) {
	t.Parallel()
	primaryDB, standInDB := testdb.New(t), testdb.New(t)
	in := webtest.Start(t, primaryDB, webtest.Options{ReadURL: standInDB.URL, Config: webtest.Roomy})
	e := &env{t: t, db: primaryDB, store: in.Store, server: in.Server, http: in.HTTP}
	type replica struct {
		InUse    *bool  `json:"in_use"`
		FellBack *bool  `json:"fallen_back"`
		LagMS    *int64 `json:"lag_ms"`
		MaxLagMS int64  `json:"max_lag_ms"`
	}
	ready := func() (replica, string) {
		t.Helper()
		resp, body := e.client().get("/readyz")
		wantStatus(t, resp, body, http.StatusOK)
		var v struct {
			Status  string   `json:"status"`
			Replica *replica `json:"replica"`
		}
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Fatalf("readyz: %v: %s", err, body)
		}
		if v.Status != "ready" {
			t.Fatalf("readyz status %q, want ready: %s", v.Status, body)
		}
		if v.Replica == nil || v.Replica.InUse == nil || v.Replica.FellBack == nil {
			t.Fatalf("readyz says nothing of the replica: %s", body)
		}
		return *v.Replica, body
	}

	r, body := ready()
	// The stand-in is not in recovery: it counts as current.
	if !*r.InUse || *r.FellBack || r.LagMS == nil || *r.LagMS != 0 || r.MaxLagMS != 2000 {
		t.Fatalf("a healthy replica: want in use, not fallen back, lag 0 of at most 2000 ms: %s", body)
	}

	// The replica goes away: /readyz, 200 all along, says so within a check or two.
	in.Store.ReplicaDB().Close()
	deadline := time.Now().Add(5 * time.Second)
	for r, body = ready(); *r.InUse; r, body = ready() {
		if time.Now().After(deadline) {
			t.Fatalf("5 s after the replica went away /readyz still says it is in use: %s", body)
		}
		time.Sleep(50 * time.Millisecond) // the next check is due a second after the last
	}
	if !*r.FellBack || r.LagMS != nil {
		t.Fatalf("a replica that is gone: want fallen back and no lag figure: %s", body)
	}

	// Without a replica there is no replica section.
	plain := newEnv(t)
	resp, body := plain.client().get("/readyz")
	wantStatus(t, resp, body, http.StatusOK)
	var v map[string]any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("readyz: %v: %s", err, body)
	}
	if _, ok := v["replica"]; ok {
		t.Fatalf("readyz reports a replica where none is configured: %s", body)
	}
}
