// Command loadgen drives a running Capsule server over HTTP keep-alive
// connections and reports throughput and latency percentiles.
//
// It signs in, optionally seeds projects (-seed-projects) and creates a
// project whose ID replaces {project} in the body, then runs -c concurrent
// clients until -d elapses or -n requests are done, whichever comes first.
// {n} in the path or body becomes a unique counter, so POSTs of unique names
// are possible. Examples:
//
//	loadgen -url http://127.0.0.1:8080 -password "$PW" -seed-projects 50 -path /api/v1/projects -c 32 -d 10s
//	loadgen -url http://127.0.0.1:8080 -password "$PW" -method POST -path /api/v1/services \
//	    -body '{"projectId":"{project}","name":"svc-{n}","type":"web"}' -c 16 -d 10s
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// config is the parsed command line.
type config struct {
	url, email, password string
	method, path, body   string
	concurrency          int
	duration             time.Duration
	requests             int
	seedProjects         int
	timeout              time.Duration
}

func parse(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	fs.StringVar(&c.url, "url", "http://127.0.0.1:8080", "server base URL")
	fs.StringVar(&c.email, "email", "admin@localhost", "account email")
	fs.StringVar(&c.password, "password", os.Getenv("CAPSULE_ADMIN_PASSWORD"), "account password ($CAPSULE_ADMIN_PASSWORD)")
	fs.StringVar(&c.method, "method", "GET", "HTTP method")
	fs.StringVar(&c.path, "path", "/api/v1/projects", "request path; {n} is a unique counter")
	fs.StringVar(&c.body, "body", "", "request body; {n} is a unique counter, {project} the setup project's ID")
	fs.IntVar(&c.concurrency, "c", 16, "concurrent keep-alive clients")
	fs.DurationVar(&c.duration, "d", 10*time.Second, "run for at most this long")
	fs.IntVar(&c.requests, "n", 0, "stop after this many requests (0: only -d bounds the run)")
	fs.IntVar(&c.seedProjects, "seed-projects", 0, "create this many projects before the run (unless they exist)")
	fs.DurationVar(&c.timeout, "timeout", 10*time.Second, "per-request timeout")
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	switch {
	case c.password == "":
		return c, fmt.Errorf("-password (or $CAPSULE_ADMIN_PASSWORD) is required")
	case c.concurrency < 1 || c.concurrency > 1024:
		return c, fmt.Errorf("-c %d: want 1 to 1024", c.concurrency)
	case c.duration <= 0 || c.duration > time.Hour:
		return c, fmt.Errorf("-d %s: want a duration up to 1h", c.duration)
	case c.requests < 0:
		return c, fmt.Errorf("-n %d: want 0 or more", c.requests)
	}
	return c, nil
}

func run(ctx context.Context, args []string, out io.Writer) error {
	c, err := parse(args)
	if err != nil {
		return err
	}
	cl := newClient(c)
	if err := cl.login(ctx); err != nil {
		return err
	}
	if err := cl.seed(ctx, c.seedProjects); err != nil {
		return err
	}
	if err := cl.setupProject(ctx); err != nil {
		return err
	}
	res := cl.load(ctx)
	res.print(out, c)
	if res.ok == 0 {
		return fmt.Errorf("no request succeeded (statuses: %v)", res.statuses)
	}
	return nil
}
