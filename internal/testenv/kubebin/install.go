package kubebin

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// recipeRevision changes whenever the way binaries are built changes (flags,
// go.mod template), so that stamped binaries from an older recipe are
// rebuilt rather than trusted.
const recipeRevision = "1"

// InstallOptions configure Install.
type InstallOptions struct {
	// Root is the cache root (see CacheRoot); binaries go to
	// Root/KubernetesVersion/bin and throwaway modules to .../src.
	Root string
	// Log receives one line per step and a heartbeat during long builds.
	Log io.Writer
	// Parallelism is passed to `go build -p`; 0 means 2.
	Parallelism int
}

// component is one cached binary set and how to build it.
type component struct {
	name    string   // for progress lines and stamps
	version string   // pinned version
	bins    []string // binaries it produces
	build   func(ctx context.Context, b *builder) error
}

func components() []component {
	return []component{
		{name: "etcd", version: EtcdVersion, bins: []string{Etcd}, build: buildEtcd},
		{name: "kwok", version: KwokVersion, bins: []string{Kwok}, build: buildKwok},
		{name: "kubernetes", version: KubernetesVersion,
			bins:  []string{APIServer, ControllerManager, Scheduler, Kubectl},
			build: buildKubernetes},
	}
}

// stamp is what a binary's .stamp file must hold for it to count as built
// by the current recipe.
func (c component) stamp() string {
	return fmt.Sprintf("%s %s recipe=%s\n", c.name, c.version, recipeRevision)
}

func (c component) installed(binDir string) bool {
	for _, b := range c.bins {
		if _, err := os.Stat(filepath.Join(binDir, b)); err != nil {
			return false
		}
		got, err := os.ReadFile(filepath.Join(binDir, b+".stamp"))
		if err != nil || string(got) != c.stamp() {
			return false
		}
	}
	return true
}

// Install builds every missing or stale binary into the cache and returns
// where they are. A warm cache builds nothing and returns in milliseconds.
// Concurrent installs (two `make test` runs) serialise on a lock file.
func Install(ctx context.Context, opt InstallOptions) (Binaries, error) {
	if opt.Root == "" {
		root, err := CacheRoot()
		if err != nil {
			return Binaries{}, err
		}
		opt.Root = root
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	if opt.Parallelism <= 0 {
		opt.Parallelism = 2
	}
	base := filepath.Join(opt.Root, KubernetesVersion)
	bins := Binaries{Dir: filepath.Join(base, "bin")}
	if err := os.MkdirAll(bins.Dir, 0o755); err != nil {
		return bins, fmt.Errorf("testenv: create cache: %w", err)
	}
	unlock, err := lockFile(filepath.Join(base, ".install.lock"))
	if err != nil {
		return bins, err
	}
	defer unlock()

	b := &builder{base: base, bin: bins.Dir, log: opt.Log, parallel: opt.Parallelism, start: time.Now()}
	todo := pending(bins.Dir)
	if len(todo) == 0 {
		return bins, nil
	}
	names := make([]string, len(todo))
	for i, c := range todo {
		names[i] = c.name
	}
	// Said before anything else: the first build is long and a user must
	// know at once that it is expected, and that it happens only once.
	b.logf("building %s once into %s; this takes about 15-30 minutes on two cores (Kubernetes alone 10-20), later runs start in seconds",
		strings.Join(names, ", "), bins.Dir)
	if err := b.findGo(); err != nil {
		return bins, err
	}
	for i, c := range todo {
		b.logf("[%d/%d] building %s %s", i+1, len(todo), c.name, c.version)
		if err := c.build(ctx, b); err != nil {
			return bins, fmt.Errorf("testenv: build %s %s: %w", c.name, c.version, err)
		}
		for _, name := range c.bins {
			if err := os.WriteFile(filepath.Join(bins.Dir, name+".stamp"), []byte(c.stamp()), 0o644); err != nil {
				return bins, fmt.Errorf("testenv: stamp %s: %w", name, err)
			}
		}
	}
	b.logf("done: binaries in %s", bins.Dir)
	return bins, nil
}

func pending(binDir string) []component {
	var todo []component
	for _, c := range components() {
		if !c.installed(binDir) {
			todo = append(todo, c)
		}
	}
	return todo
}

// lockFile takes an exclusive flock on path, blocking until it is free.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("testenv: lock %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("testenv: lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
