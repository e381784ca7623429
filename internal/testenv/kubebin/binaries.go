package kubebin

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Binaries locates the cached control-plane executables of one pinned
// version set.
type Binaries struct {
	// Dir holds etcd, kube-apiserver, kube-controller-manager,
	// kube-scheduler, kubectl and kwok.
	Dir string
}

// Path returns the path of the named binary (e.g. "kubectl").
func (b Binaries) Path(name string) string { return filepath.Join(b.Dir, name) }

// Kubectl returns the path of the cached kubectl.
func (b Binaries) Kubectl() string { return b.Path(Kubectl) }

// ErrNotInstalled is returned (wrapped) when a cached binary is missing.
var ErrNotInstalled = errors.New("test environment binaries are not installed")

// Check reports which binaries are missing or stale, with the command that
// installs them. It never builds anything: building takes minutes and
// belongs to `make testenv`, not to a test run.
func (b Binaries) Check() error {
	var missing []string
	for _, c := range components() {
		if !c.installed(b.Dir) {
			missing = append(missing, fmt.Sprintf("%s@%s (%s)", c.name, c.version, strings.Join(c.bins, ", ")))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("%w in %s (missing or stale: %s): run `make testenv` (or `bash hack/testenv.sh`) once; the cold build takes about 15 minutes",
		ErrNotInstalled, b.Dir, strings.Join(missing, "; "))
}

// Default returns the binaries of the pinned versions in the
// default cache directory.
func Default() (Binaries, error) {
	root, err := CacheRoot()
	if err != nil {
		return Binaries{}, err
	}
	return Binaries{Dir: filepath.Join(root, KubernetesVersion, "bin")}, nil
}

// CacheRoot is the directory holding one sub-directory per pinned
// Kubernetes version: $CAPSULE_TESTENV_CACHE if set, else
// $XDG_CACHE_HOME/capsule/testenv, else ~/.cache/capsule/testenv.
func CacheRoot() (string, error) {
	if d := os.Getenv("CAPSULE_TESTENV_CACHE"); d != "" {
		return d, nil
	}
	base, err := os.UserCacheDir() // honours $XDG_CACHE_HOME
	if err != nil {
		return "", fmt.Errorf("testenv: no cache directory (set XDG_CACHE_HOME or HOME): %w", err)
	}
	return filepath.Join(base, "capsule", "testenv"), nil
}
