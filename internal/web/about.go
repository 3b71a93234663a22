package web

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

func (s *Server) about(c *gin.Context) {
	s.html(c, http.StatusOK, "about", s.T(c, "title.about"), s.aboutHTML)
}
