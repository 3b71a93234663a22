package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *Server) forumRoutes(app *gin.RouterGroup) {}

func (s *Server) home(c *gin.Context) {
	s.html(c, http.StatusOK, "home", "", nil)
}
