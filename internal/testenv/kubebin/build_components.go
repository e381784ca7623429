package kubebin

import (
	"context"
	"fmt"
	"strings"
)

const etcdMain = `// Command etcd runs the etcd server pinned by Capsule's test environment.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
`

// buildEtcd builds etcd from the module proxy as a two-line main package.
func buildEtcd(ctx context.Context, b *builder) error {
	gomod := fmt.Sprintf("module capsule.local/testenv/etcd\n\ngo %s\n", goDirective)
	dir, err := b.module("etcd-"+EtcdVersion, gomod, map[string]string{"main.go": etcdMain})
	if err != nil {
		return err
	}
	if err := b.goRun(ctx, dir, "resolving etcd modules", "get", "go.etcd.io/etcd/server/v3@"+EtcdVersion); err != nil {
		return err
	}
	return b.goBuild(ctx, dir, Etcd, ".", "")
}

// buildKwok builds kwok in its own module: it needs a newer apimachinery
// than the Kubernetes module pins, so they cannot share one build list.
func buildKwok(ctx context.Context, b *builder) error {
	gomod := fmt.Sprintf("module capsule.local/testenv/kwok\n\ngo %s\n", goDirective)
	dir, err := b.module("kwok-"+KwokVersion, gomod, nil)
	if err != nil {
		return err
	}
	if err := b.goRun(ctx, dir, "resolving kwok modules", "get", "sigs.k8s.io/kwok/cmd/kwok@"+KwokVersion); err != nil {
		return err
	}
	return b.goBuild(ctx, dir, Kwok, "sigs.k8s.io/kwok/cmd/kwok", "")
}

// kubeCommands are built from k8s.io/kubernetes/cmd/<name>.
var kubeCommands = []string{APIServer, ControllerManager, Scheduler, Kubectl}

// buildKubernetes builds the control plane and kubectl in a module whose
// go.mod replaces every staging module with its published release.
func buildKubernetes(ctx context.Context, b *builder) error {
	dir, err := b.module("kubernetes-"+KubernetesVersion, kubernetesGoMod(), nil)
	if err != nil {
		return err
	}
	get := []string{"get"}
	for _, c := range kubeCommands {
		get = append(get, "k8s.io/kubernetes/cmd/"+c+"@"+KubernetesVersion)
	}
	if err := b.goRun(ctx, dir, "resolving Kubernetes modules", get...); err != nil {
		return err
	}
	for i, c := range kubeCommands {
		b.logf("  kubernetes %d/%d: %s", i+1, len(kubeCommands), c)
		if err := b.goBuild(ctx, dir, c, "k8s.io/kubernetes/cmd/"+c, kubeVersionLDFlags()); err != nil {
			return err
		}
	}
	return nil
}

func kubernetesGoMod() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "module capsule.local/testenv/kubernetes\n\ngo %s\n\ngodebug default=go1.24\n\n", goDirective)
	fmt.Fprintf(&sb, "require k8s.io/kubernetes %s\n\nreplace (\n", KubernetesVersion)
	for _, m := range stagingModules {
		fmt.Fprintf(&sb, "\t%s => %s %s\n", m, m, StagingVersion)
	}
	sb.WriteString(")\n")
	return sb.String()
}

// kubeVersionLDFlags stamp the version the binaries report, as the
// Kubernetes release build does; without them the API server says v0.0.0
// and kubectl warns about version skew.
func kubeVersionLDFlags() string {
	major, minor := "1", strings.Split(strings.TrimPrefix(KubernetesVersion, "v"), ".")[1]
	var parts []string
	for _, pkg := range []string{"k8s.io/component-base/version", "k8s.io/client-go/pkg/version"} {
		parts = append(parts,
			"-X "+pkg+".gitVersion="+KubernetesVersion,
			"-X "+pkg+".gitMajor="+major,
			"-X "+pkg+".gitMinor="+minor,
			"-X "+pkg+".gitTreeState=clean")
	}
	return strings.Join(parts, " ")
}
