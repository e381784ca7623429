// Command testenv-install builds the simulated cluster's binaries (etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, kwok)
// into the per-version cache, printing progress on stderr and the binary
// directory on stdout. A warm cache builds nothing. hack/testenv.sh runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/usecapsule/capsule/internal/testenv/kubebin"
)

func main() {
	parallel := flag.Int("p", 2, "number of packages `go build` compiles in parallel")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	bins, err := kubebin.Install(ctx, kubebin.InstallOptions{Log: os.Stderr, Parallelism: *parallel})
	if err != nil {
		fmt.Fprintln(os.Stderr, "testenv-install:", err)
		os.Exit(1)
	}
	fmt.Println(bins.Dir)
}
