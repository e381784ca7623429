// Package kubebin builds and locates the executables of Capsule's simulated
// test cluster: etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler, kubectl and kwok, at the versions pinned in versions.go.
//
// Everything is built from the Go module proxy with the local Go toolchain,
// in throwaway modules under the cache directory
// ($XDG_CACHE_HOME/capsule/testenv/<kubernetes version>/src), never in
// Capsule's own go.mod: the Kubernetes module needs every staging module
// replaced by its published release, and kwok needs a newer apimachinery
// than the Kubernetes release allows, so each gets its own build list.
// Binaries land in .../<version>/bin with a .stamp file recording the recipe;
// a binary without a matching stamp is rebuilt, so a second run builds
// nothing and an interrupted build never leaves a half-written binary that
// looks installed. Builds use CGO_ENABLED=0, -trimpath, -buildvcs=false and
// GOWORK=off so that the user's environment cannot change the result.
//
// The package imports nothing from Kubernetes, so `go run` of the installer
// (hack/testenv.sh) compiles in seconds even on a cold build cache.
package kubebin
