package web

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"forum/internal/store"
)

// healthz says the process is up; it touches nothing else.
func (s *Server) healthz(c *gin.Context) {
	c.String(http.StatusOK, "ok\n")
}

// readyz says whether a load balancer should send this instance traffic, with the
// pool's state as JSON. It fails (503, "unavailable") only when the database does not
// answer within its timeout. A pool with every connection busy answering other requests
// is "busy" but ready (200): the database is there, and taking the instance out would
// only pile its visitors onto the other instances, which share that database. With a read
// replica it says whether reads go there, or fell back to the primary; either way the
// instance stays ready, since the primary serves those reads too.
func (s *Server) readyz(c *gin.Context) {
	ctx := c.Request.Context()
	v := readyView{Status: "ready"}
	code := http.StatusOK
	if err := s.store.Ping(ctx); errors.Is(err, store.ErrPoolBusy) {
		v.Status = "busy"
	} else if err != nil {
		slog.WarnContext(ctx, "readiness check failed", "err", err)
		v.Status, code = "unavailable", http.StatusServiceUnavailable
	}
	p := s.store.PoolState()
	v.Pool = poolView{
		MaxOpen: p.MaxOpenConnections, Open: p.OpenConnections, InUse: p.InUse, Idle: p.Idle,
		WaitCount: p.WaitCount, WaitDurationMS: p.WaitDuration.Milliseconds(), PoolWaitMS: p.PoolWait.Milliseconds(),
		WritesInUse: p.WritesInUse, MaxWrites: p.MaxWrites,
	}
	if h, ok := s.store.ReplicaHealthNow(ctx); ok {
		v.Replica = &replicaView{InUse: h.InUse, FellBack: !h.InUse, MaxLagMS: h.MaxLag.Milliseconds()}
		if h.Lag >= 0 && h.Lag < time.Duration(1<<63-1) {
			ms := h.Lag.Milliseconds()
			v.Replica.LagMS = &ms
		}
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(code, v)
}

// readyView is /readyz's answer.
type readyView struct {
	Status  string       `json:"status"` // ready, busy or unavailable
	Pool    poolView     `json:"pool"`
	Replica *replicaView `json:"replica,omitempty"` // only with DATABASE_READ_URL
}

// replicaView is the read replica as its last check found it.
type replicaView struct {
	InUse    bool   `json:"in_use"`      // lag-tolerant reads go to the replica
	FellBack bool   `json:"fallen_back"` // they go to the primary: the replica is behind, down or failing
	LagMS    *int64 `json:"lag_ms"`      // at the last check; null when it could not be measured
	MaxLagMS int64  `json:"max_lag_ms"`  // FORUM_READ_MAX_LAG
}

// poolView is the connection pool as database/sql counts it, and the store's write slots.
type poolView struct {
	MaxOpen        int   `json:"max_open"`
	Open           int   `json:"open"`
	InUse          int   `json:"in_use"`
	Idle           int   `json:"idle"`
	WaitCount      int64 `json:"wait_count"`       // requests that waited for a connection, ever
	WaitDurationMS int64 `json:"wait_duration_ms"` // their total wait
	PoolWaitMS     int64 `json:"pool_wait_ms"`     // the longest one request may wait
	WritesInUse    int   `json:"writes_in_use"`
	MaxWrites      int   `json:"max_writes"` // 0: no limit
}
