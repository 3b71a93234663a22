package web

import (
	"net/http"
	"net/http/pprof"
)

// RoutePprof is where the metrics listener serves Go's profiles. Only there: a profile
// shows the server's code paths and can be asked for at a CPU cost, so the public
// listener never serves it (like /metrics without its token).
const RoutePprof = "/debug/pprof/"

// handlePprof adds the runtime profiles (CPU, heap, goroutines, mutex, ...) to mux.
// Registered explicitly: importing net/http/pprof also registers on
// http.DefaultServeMux, which no listener of ours serves.
func handlePprof(mux *http.ServeMux) {
	mux.HandleFunc("GET "+RoutePprof, pprof.Index)
	mux.HandleFunc("GET "+RoutePprof+"cmdline", pprof.Cmdline)
	mux.HandleFunc("GET "+RoutePprof+"profile", pprof.Profile)
	mux.HandleFunc("GET "+RoutePprof+"symbol", pprof.Symbol)
	mux.HandleFunc("GET "+RoutePprof+"trace", pprof.Trace)
}
