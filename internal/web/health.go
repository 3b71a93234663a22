package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// healthz says the process is up; it touches nothing else.
func (s *Server) healthz(c *gin.Context) {
	c.String(http.StatusOK, "ok\n")
}

// readyz says the database answers, so a load balancer can take the instance out.
func (s *Server) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	if err := s.store.Ping(ctx); err != nil {
		slog.WarnContext(ctx, "readiness check failed", "err", err)
		c.String(http.StatusServiceUnavailable, "database unreachable\n")
		return
	}
	c.String(http.StatusOK, "ready\n")
}
