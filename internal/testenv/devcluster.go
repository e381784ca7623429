package testenv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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

// UpOptions describe the detached cluster Up launches.
type UpOptions struct {
	// Nodes is the number of fake nodes; 0 means 3.
	Nodes int
	// NodeShape is every node's capacity and labels (zero: the default).
	NodeShape NodeShape
	// PodBehaviour is how pods without SimLabel behave (zero: Ready).
	PodBehaviour PodBehaviour
	// Log receives build and start-up progress.
	Log io.Writer
}

// Up installs the binaries if needed and launches a detached cluster in
// dir, which must not hold a running one. Leftovers of a stopped cluster
// are wiped first: the dev cluster is disposable, like a kind cluster.
func Up(ctx context.Context, dir string, opt UpOptions) (*Cluster, error) {
	// Bad shapes are refused before a build that may take half an hour.
	if _, err := opt.NodeShape.normal(); err != nil {
		return nil, err
	}
	if st, err := LoadState(dir); err == nil && st.AnyAlive() {
		return nil, fmt.Errorf("a dev cluster is already running in %s (API server %s); stop it with `capsule dev cluster down`", dir, st.APIServer)
	}
	for _, sub := range []string{"etcd", "pki", "logs", StateFile, "admin.kubeconfig", "readonly.kubeconfig", "kwok.yaml"} {
		if err := os.RemoveAll(filepath.Join(dir, sub)); err != nil {
			return nil, err
		}
	}
	bins, err := kubebin.Install(ctx, kubebin.InstallOptions{Log: opt.Log})
	if err != nil {
		return nil, err
	}
	return Launch(ctx, Config{Binaries: bins, Dir: dir, Nodes: opt.Nodes, NodeShape: opt.NodeShape,
		PodBehaviour: opt.PodBehaviour, Detached: true, Log: opt.Log})
}

// ScaleDetached gives the detached cluster in dir exactly n nodes of the
// shape it was started with, and waits until all are Ready. Removed nodes'
// pods are deleted by the pod garbage collector and recreated elsewhere by
// their controllers.
func ScaleDetached(ctx context.Context, dir string, n int) ([]string, error) {
	st, err := LoadState(dir)
	if err != nil {
		return nil, err
	}
	if !st.AnyAlive() {
		return nil, fmt.Errorf("%w in %s", ErrNotRunning, dir)
	}
	shape, err := st.NodeShape.normal()
	if err != nil {
		return nil, fmt.Errorf("testenv: %s: %w", filepath.Join(dir, StateFile), err)
	}
	cfg, err := clientcmd.BuildConfigFromFlags("", st.Kubeconfig)
	if err != nil {
		return nil, err
	}
	cfg.QPS, cfg.Burst = 200, 400
	client, err := newKubeClient(cfg)
	if err != nil {
		return nil, err
	}
	names, err := scaleNodes(ctx, client, shape, n)
	if err != nil {
		return nil, err
	}
	return names, waitReadyNodes(ctx, client, len(names))
}

// Scale gives the cluster exactly n nodes of its shape and waits until all
// are Ready and schedulable.
func (c *Cluster) Scale(ctx context.Context, n int) error {
	client, err := newKubeClient(c.Config)
	if err != nil {
		return err
	}
	names, err := scaleNodes(ctx, client, c.NodeShape, n)
	if err != nil {
		return err
	}
	c.Nodes = names
	return c.waitNodes(ctx, client)
}

// ResidentBytes is the memory the cluster's running components hold (the
// sum of their resident set sizes).
func (s *State) ResidentBytes() int64 {
	var total int64
	alive := s.Alive()
	for name, pid := range s.PIDs {
		if alive[name] {
			total += residentBytes(pid)
		}
	}
	return total
}

// ResidentBytes is the memory the cluster's components hold now.
func (c *Cluster) ResidentBytes() int64 {
	var total int64
	for _, p := range c.procs {
		if gone, _ := p.exited(); !gone {
			total += residentBytes(p.pid())
		}
	}
	return total
}

// residentBytes reads VmRSS from /proc; 0 when the process is gone.
func residentBytes(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

// Health is what Probe learns from a running cluster's API server.
type Health struct {
	// Ready is true when /readyz answers ok.
	Ready bool `json:"ready"`
	// Nodes counts the cluster's nodes; ReadyNodes those Ready and
	// schedulable, NotReadyNodes the rest.
	Nodes         int `json:"nodes"`
	ReadyNodes    int `json:"readyNodes"`
	NotReadyNodes int `json:"notReadyNodes"`
	// Pods counts pods by phase (Pending, Running, Succeeded, Failed,
	// Unknown); ReadyPods counts Running pods whose Ready condition holds.
	Pods      map[string]int `json:"pods"`
	ReadyPods int            `json:"readyPods"`
	// Error explains why the API server could not be asked.
	Error string `json:"error,omitempty"`
}

// Probe asks the API server behind kubeconfig whether it is ready, how
// many nodes are schedulable and how many pods are in each phase, giving up
// after a few seconds per request.
func Probe(ctx context.Context, kubeconfig string) Health {
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		return Health{Error: err.Error()}
	}
	cfg.Timeout = 10 * time.Second
	cfg.QPS, cfg.Burst = 100, 200
	client, err := newKubeClient(cfg)
	if err != nil {
		return Health{Error: err.Error()}
	}
	body, err := client.readyz(ctx)
	if err != nil {
		return Health{Error: err.Error()}
	}
	h := Health{Ready: string(body) == "ok", Pods: map[string]int{}}
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
	h.NotReadyNodes = h.Nodes - h.ReadyNodes
	opts := metav1.ListOptions{Limit: 1000}
	for {
		pods, err := client.CoreV1().Pods("").List(ctx, opts)
		if err != nil {
			h.Error = err.Error()
			return h
		}
		for i := range pods.Items {
			p := &pods.Items[i]
			h.Pods[string(p.Status.Phase)]++
			if PodReady(p) {
				h.ReadyPods++
			}
		}
		if opts.Continue = pods.Continue; opts.Continue == "" {
			return h
		}
	}
}

// PodReady reports whether p is Running and its Ready condition is True.
func PodReady(p *corev1.Pod) bool {
	if p.Status.Phase != corev1.PodRunning {
		return false
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
