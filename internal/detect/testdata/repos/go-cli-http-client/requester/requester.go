package requester

import "net/http"

// Work sends N requests.
type Work struct {
	Request *http.Request
	N       int
}

// Run sends the requests.
func (w *Work) Run() {
	for i := 0; i < w.N; i++ {
		_, _ = http.DefaultClient.Do(w.Request)
	}
}
