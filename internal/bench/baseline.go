package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
)

// Recorded is one read scenario's answer, kept to be served again by the baseline.
type Recorded struct {
	Path   string      `json:"path"` // with its query: the key the baseline serves it under
	Status int         `json:"status"`
	Header http.Header `json:"header"` // Content-Type, Content-Encoding, ETag, Vary...
	Body   []byte      `json:"body"`
}

// Record fetches url with the request's headers and keeps its answer under path.
func Record(c *http.Client, path, url string, header http.Header) (Recorded, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return Recorded{}, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		return Recorded{}, fmt.Errorf("record %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return Recorded{}, fmt.Errorf("record %s: %w", path, err)
	}
	h := http.Header{}
	for _, k := range []string{"Content-Type", "Content-Encoding", "Etag", "Vary", "Cache-Control"} {
		if v := resp.Header.Values(k); len(v) > 0 {
			h[k] = v
		}
	}
	return Recorded{Path: path, Status: resp.StatusCode, Header: h, Body: body}, nil
}

// Baseline is the fastest server we could write for the same answers: a map lookup and
// one write of bytes held in memory. Each read scenario's figures are quoted as a ratio
// to this one's, measured in the same run on the same machine.
func Baseline(recs []Recorded) http.Handler {
	byPath := map[string]Recorded{}
	for _, r := range recs {
		byPath[r.Path] = r
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec, ok := byPath[r.URL.RequestURI()]
		if !ok {
			http.NotFound(w, r)
			return
		}
		for k, v := range rec.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Status)
		_, _ = w.Write(rec.Body)
	})
}

// SaveRecorded and LoadRecorded pass the answers to the baseline's own process.
func SaveRecorded(path string, recs []Recorded) error {
	data, err := json.Marshal(recs)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}

func LoadRecorded(path string) ([]Recorded, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var recs []Recorded
	if err := json.Unmarshal(data, &recs); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return recs, nil
}
