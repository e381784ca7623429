package apiclient

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// slowBody yields its chunks with a pause before each, like a large file
// sent over a slow link.
type slowBody struct {
	chunks []string
	pause  time.Duration
}

func (b *slowBody) Read(p []byte) (int, error) {
	if len(b.chunks) == 0 {
		return 0, io.EOF
	}
	time.Sleep(b.pause)
	n := copy(p, b.chunks[0])
	b.chunks[0] = b.chunks[0][n:]
	if b.chunks[0] == "" {
		b.chunks = b.chunks[1:]
	}
	return n, nil
}

// TestUploadOutlivesRequestTimeout: an upload that takes longer than the
// client's per-request timeout still completes; only its context bounds it.
func TestUploadOutlivesRequestTimeout(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, _ := io.ReadAll(r.Body)
		got = string(data)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"rows":3}`)
	}))
	defer srv.Close()
	c, err := New(srv.URL, "tok")
	if err != nil {
		t.Fatal(err)
	}
	c.HTTP.Timeout = 150 * time.Millisecond
	body := &slowBody{chunks: []string{"a,", "b,", "c,", "d"}, pause: 100 * time.Millisecond}
	var out struct{ Rows int }
	if err := c.Upload(context.Background(), "/up", "text/csv", body, &out); err != nil {
		t.Fatalf("upload: %v", err)
	}
	if got != "a,b,c,d" || out.Rows != 3 {
		t.Fatalf("server got %q, answer %+v", got, out)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	body = &slowBody{chunks: []string{"a,", "b,", "c,", "d"}, pause: 100 * time.Millisecond}
	if err := c.Upload(ctx, "/up", "text/csv", body, &out); err == nil || !strings.Contains(err.Error(), "deadline") {
		t.Fatalf("an upload past its context's deadline: %v", err)
	}
}
