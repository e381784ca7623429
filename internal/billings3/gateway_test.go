package billings3_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// The S3-compatible server the tests run: versitygw (Apache-2.0) with its
// POSIX backend, built from the Go module proxy once and cached like the
// Kubernetes binaries of internal/testenv.
const (
	gatewayModule  = "github.com/versity/versitygw/cmd/versitygw"
	gatewayVersion = "v1.8.0"
	gatewayAccess  = "capsuletest"
	gatewaySecret  = "capsuletest-secret-key-0123456789"
)

// gatewayBinary returns the cached versitygw, building it when missing.
func gatewayBinary(t *testing.T) string {
	t.Helper()
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(cache, "capsule", "versitygw", gatewayVersion)
	bin := filepath.Join(dir, "versitygw")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	tmp := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute) // a cold build on a loaded machine took 17 minutes
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "install", gatewayModule+"@"+gatewayVersion)
	cmd.Dir = tmp // outside this module: its go.mod must not steer the build
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building versitygw %s: %v\n%s", gatewayVersion, err, out)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(tmp, "versitygw"), bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// startGateway runs versitygw on a free loopback port over a temporary
// directory and returns its endpoint URL and a client of it.
func startGateway(t *testing.T) (string, *minio.Client) {
	t.Helper()
	bin := gatewayBinary(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	data, meta := t.TempDir(), t.TempDir()
	cmd := exec.Command(bin, "--access", gatewayAccess, "--secret", gatewaySecret, "--port", addr, "posix", "--sidecar", meta, data)
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("versitygw output:\n%s", logs.String())
		}
	})
	c, err := minio.New(addr, &minio.Options{Creds: credentials.NewStaticV4(gatewayAccess, gatewaySecret, ""), Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := c.ListBuckets(context.Background())
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("versitygw did not answer on %s: %v", addr, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Sprintf("http://%s", addr), c
}
