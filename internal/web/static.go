package web

import (
	"io/fs"
	"net/http"
	"strings"

	"forum/internal/forum"

	"github.com/gin-gonic/gin"
)

// static serves embedded files. A URL carrying the file's current hash (?v=) is cached
// for a year; every response has an ETag, so revalidation costs a 304.
func (s *Server) static(files fs.FS) gin.HandlerFunc {
	sub, _ := fs.Sub(files, "static")
	server := http.FileServer(http.FS(sub))
	return func(c *gin.Context) {
		name := strings.TrimPrefix(c.Param("file"), "/")
		hash, ok := s.render.assets[name]
		if !ok {
			s.error(c, forum.Errorf(forum.ENotFound, "No such file.").T("error.no_file"))
			return
		}
		etag := `"` + hash + `"`
		c.Header("ETag", etag)
		if c.Query("v") == hash {
			c.Header("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			c.Header("Cache-Control", "public, max-age=300")
		}
		if c.GetHeader("If-None-Match") == etag {
			c.Status(http.StatusNotModified)
			return
		}
		c.Request.URL.Path = "/" + name
		server.ServeHTTP(c.Writer, c.Request)
	}
}
