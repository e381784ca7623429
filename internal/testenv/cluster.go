package testenv

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"k8s.io/client-go/rest"

	"github.com/usecapsule/capsule/internal/testenv/kubebin"
)

// Config describes a cluster to launch.
type Config struct {
	// Binaries are the cached executables; zero means DefaultBinaries.
	Binaries kubebin.Binaries
	// Dir holds certificates, kubeconfigs, data and logs. Empty means a new
	// temporary directory, removed by Stop.
	Dir string
	// Nodes is the number of fake kwok nodes; 0 means 3.
	Nodes int
	// NodeShape is every node's capacity and labels; zero fields take the
	// default shape (4 CPU, 16Gi, 110 pods, m5.xlarge over three zones).
	NodeShape NodeShape
	// PodBehaviour is how kwok plays pods that do not choose one with
	// SimLabel; the zero value makes them Ready at once.
	PodBehaviour PodBehaviour
	// Detached leaves the processes running after this process exits (for
	// `capsule dev cluster up`); otherwise they die with it.
	Detached bool
	// Log receives one line per start-up step; nil discards them.
	Log io.Writer
}

// Cluster is a running simulated Kubernetes cluster.
type Cluster struct {
	// Config is an admin (system:masters) client configuration.
	Config *rest.Config
	// ReadOnlyConfig authenticates as a user bound to a ClusterRole that can
	// only get, list and watch, as Capsule's agent does.
	ReadOnlyConfig *rest.Config
	// Kubeconfig is the path of the admin kubeconfig file.
	Kubeconfig string
	// ReadOnlyKubeconfig is the path of the read-only kubeconfig file.
	ReadOnlyKubeconfig string
	// Dir holds the cluster's files; logs are in Dir/logs.
	Dir string
	// Nodes are the names of the fake nodes.
	Nodes []string
	// Binaries are the executables the cluster runs.
	Binaries kubebin.Binaries
	// NodeShape is the shape of every node (defaults filled in).
	NodeShape NodeShape
	// PodBehaviour is how kwok plays pods without SimLabel.
	PodBehaviour PodBehaviour

	procs   []*process
	tempDir bool
	log     io.Writer
	started time.Time
}

// Launch starts etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and kwok and returns once the fake nodes are Ready and
// schedulable. On error everything already started is stopped.
//
// Free ports are found by binding and releasing them, so another process
// can take one before our component binds it; such a launch is retried
// with fresh ports, up to three attempts.
func Launch(ctx context.Context, cfg Config) (*Cluster, error) {
	var c *Cluster
	for attempt := 1; ; attempt++ {
		var err error
		if c, err = newCluster(cfg); err != nil {
			return nil, err
		}
		err = c.boot(ctx, cfg)
		if err == nil {
			break
		}
		c.Stop()
		if attempt == 3 || !strings.Contains(err.Error(), "address already in use") {
			return nil, err
		}
		c.logf("a port was taken meanwhile, retrying: %v", err)
		if !c.tempDir {
			// etcd refuses a data dir that names other peer URLs.
			_ = os.RemoveAll(filepath.Join(c.Dir, "etcd"))
		}
	}
	c.logf("cluster ready: %d nodes, kubeconfig %s", len(c.Nodes), c.Kubeconfig)
	return c, nil
}

func newCluster(cfg Config) (*Cluster, error) {
	shape, err := cfg.NodeShape.normal()
	if err != nil {
		return nil, fmt.Errorf("testenv: %w", err)
	}
	behaviour, err := ParsePodBehaviour(cfg.PodBehaviour.normal().String())
	if err != nil {
		return nil, fmt.Errorf("testenv: %w", err)
	}
	if cfg.Binaries.Dir == "" {
		b, err := kubebin.Default()
		if err != nil {
			return nil, err
		}
		cfg.Binaries = b
	}
	if err := cfg.Binaries.Check(); err != nil {
		return nil, err
	}
	c := &Cluster{Binaries: cfg.Binaries, Dir: cfg.Dir, log: cfg.Log, started: time.Now(),
		NodeShape: shape, PodBehaviour: behaviour.normal()}
	if c.log == nil {
		c.log = io.Discard
	}
	if c.Dir == "" {
		sweepStaleDirs()
		d, err := os.MkdirTemp("", tempPrefix)
		if err != nil {
			return nil, fmt.Errorf("testenv: temp dir: %w", err)
		}
		c.Dir, c.tempDir = d, true
		// The owner file lets a later run remove this directory if this
		// process dies before it can.
		if err := os.WriteFile(filepath.Join(d, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
			return nil, err
		}
	} else if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("testenv: create %s: %w", c.Dir, err)
	}
	return c, nil
}

func (c *Cluster) logf(format string, args ...any) {
	el := time.Since(c.started).Round(100 * time.Millisecond)
	fmt.Fprintf(c.log, "testenv: "+format+" (%s)\n", append(args, el)...)
}

// boot runs the start-up steps in order; each waits for what the next needs.
func (c *Cluster) boot(ctx context.Context, cfg Config) error {
	ports, err := freePorts(3)
	if err != nil {
		return err
	}
	etcdPort, peerPort, apiPort := ports[0], ports[1], ports[2]
	if err := c.writeCredentials(apiPort); err != nil {
		return err
	}
	if err := c.start("etcd", kubebin.Etcd, etcdArgs(c.Dir, etcdPort, peerPort), cfg.Detached); err != nil {
		return err
	}
	if err := c.start("kube-apiserver", kubebin.APIServer, apiServerArgs(c.Dir, etcdPort, apiPort), cfg.Detached); err != nil {
		return err
	}
	client, err := newKubeClient(c.Config)
	if err != nil {
		return err
	}
	if err := c.waitAPIServer(ctx, client); err != nil {
		return err
	}
	c.logf("kube-apiserver ready on %s", c.Config.Host)
	kwokYAML, err := kwokConfig(c.PodBehaviour)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(c.Dir, "kwok.yaml"), kwokYAML, 0o644); err != nil {
		return err
	}
	for _, comp := range []struct{ name, bin string }{
		{"kube-controller-manager", kubebin.ControllerManager},
		{"kube-scheduler", kubebin.Scheduler},
		{"kwok", kubebin.Kwok},
	} {
		if err := c.start(comp.name, comp.bin, componentArgs(c.Dir, comp.name), cfg.Detached); err != nil {
			return err
		}
	}
	if err := grantReadOnly(ctx, client); err != nil {
		return err
	}
	n := cfg.Nodes
	if n <= 0 {
		n = 3
	}
	if c.Nodes, err = scaleNodes(ctx, client, c.NodeShape, n); err != nil {
		return err
	}
	if err := c.waitNodes(ctx, client); err != nil {
		return err
	}
	// Recorded again now that the nodes exist, so `capsule dev cluster
	// scale` knows their shape.
	return c.writeState()
}

func (c *Cluster) start(name, bin string, args []string, detached bool) error {
	p, err := startProcess(c.Dir, name, c.Binaries.Path(bin), args, detached)
	if err != nil {
		return err
	}
	c.procs = append(c.procs, p)
	// Recorded at once, so `capsule dev cluster down` can stop a cluster
	// whose start was cut short.
	return c.writeState()
}

// checkProcs returns an error naming the first component that has exited,
// so a crash is reported with its log instead of as a timeout.
func (c *Cluster) checkProcs() error {
	for _, p := range c.procs {
		if gone, err := p.exited(); gone {
			return err
		}
	}
	return nil
}

// PIDs returns the process ids of the running components.
func (c *Cluster) PIDs() []int {
	pids := make([]int, 0, len(c.procs))
	for _, p := range c.procs {
		pids = append(pids, p.pid())
	}
	return pids
}

// Stop stops every component (in reverse start order, so etcd outlives its
// clients) and removes the directory if Launch created it. It is safe to
// call more than once.
func (c *Cluster) Stop() {
	for i := len(c.procs) - 1; i >= 0; i-- {
		c.procs[i].stop(5 * time.Second)
	}
	if c.tempDir {
		_ = os.RemoveAll(c.Dir)
	}
}

// Kubectl runs the cached kubectl against the cluster as admin and returns
// its combined output.
func (c *Cluster) Kubectl(ctx context.Context, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, c.Binaries.Kubectl(), append([]string{"--kubeconfig", c.Kubeconfig}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return out, fmt.Errorf("kubectl %v: %w: %s", args, err, out)
		}
		return out, err
	}
	return out, nil
}

// State is what a detached cluster records in Dir/state.json so that
// another process can report on it and stop it.
type State struct {
	// APIServer is the URL of the API server.
	APIServer string `json:"apiServer"`
	// Kubeconfig is the admin kubeconfig path.
	Kubeconfig string `json:"kubeconfig"`
	// PIDs maps each component to its process (and process group) id.
	PIDs map[string]int `json:"pids"`
	// Started is when the cluster was launched.
	Started time.Time `json:"started"`
	// NodeShape is the shape of the cluster's nodes, for scaling it.
	NodeShape NodeShape `json:"nodeShape"`
	// PodBehaviour is how pods without SimLabel behave ("ready", "slow:30s").
	PodBehaviour string `json:"podBehaviour"`
}

// StateFile is the name of the state file inside a cluster directory.
const StateFile = "state.json"

func (c *Cluster) writeState() error {
	st := State{APIServer: c.Config.Host, Kubeconfig: c.Kubeconfig, PIDs: map[string]int{}, Started: c.started.UTC(),
		NodeShape: c.NodeShape, PodBehaviour: c.PodBehaviour.String()}
	for _, p := range c.procs {
		st.PIDs[p.name] = p.pid()
	}
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(c.Dir, StateFile), b, 0o644)
}
