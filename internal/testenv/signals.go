package testenv

import (
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// Clusters launched for tests are tracked so that an interrupt (Ctrl-C on
// `go test`, SIGTERM from CI) stops them before the test binary exits: our
// processes sit in their own process groups, so the terminal's SIGINT does
// not reach them.
var running struct {
	sync.Mutex
	clusters map[*Cluster]struct{}
	watching bool
}

func track(c *Cluster) {
	running.Lock()
	defer running.Unlock()
	if running.clusters == nil {
		running.clusters = map[*Cluster]struct{}{}
	}
	running.clusters[c] = struct{}{}
	if !running.watching {
		running.watching = true
		ch := make(chan os.Signal, 1)
		signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
		go stopOnSignal(ch)
	}
}

func untrack(c *Cluster) {
	running.Lock()
	defer running.Unlock()
	delete(running.clusters, c)
}

// stopOnSignal stops every tracked cluster, then re-raises the signal with
// the default handler so the process ends as it would have.
func stopOnSignal(ch chan os.Signal) {
	sig := <-ch
	running.Lock()
	for c := range running.clusters {
		c.Stop()
	}
	running.Unlock()
	signal.Reset()
	_ = syscall.Kill(os.Getpid(), sig.(syscall.Signal))
}
