package testenv

import (
	"fmt"
	"path/filepath"
)

// serviceCIDR is the cluster's Service IP range; its first address is the
// in-cluster "kubernetes" Service, which the serving certificate covers.
const (
	serviceCIDR      = "10.96.0.0/16"
	kubernetesSvcIP  = "10.96.0.1"
	podCIDR          = "10.244.0.1/16"
	fakeNodeSelector = "kwok.x-k8s.io/node=fake"
)

func etcdArgs(dir string, clientPort, peerPort int) []string {
	client := fmt.Sprintf("http://127.0.0.1:%d", clientPort)
	peer := fmt.Sprintf("http://127.0.0.1:%d", peerPort)
	return []string{
		"--name=testenv",
		"--data-dir=" + filepath.Join(dir, "etcd"),
		"--listen-client-urls=" + client,
		"--advertise-client-urls=" + client,
		"--listen-peer-urls=" + peer,
		"--initial-advertise-peer-urls=" + peer,
		"--initial-cluster=testenv=" + peer,
		// A test cluster's data is disposable: skipping fsync makes every
		// write several times faster on a shared disk. A crash of the
		// machine may corrupt the data dir, which the next `up` wipes anyway.
		"--unsafe-no-fsync",
		// Room for ten thousand pods, their events and the revisions the API
		// server has not compacted yet (the 2 GiB default is reached by long
		// scale runs); etcd maps the file lazily, so only what is used costs
		// memory.
		"--quota-backend-bytes=8589934592",
		"--log-level=warn",
	}
}

func apiServerArgs(dir string, etcdPort, apiPort int) []string {
	pki := func(f string) string { return filepath.Join(dir, "pki", f) }
	return []string{
		fmt.Sprintf("--etcd-servers=http://127.0.0.1:%d", etcdPort),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", apiPort),
		"--cert-dir=" + filepath.Join(dir, "pki"),
		"--tls-cert-file=" + pki("apiserver.crt"),
		"--tls-private-key-file=" + pki("apiserver.key"),
		"--client-ca-file=" + pki("ca.crt"),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + pki("sa.key"),
		"--service-account-signing-key-file=" + pki("sa.key"),
		"--service-cluster-ip-range=" + serviceCIDR,
		"--authorization-mode=RBAC",
		"--allow-privileged=true",
		// Priority and fairness stays on, as in every real cluster: tests of
		// clients (the agent's watch, a bulk apply) meet the same queuing and
		// 429s they would meet there. The limits are the defaults doubled, as
		// for a control plane sized for a few hundred nodes; they bound the
		// non-exempt clients (kubectl users, the read-only agent) while the
		// control-plane components, in system:masters, are exempt.
		"--max-requests-inflight=800",
		"--max-mutating-requests-inflight=400",
		"--profiling=false",
	}
}

// kubeAPIRate is the controller-manager's and the scheduler's client rate.
// client-go's defaults (20/s and 50/s) cap a ReplicaSet of thousands at about
// 20 pod creations a second; clusters of a few hundred nodes are run with
// rates like these, and the API server, not the client, is then the limit.
var kubeAPIRate = []string{"--kube-api-qps=300", "--kube-api-burst=600"}

// componentArgs are the flags of the components that talk to the API
// server as admin. Their own HTTPS ports are off (--secure-port=0) so that
// parallel clusters never fight over fixed ports.
func componentArgs(dir, name string) []string {
	kubeconfig := "--kubeconfig=" + filepath.Join(dir, "admin.kubeconfig")
	switch name {
	case "kube-controller-manager":
		return append([]string{kubeconfig,
			"--secure-port=0",
			"--leader-elect=false",
			"--root-ca-file=" + filepath.Join(dir, "pki", "ca.crt"),
			"--service-cluster-ip-range=" + serviceCIDR,
			// Fake nodes are healthy from the start, so the not-ready taint
			// is lifted quickly. Health itself is judged as in a real
			// cluster: a node whose Lease kwok stops renewing goes NotReady
			// after the default 50 s grace period.
			"--node-monitor-period=1s",
			"--node-startup-grace-period=10s",
			"--node-monitor-grace-period=50s",
		}, kubeAPIRate...)
	case "kube-scheduler":
		return append([]string{kubeconfig, "--secure-port=0", "--leader-elect=false"}, kubeAPIRate...)
	case "kwok":
		return []string{kubeconfig,
			"--config=" + filepath.Join(dir, "kwok.yaml"),
			"--manage-all-nodes=false",
			"--manage-nodes-with-annotation-selector=" + fakeNodeSelector,
			"--cidr=" + podCIDR,
			"--node-ip=10.0.0.1",
		}
	}
	return nil
}
