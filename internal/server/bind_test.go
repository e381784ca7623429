package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"regexp"
	"strings"
	"testing"
)

// TestBusyPortKeepsTheGeneratedPassword: a first start on a busy port fails
// before the owner is created, so nothing is printed and the next start, on
// a free port, still generates and prints the password.
func TestBusyPortKeepsTheGeneratedPassword(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	dir := t.TempDir()
	stderr := &lockedBuffer{}
	err = Run(context.Background(), Options{Listen: busy.Addr().String(), DataDir: dir, AdminEmail: "owner@example.com",
		Stderr: stderr, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)), Getenv: func(string) string { return "" }})
	if err == nil || !strings.Contains(err.Error(), "listening on "+busy.Addr().String()) {
		t.Fatalf("Run on a busy port = %v, want a listening error", err)
	}
	if strings.Contains(stderr.String(), "password") {
		t.Fatalf("a start that failed printed a password: %q", stderr.String())
	}

	s := start(t, dir, nil)
	m := regexp.MustCompile(`generated password \(shown only once\): (\S+)`).FindStringSubmatch(s.stderr.String())
	if m == nil {
		t.Fatalf("the start after the busy port printed no password: %q", s.stderr.String())
	}
	login(t, s.addr, "owner@example.com", m[1])
}
