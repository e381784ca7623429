package server

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

func getMetrics(t *testing.T, url, auth string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestMetricsProtected: by default /metrics is not served on the API
// address; --metrics-token ($CAPSULE_METRICS_TOKEN) serves it to a bearer
// of the token, and --metrics-addr on a listener of its own without one.
func TestMetricsProtected(t *testing.T) {
	s := start(t, t.TempDir(), map[string]string{"CAPSULE_ADMIN_PASSWORD": testPassword})
	if status, _ := getMetrics(t, "http://"+s.addr+"/metrics", ""); status != http.StatusNotFound {
		t.Fatalf("default: %d", status)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metricsAddr := ln.Addr().String()
	ln.Close()
	const token = "0123456789abcdef0123"
	s = startWith(t, Options{DataDir: t.TempDir(), MetricsAddr: metricsAddr},
		map[string]string{"CAPSULE_ADMIN_PASSWORD": testPassword, "CAPSULE_METRICS_TOKEN": token})
	if status, _ := getMetrics(t, "http://"+s.addr+"/metrics", ""); status != http.StatusUnauthorized {
		t.Errorf("API listener without the token: %d", status)
	}
	if status, body := getMetrics(t, "http://"+s.addr+"/metrics", "Bearer "+token); status != 200 || !strings.Contains(body, "capsule_http_requests_total") {
		t.Errorf("API listener with the token: %d", status)
	}
	if status, body := getMetrics(t, "http://"+metricsAddr+"/metrics", ""); status != 200 || !strings.Contains(body, "capsule_http_requests_total") {
		t.Errorf("metrics listener: %d", status)
	}
	if status, _ := getMetrics(t, "http://"+metricsAddr+"/api/v1/projects", ""); status != http.StatusNotFound {
		t.Errorf("the metrics listener serves the API: %d", status)
	}
}

func TestValidateMetrics(t *testing.T) {
	o := Options{MetricsAddr: "9090", MetricsToken: "short", Getenv: func(string) string { return "" }}
	o.Complete()
	err := o.Validate()
	for _, want := range []string{`--metrics-addr "9090"`, "--metrics-token is 5 characters"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want %s", err, want)
		}
	}
}
