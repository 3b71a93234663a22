package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/CAFxX/httpcompression"
)

// compressibleTypes are the responses worth compressing: text, in all its forms.
// Images (other than SVG) and fonts are compressed already.
var compressibleTypes = []string{
	"text/html", "text/css", "text/plain", "text/javascript", "text/xml",
	"application/javascript", "application/json", "application/xml",
	"application/rss+xml", "application/atom+xml", "image/svg+xml",
}

// withCompression wraps h so that text responses are compressed as Accept-Encoding
// asks: brotli preferred, then gzip, bodies under 200 bytes left alone, with Vary:
// Accept-Encoding. Responses that already carry a Content-Encoding (the page cache's,
// compressed once when stored) pass through. Event streams bypass it entirely: they
// must reach the reader event by event, unbuffered.
func withCompression(h http.Handler) (http.Handler, error) {
	adapter, err := httpcompression.Adapter(
		httpcompression.BrotliCompressionLevel(4), // per request: speed over the last few percent
		httpcompression.GzipCompressionLevel(6),
		httpcompression.MinSize(httpcompression.DefaultMinSize),
		httpcompression.ContentTypes(compressibleTypes, false),
		httpcompression.Prefer(httpcompression.PreferServer),
	)
	if err != nil {
		return nil, fmt.Errorf("compression: %w", err)
	}
	compressed := adapter(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isEventStream(r.URL.Path) {
			h.ServeHTTP(w, r)
			return
		}
		compressed.ServeHTTP(w, r)
	}), nil
}

// isEventStream reports whether path is one of the server-sent event streams
// (RouteEvents, RouteUnreadEvents).
func isEventStream(path string) bool { return strings.HasSuffix(path, "/events") }
