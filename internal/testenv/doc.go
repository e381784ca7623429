// Package testenv runs a real, simulated Kubernetes cluster for tests and
// for `capsule dev cluster`: etcd 3.6, kube-apiserver, kube-controller-manager
// (all default controllers) and kube-scheduler v1.34, and kwok, which plays
// the kubelet for fake nodes so pods are scheduled, get IPs and become Ready
// without a container runtime. The binaries come from package kubebin.
//
// One line gives a test package a live cluster:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
//
//	func TestX(t *testing.T) {
//		c := testenv.Shared(t)     // one cluster per test package
//		ns := c.Namespace(t)       // a fresh namespace per test
//		client := kubeclient.For(t, c) // admin; c.ReadOnlyConfig for the agent
//	}
//
// Design decisions:
//   - Authentication is by client certificates from a throwaway CA (ECDSA,
//     instant to generate). The admin identity is in system:masters; the
//     read-only identity is bound to ClusterRole capsule-testenv-readonly
//     (get/list/watch on everything). Controller-manager, scheduler and kwok
//     use the admin identity; their own HTTPS ports are disabled, so
//     clusters never compete for fixed ports and only three loopback ports
//     (etcd client and peer, API server) are taken per cluster.
//   - Fake nodes look like three-zone m5.xlarge VMs (4 CPU, 16Gi, 110 pods;
//     allocatable a little less), named kwok-node-N; NodeShape changes
//     capacity, instance type and zones, Cluster.Scale the node count.
//   - kwok runs our own stages (stages/): it renews a Lease per node every
//     10 s, so nodes stay Ready for as long as the cluster runs; pods become
//     Ready at once, Job pods complete, deleted pods vanish. A pod labelled
//     SimLabel=never-ready|crashloop|slow behaves so instead, which lets
//     one shared cluster serve tests that need failing or slow rollouts.
//   - The control plane is tuned for a few hundred nodes and ten thousand
//     pods: controller-manager and scheduler at 300 requests/s, kwok with
//     16 parallel stage and lease workers, API priority and fairness on.
//   - Missing binaries fail the test with the command to run (`make
//     testenv`); tests never build or skip.
//   - Every process runs in its own process group with Pdeathsig=SIGKILL, so
//     it dies with the test binary however that ends; SIGINT/SIGTERM/SIGHUP
//     stop the clusters gracefully first; a directory left by a SIGKILLed
//     run is swept by the next launch. Detached dev clusters run in their
//     own session instead and are stopped through their state file.
//   - etcd runs with --unsafe-no-fsync: test data is disposable.
//   - The dev cluster is disposable like a kind cluster: `down` keeps logs
//     for inspection, `up` starts empty.
package testenv
