package testenv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/usecapsule/capsule/internal/testenv/kubebin"
)

// DefaultDevDir is where `capsule dev cluster` keeps its detached cluster:
// $XDG_DATA_HOME/capsule/dev-cluster, else ~/.local/share/capsule/dev-cluster.
func DefaultDevDir() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "capsule", "dev-cluster"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("testenv: no home directory for the dev cluster (use --dir): %w", err)
	}
	return filepath.Join(home, ".local", "share", "capsule", "dev-cluster"), nil
}

// ErrNotRunning is returned when no detached cluster runs in a directory.
var ErrNotRunning = errors.New("no dev cluster is running")

// LoadState reads dir's state file; it wraps ErrNotRunning when there is
// none.
func LoadState(dir string) (*State, error) {
	b, err := os.ReadFile(filepath.Join(dir, StateFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w in %s", ErrNotRunning, dir)
	}
	if err != nil {
		return nil, err
	}
	var st State
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("testenv: %s: %w", filepath.Join(dir, StateFile), err)
	}
	return &st, nil
}

// componentOrder is the start order; stopping goes the other way.
var componentOrder = []string{"etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"}

// Alive reports, per component, whether its recorded process still runs.
// A pid is only trusted if its executable has the component's name, so a
// pid reused after a reboot is never mistaken for (or killed as) ours.
func (s *State) Alive() map[string]bool {
	out := map[string]bool{}
	for name, pid := range s.PIDs {
		exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
		out[name] = err == nil && filepath.Base(strings.TrimSuffix(exe, " (deleted)")) == name && Alive(pid)
	}
	return out
}

// AnyAlive reports whether at least one component still runs.
func (s *State) AnyAlive() bool {
	for _, up := range s.Alive() {
		if up {
			return true
		}
	}
	return false
}

// StopDetached stops the cluster recorded in dir and removes its state
// file. Data, certificates and logs stay for inspection; the next Up
// starts afresh.
func StopDetached(dir string) error {
	st, err := LoadState(dir)
	if err != nil {
		return err
	}
	alive := st.Alive()
	for i := len(componentOrder) - 1; i >= 0; i-- {
		name := componentOrder[i]
		if alive[name] {
			stopGroup(st.PIDs[name], 5*time.Second)
		}
	}
	return os.Remove(filepath.Join(dir, StateFile))
}

// Up installs the binaries if needed and launches a detached cluster in
// dir, which must not hold a running one. Leftovers of a stopped cluster
// are wiped first: the dev cluster is disposable, like a kind cluster.
func Up(ctx context.Context, dir string, nodes int, log io.Writer) (*Cluster, error) {
	if st, err := LoadState(dir); err == nil && st.AnyAlive() {
		return nil, fmt.Errorf("a dev cluster is already running in %s (API server %s); stop it with `capsule dev cluster down`", dir, st.APIServer)
	}
	for _, sub := range []string{"etcd", "pki", "logs", StateFile, "admin.kubeconfig", "readonly.kubeconfig", "kwok.yaml"} {
		if err := os.RemoveAll(filepath.Join(dir, sub)); err != nil {
			return nil, err
		}
	}
	bins, err := kubebin.Install(ctx, kubebin.InstallOptions{Log: log})
	if err != nil {
		return nil, err
	}
	return Launch(ctx, Config{Binaries: bins, Dir: dir, Nodes: nodes, Detached: true, Log: log})
}

// Health is what Probe learns from a running cluster's API server.
type Health struct {
	// Ready is true when /readyz answers ok.
	Ready bool `json:"ready"`
	// Nodes and ReadyNodes count the cluster's nodes.
	Nodes      int `json:"nodes"`
	ReadyNodes int `json:"readyNodes"`
	// Error explains why the API server could not be asked.
	Error string `json:"error,omitempty"`
}

// Probe asks the API server behind kubeconfig whether it is ready and how
// many nodes are schedulable, giving up after a few seconds.
func Probe(ctx context.Context, kubeconfig string) Health {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return Health{Error: err.Error()}
	}
	cfg.Timeout = 3 * time.Second
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return Health{Error: err.Error()}
	}
	body, err := client.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
	if err != nil {
		return Health{Error: err.Error()}
	}
	h := Health{Ready: string(body) == "ok"}
	nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		h.Error = err.Error()
		return h
	}
	h.Nodes = len(nodes.Items)
	for i := range nodes.Items {
		if nodeSchedulable(&nodes.Items[i]) {
			h.ReadyNodes++
		}
	}
	return h
}
