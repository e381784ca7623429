package agent_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/agent"
	"github.com/usecapsule/capsule/internal/egress"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/identity/token"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/inventory"
	"github.com/usecapsule/capsule/internal/sqlstore"
	"github.com/usecapsule/capsule/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// controlPlane is a real Capsule API over a real SQLite store on
// 127.0.0.1, reached through a TCP proxy the test can cut.
type controlPlane struct {
	t     testing.TB
	dsn   string
	st    *sqlstore.Store
	ids   *identitystore.Store
	inv   *inventory.Service
	srv   *httptest.Server
	proxy *proxy
}

func startControlPlane(t testing.TB) *controlPlane {
	t.Helper()
	cp := &controlPlane{t: t, dsn: filepath.Join(t.TempDir(), "capsule.db")}
	cp.start()
	cp.proxy = newProxy(t, cp.srv.Listener.Addr().String())
	t.Cleanup(func() { cp.stop() })
	return cp
}

func (cp *controlPlane) start() {
	t := cp.t
	t.Helper()
	st, err := sqlstore.Open(context.Background(), cp.dsn, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cp.st, cp.ids = st, identitystore.New(st)
	api, err := httpapi.New(httpapi.Config{Store: st, Tokens: token.NewIssuer([]byte(strings.Repeat("k", 32)), token.DefaultTTL),
		Access: httpapi.AccessConfig{Identity: cp.ids}})
	if err != nil {
		t.Fatal(err)
	}
	cp.inv = api.Inventory()
	cp.srv = httptest.NewServer(api)
}

func (cp *controlPlane) stop() {
	if cp.srv != nil {
		cp.srv.CloseClientConnections()
		cp.srv.Close()
		cp.st.Close()
		cp.srv = nil
	}
}

// restart stops the API and its store and starts them again on the same
// database; the proxy then forwards to the new server.
func (cp *controlPlane) restart() {
	cp.stop()
	cp.start()
	cp.proxy.setBackend(cp.srv.Listener.Addr().String())
}

func (cp *controlPlane) url() string { return "http://" + cp.proxy.addr }

func (cp *controlPlane) joinToken(t testing.TB, cluster string) string {
	t.Helper()
	tok, _, err := cp.inv.IssueJoinToken(context.Background(), cluster, "org-1", "user-1", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// runAgent starts an agent against cluster c until the returned stop is
// called (or the test ends).
func runAgent(t testing.TB, c *testenv.Cluster, server, joinToken, stateFile string, p agent.Privacy, mutate ...func(*agent.Options)) (stop func()) {
	t.Helper()
	o := agent.Options{Server: server, Token: joinToken, StateFile: stateFile, Kube: c.ReadOnlyConfig,
		HTTP: loopbackClient(), Privacy: p, Version: "test",
		Heartbeat: 500 * time.Millisecond, MinBackoff: 20 * time.Millisecond, MaxBackoff: 300 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(testWriter{t}, nil))}
	for _, m := range mutate {
		m(&o)
	}
	a, err := agent.New(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("agent: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// testWriter sends the agent's log to the test's.
type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// proxy forwards TCP connections to a backend until cut, on a fixed port.
type proxy struct {
	t       testing.TB
	addr    string
	mu      sync.Mutex
	backend string
	ln      net.Listener
	conns   map[net.Conn]bool
}

func newProxy(t testing.TB, backend string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, addr: ln.Addr().String(), backend: backend, conns: map[net.Conn]bool{}}
	p.serve(ln)
	t.Cleanup(p.cut)
	return p
}

func (p *proxy) setBackend(b string) { p.mu.Lock(); p.backend = b; p.mu.Unlock() }

func (p *proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.forward(c)
		}
	}()
}

func (p *proxy) forward(c net.Conn) {
	p.mu.Lock()
	backend := p.backend
	p.mu.Unlock()
	b, err := net.Dial("tcp", backend)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[b] = true, true
	p.mu.Unlock()
	go func() { io.Copy(b, c); b.Close() }()
	io.Copy(c, b)
	c.Close()
}

// cut closes the listener and every connection: the network is down.
func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
}

// restore listens again on the same address.
func (p *proxy) restore() {
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ {
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		p.t.Fatalf("proxy: listen again on %s: %v", p.addr, err)
	}
	p.serve(ln)
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, within time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, detail := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s: %s", what, within, detail)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var _ = http.StatusOK

// loopbackClient is the guarded egress client allowing loopback, where the
// tests' control plane listens.
func loopbackClient() *http.Client {
	return egress.New(egress.Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
}
