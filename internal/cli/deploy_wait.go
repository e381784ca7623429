package cli

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/events"
)

// ExitDeployFailed is returned by deploy, rollback and scale --wait when
// the deployment failed, was rolled back or was cancelled.
const ExitDeployFailed = 4

// pollEvery is how often --wait re-reads the record: the events stream
// shows progress as it happens, the record is the truth (an event may be
// lost, or the stream unavailable behind a proxy).
const pollEvery = 2 * time.Second

// waiter follows a deployment: events when the stream opens, the record
// always.
type waiter struct {
	ctx     context.Context
	cancel  context.CancelFunc
	c       *apiclient.Client
	s       Streams
	events  chan events.Event
	tty     bool
	timeout time.Duration
	last    string
}

// newWaiter opens the event stream of the target's service and
// environment (before the deployment exists, so none of its events is
// missed). When the stream cannot be opened, the waiter polls.
func newWaiter(ctx context.Context, c *apiclient.Client, s Streams, t target, timeout time.Duration) *waiter {
	wctx, cancel := context.WithCancel(ctx)
	w := &waiter{ctx: wctx, cancel: cancel, c: c, s: s, timeout: timeout}
	if f, ok := s.Out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		w.tty = true
	}
	stream, err := c.Events(wctx, apiclient.EventFilter{Services: []string{t.serviceID}, Environments: []string{t.envID}})
	if err != nil {
		fmt.Fprintf(s.Err, "note: no live events (%v); polling the deployment instead\n", err)
		return w
	}
	w.events = make(chan events.Event, 64)
	go func() {
		defer close(w.events)
		defer stream.Close()
		for {
			e, err := stream.Next(wctx)
			if err != nil {
				return
			}
			select {
			case w.events <- e:
			case <-wctx.Done():
				return
			}
		}
	}()
	return w
}

func (w *waiter) close() { w.cancel() }

// follow shows the deployment's progress until it ends or the timeout.
func (w *waiter) follow(id string) error {
	deadline := time.NewTimer(w.timeout)
	defer deadline.Stop()
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		d, err := w.read(id)
		if err != nil {
			return err
		}
		if done, err := w.show(d); done {
			return err
		}
		select {
		case e, ok := <-w.events:
			if !ok {
				w.events = nil // stream ended: keep polling
				continue
			}
			if e.Scope.DeploymentID == id && e.Type == events.DeploymentProgress && e.Percent != nil {
				w.line(bar(*e.Percent), e.Message)
			}
		case <-tick.C:
		case <-deadline.C:
			w.end()
			return fmt.Errorf("deployment %s still %s after %s; it continues: capsule status shows it", id, d.Status, w.timeout)
		case <-w.ctx.Done():
			w.end()
			return w.ctx.Err()
		}
	}
}

func (w *waiter) read(id string) (*deploymentView, error) {
	var d deploymentView
	err := w.c.Do(w.ctx, "GET", "/api/v1/deployments/"+url.PathEscape(id), nil, &d)
	return &d, err
}

// show prints the record's state and reports whether it is final.
func (w *waiter) show(d *deploymentView) (bool, error) {
	switch d.Status {
	case "running":
		w.end()
		fmt.Fprintf(w.s.Out, "deployment %s running: %s\n", d.ID, d.Message)
		return true, nil
	case "failed", "rolled_back", "cancelled":
		w.end()
		return true, withExitCode(ExitDeployFailed, fmt.Errorf("deployment %s %s: %s", d.ID, strings.ReplaceAll(d.Status, "_", " "), d.Message))
	}
	pct := 0
	if d.Replicas.Desired > 0 {
		pct = 100 * d.Replicas.Ready / d.Replicas.Desired
	}
	w.line(bar(pct), fmt.Sprintf("%s %d/%d ready: %s", d.Status, d.Replicas.Ready, d.Replicas.Desired, d.Message))
	return false, nil
}

// line prints a progress line: redrawn in place on a terminal, else only
// when it changed.
func (w *waiter) line(bar, msg string) {
	text := bar + " " + msg
	if text == w.last {
		return
	}
	w.last = text
	if w.tty {
		if len(text) > 100 {
			text = text[:100]
		}
		fmt.Fprintf(w.s.Out, "\r\033[K%s", text)
		return
	}
	fmt.Fprintln(w.s.Out, msg)
}

// end finishes a redrawn line.
func (w *waiter) end() {
	if w.tty && w.last != "" {
		fmt.Fprintln(w.s.Out)
		w.last = ""
	}
}

// bar is a 20-cell progress bar with the percentage.
func bar(pct int) string {
	pct = min(max(pct, 0), 100)
	n := pct / 5
	return "[" + strings.Repeat("=", n) + strings.Repeat(" ", 20-n) + fmt.Sprintf("] %3d%%", pct)
}
