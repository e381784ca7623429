package kubebin

// Pinned versions of the simulated cluster's parts. They were verified
// together; change them together and the cache directory
// changes with KubernetesVersion, so an upgrade never mixes old binaries in.
const (
	// KubernetesVersion is the k8s.io/kubernetes release whose
	// kube-apiserver, kube-controller-manager, kube-scheduler and kubectl
	// are built.
	KubernetesVersion = "v1.34.3"
	// StagingVersion is the release of the staging modules (k8s.io/api,
	// k8s.io/client-go, ...) matching KubernetesVersion.
	StagingVersion = "v0.34.3"
	// EtcdVersion is the go.etcd.io/etcd/server/v3 release. Debian's 3.4
	// lacks the watch-progress requests client-go's watch-list needs.
	EtcdVersion = "v3.6.6"
	// KwokVersion is the sigs.k8s.io/kwok release simulating nodes and pods.
	KwokVersion = "v0.7.0"
	// goDirective is the go line of the throwaway build modules; it matches
	// k8s.io/kubernetes's own go.mod so its GODEBUG defaults apply.
	goDirective = "1.24.0"
)

// stagingModules are the modules k8s.io/kubernetes replaces with its
// ./staging directories (the replace block of its go.mod). A module outside
// that repository cannot use those paths, so the throwaway module replaces
// each with its published StagingVersion release instead.
var stagingModules = []string{
	"k8s.io/api",
	"k8s.io/apiextensions-apiserver",
	"k8s.io/apimachinery",
	"k8s.io/apiserver",
	"k8s.io/cli-runtime",
	"k8s.io/client-go",
	"k8s.io/cloud-provider",
	"k8s.io/cluster-bootstrap",
	"k8s.io/code-generator",
	"k8s.io/component-base",
	"k8s.io/component-helpers",
	"k8s.io/controller-manager",
	"k8s.io/cri-api",
	"k8s.io/cri-client",
	"k8s.io/csi-translation-lib",
	"k8s.io/dynamic-resource-allocation",
	"k8s.io/endpointslice",
	"k8s.io/externaljwt",
	"k8s.io/kms",
	"k8s.io/kube-aggregator",
	"k8s.io/kube-controller-manager",
	"k8s.io/kube-proxy",
	"k8s.io/kube-scheduler",
	"k8s.io/kubectl",
	"k8s.io/kubelet",
	"k8s.io/metrics",
	"k8s.io/mount-utils",
	"k8s.io/pod-security-admission",
	"k8s.io/sample-apiserver",
	"k8s.io/sample-cli-plugin",
	"k8s.io/sample-controller",
}

// Binary names, as found in Binaries.Dir.
const (
	// Etcd, APIServer, ControllerManager, Scheduler, Kubectl and Kwok are the
	// file names of the cached executables.
	Etcd              = "etcd"
	APIServer         = "kube-apiserver"
	ControllerManager = "kube-controller-manager"
	Scheduler         = "kube-scheduler"
	Kubectl           = "kubectl"
	Kwok              = "kwok"
)
