package kubebin

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// builder runs the Go toolchain in throwaway modules under the cache.
type builder struct {
	base     string // cache dir of this version set
	bin      string // where binaries go
	log      io.Writer
	parallel int
	start    time.Time
	goCmd    string
}

func (b *builder) logf(format string, args ...any) {
	el := time.Since(b.start).Round(time.Second)
	fmt.Fprintf(b.log, "testenv: "+format+" (elapsed %s)\n", append(args, el)...)
}

func (b *builder) findGo() error {
	p, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("testenv: the Go toolchain is needed to build the test cluster's binaries once (go not on PATH): %w", err)
	}
	b.goCmd = p
	return nil
}

// buildFlags keep builds reproducible and independent of the user's
// environment: no cgo, no VCS stamping, trimmed paths, no workspace, and
// go.mod updated by our own `go get` only.
func (b *builder) env() []string {
	env := os.Environ()
	return append(env,
		"CGO_ENABLED=0",
		"GOWORK=off",
		"GOFLAGS=-mod=mod -trimpath -buildvcs=false",
	)
}

// goRun runs `go args...` in dir, printing a heartbeat every 30 s so a cold
// build never looks hung. Output is shown only on failure.
func (b *builder) goRun(ctx context.Context, dir, what string, args ...string) error {
	cmd := exec.CommandContext(ctx, b.goCmd, args...)
	cmd.Dir = dir
	cmd.Env = b.env()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	done := make(chan struct{})
	defer close(done)
	go b.heartbeat(done, what)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, tail(out.String(), 40))
	}
	return nil
}

func (b *builder) heartbeat(done <-chan struct{}, what string) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
			b.logf("  still %s", what)
		}
	}
}

// goBuild builds pkg into the bin dir atomically: a half-written binary must
// never look installed.
func (b *builder) goBuild(ctx context.Context, dir, name, pkg, ldflags string) error {
	tmp := filepath.Join(b.bin, "."+name+".tmp")
	args := []string{"build", "-p", fmt.Sprint(b.parallel), "-ldflags", "-s -w " + ldflags, "-o", tmp, pkg}
	if err := b.goRun(ctx, dir, "building "+name, args...); err != nil {
		return err
	}
	b.logf("  built %s", name)
	return os.Rename(tmp, filepath.Join(b.bin, name))
}

// module writes a throwaway module (go.mod plus extra files) into
// src/<name>-<version>. An existing go.mod is kept when its template is
// unchanged so `go get` has nothing to resolve on a re-run.
func (b *builder) module(name, gomod string, files map[string]string) (string, error) {
	dir := filepath.Join(b.base, "src", name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmplPath := filepath.Join(dir, "go.mod.template")
	if old, err := os.ReadFile(tmplPath); err != nil || string(old) != gomod {
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
			return "", err
		}
		os.Remove(filepath.Join(dir, "go.sum"))
		if err := os.WriteFile(tmplPath, []byte(gomod), 0o644); err != nil {
			return "", err
		}
	}
	for f, body := range files {
		if err := os.WriteFile(filepath.Join(dir, f), []byte(body), 0o644); err != nil {
			return "", err
		}
	}
	return dir, nil
}

func tail(s string, lines int) string {
	l := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(l) > lines {
		l = l[len(l)-lines:]
	}
	return strings.Join(l, "\n")
}
