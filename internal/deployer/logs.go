package deployer

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"k8s.io/client-go/rest"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/render"
)

// LogOptions select a deployment's logs.
type LogOptions struct {
	Follow    bool
	Since     time.Duration // 0: everything the kubelet kept
	Container string        // "": each pod's first container
}

// Logs writes the logs of the pods of rec's service in its environment's
// namespace to w, each line prefixed with its pod's name (flush, when not nil, runs
// after each line so a follower sees it at once), until every
// stream ends (or, with Follow, until ctx ends). The pods are listed and
// their log streams opened before anything is written, so a cluster that
// serves no logs at all (the simulated cluster has no kubelet) is an error
// the caller can still answer with a status: POD_LOGS_UNAVAILABLE naming
// each pod's cause. Pods whose stream cannot be opened while others can
// get one line saying why.
func (d *Deployer) Logs(ctx context.Context, rec *capsule.Deployment, o LogOptions, w io.Writer, flush func()) error {
	svc, err := d.cfg.Store.FindService(ctx, rec.ServiceID)
	if err != nil {
		return err
	}
	t, err := d.resolve(ctx, svc, rec.EnvironmentID)
	if err != nil {
		return err
	}
	ns := t.env.Namespace
	if run, err := d.cfg.Store.FindDeployRun(ctx, rec.ID); err == nil && run.Namespace != "" {
		ns = run.Namespace
	}
	rc, err := d.restConfig(ctx, t.cluster)
	if err != nil {
		return err
	}
	hc, err := rest.HTTPClientFor(rc)
	if err != nil {
		return err
	}
	base := strings.TrimSuffix(rc.Host, "/") + "/api/v1/namespaces/" + url.PathEscape(ns) + "/pods"
	pods, err := listPods(ctx, hc, base, svc.Name)
	if err != nil {
		return unavailable(fmt.Sprintf("listing the pods of service %s in namespace %s: %v", svc.Name, ns, err))
	}
	if len(pods) == 0 {
		return unavailable(fmt.Sprintf("service %s has no pods in namespace %s", svc.Name, ns))
	}
	var (
		streams []io.ReadCloser
		names   []string
		causes  []string
	)
	for _, p := range pods {
		body, err := openLog(ctx, hc, base, p, o)
		if err != nil {
			causes = append(causes, p.name+": "+err.Error())
			continue
		}
		streams, names = append(streams, body), append(names, p.name)
	}
	if len(streams) == 0 {
		return unavailable("no pod's logs could be read: " + strings.Join(causes, "; "))
	}
	var mu sync.Mutex
	line := func(pod, text string) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, "%s: %s\n", pod, text)
		if flush != nil {
			flush()
		}
	}
	for _, c := range causes {
		pod, why, _ := strings.Cut(c, ": ")
		line(pod, "logs unavailable: "+why)
	}
	var wg sync.WaitGroup
	for i, s := range streams {
		wg.Go(func() {
			defer s.Close()
			sc := bufio.NewScanner(s)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			for sc.Scan() {
				line(names[i], sc.Text())
			}
		})
	}
	// Closing the bodies ends the scanners when the caller goes away.
	stop := context.AfterFunc(ctx, func() {
		for _, s := range streams {
			s.Close()
		}
	})
	defer stop()
	wg.Wait()
	return nil
}

func unavailable(msg string) error {
	return &capsule.Error{Kind: capsule.KindUnavailable, Code: capsule.CodePodLogsUnavailable, Message: msg}
}

type pod struct{ name, container string }

// listPods lists the service's pods: render labels every pod template
// with the service's name and Capsule as its manager.
func listPods(ctx context.Context, hc *http.Client, base, service string) ([]pod, error) {
	q := url.Values{"labelSelector": {render.LabelName + "=" + service + "," + render.LabelManagedBy + "=capsule"}}
	resp, err := get(ctx, hc, base+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var list struct {
		Items []struct {
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
			Spec struct {
				Containers []struct {
					Name string `json:"name"`
				} `json:"containers"`
			} `json:"spec"`
		} `json:"items"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 32<<20)).Decode(&list); err != nil {
		return nil, err
	}
	out := make([]pod, 0, len(list.Items))
	for _, it := range list.Items {
		p := pod{name: it.Metadata.Name}
		if len(it.Spec.Containers) > 0 {
			p.container = it.Spec.Containers[0].Name
		}
		out = append(out, p)
	}
	return out, nil
}

func openLog(ctx context.Context, hc *http.Client, base string, p pod, o LogOptions) (io.ReadCloser, error) {
	q := url.Values{}
	c := o.Container
	if c == "" {
		c = p.container
	}
	if c != "" {
		q.Set("container", c)
	}
	if o.Follow {
		q.Set("follow", "true")
	}
	if o.Since > 0 {
		q.Set("sinceSeconds", strconv.Itoa(max(int(o.Since.Seconds()), 1)))
	}
	resp, err := get(ctx, hc, base+"/"+url.PathEscape(p.name)+"/log?"+q.Encode())
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// get does a GET and turns a non-2xx answer into an error carrying the
// API server's message (a Status object's message, else the status).
func get(ctx context.Context, hc *http.Client, u string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 == 2 {
		return resp, nil
	}
	defer resp.Body.Close()
	var st struct {
		Message string `json:"message"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if json.Unmarshal(b, &st) == nil && st.Message != "" {
		return nil, fmt.Errorf("HTTP %d: %s", resp.StatusCode, st.Message)
	}
	return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
}
