package testenv

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// startTimeout bounds each start-up wait. A warm start takes seconds; the
// margin is for a machine busy compiling.
const startTimeout = 2 * time.Minute

// poll calls cond every interval until it reports done, a component dies,
// ctx ends or startTimeout passes; what names the wait in errors.
func (c *Cluster) poll(ctx context.Context, what string, cond func(ctx context.Context) (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	var last error
	for {
		if err := c.checkProcs(); err != nil {
			return err
		}
		done, err := cond(ctx)
		if done {
			return nil
		}
		if err != nil {
			last = err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("testenv: timed out waiting for %s (last error: %v); logs in %s", what, last, c.Dir+"/logs")
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (c *Cluster) waitAPIServer(ctx context.Context, client *kubeClient) error {
	return c.poll(ctx, "kube-apiserver /readyz", func(ctx context.Context) (bool, error) {
		body, err := client.readyz(ctx)
		return err == nil && string(body) == "ok", err
	})
}

func (c *Cluster) waitNodes(ctx context.Context, client *kubeClient) error {
	err := c.poll(ctx, "fake nodes to become Ready and untainted", func(ctx context.Context) (bool, error) {
		return nodesReady(ctx, client, len(c.Nodes))
	})
	if err == nil {
		c.logf("%d nodes Ready", len(c.Nodes))
	}
	return err
}

// nodesReady reports whether the cluster has exactly n nodes, all Ready
// and schedulable.
func nodesReady(ctx context.Context, client *kubeClient, n int) (bool, error) {
	nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return false, err
	}
	ready := 0
	for i := range nodes.Items {
		if nodeSchedulable(&nodes.Items[i]) {
			ready++
		}
	}
	return ready == n && len(nodes.Items) == n, nil
}

// waitReadyNodes waits, without a Cluster (for a detached one), until the
// cluster has exactly n Ready nodes.
func waitReadyNodes(ctx context.Context, client *kubeClient, n int) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	var last error
	for {
		ok, err := nodesReady(ctx, client, n)
		if ok {
			return nil
		}
		if err != nil {
			last = err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("testenv: timed out waiting for %d Ready nodes (last error: %v)", n, last)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
