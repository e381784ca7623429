// Package soak holds the simulated cluster's long-running test: a
// 1,000-pod Deployment held for five minutes, every pod Ready throughout and
// no node ever NotReady. It is a package of its own so that its cluster
// (ten nodes) is not shared with quick tests and `go test ./...` runs it in
// parallel with other packages.
package soak
