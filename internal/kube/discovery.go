package kube

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/version"
	"k8s.io/client-go/rest"
)

// maxDiscoveryBytes bounds one discovery answer (the largest, /apis/<g>/<v>
// of a big group, is tens of KiB).
const maxDiscoveryBytes = 8 << 20

// Discovery reads what a cluster's API server serves with plain GETs
// decoded into apimachinery's types (see the package comment for why not
// client-go's discovery package).
type Discovery struct {
	client *http.Client
	base   *url.URL
}

// NewDiscovery returns the discovery reader of rc's cluster.
func NewDiscovery(rc *rest.Config) (*Discovery, error) {
	hc, err := rest.HTTPClientFor(rc)
	if err != nil {
		return nil, err
	}
	base, _, err := rest.DefaultServerUrlFor(rc)
	if err != nil {
		return nil, err
	}
	return &Discovery{client: hc, base: base}, nil
}

// ServerVersion returns the API server's version (GET /version).
func (d *Discovery) ServerVersion(ctx context.Context) (*version.Info, error) {
	var v version.Info
	return &v, d.get(ctx, "version", &v)
}

// GroupVersions returns every served group version, each group's preferred
// version first, the core group ("v1") first of all.
func (d *Discovery) GroupVersions(ctx context.Context) ([]string, error) {
	var core metav1.APIVersions
	if err := d.get(ctx, "api", &core); err != nil {
		return nil, err
	}
	out := append([]string(nil), core.Versions...)
	var groups metav1.APIGroupList
	if err := d.get(ctx, "apis", &groups); err != nil {
		return nil, err
	}
	for _, g := range groups.Groups {
		out = append(out, g.PreferredVersion.GroupVersion)
		for _, v := range g.Versions {
			if v.GroupVersion != g.PreferredVersion.GroupVersion {
				out = append(out, v.GroupVersion)
			}
		}
	}
	return out, nil
}

// ServerResources returns the resources of every served group version, in
// the order of GroupVersions.
func (d *Discovery) ServerResources(ctx context.Context) ([]*metav1.APIResourceList, error) {
	gvs, err := d.GroupVersions(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]*metav1.APIResourceList, 0, len(gvs))
	for _, gv := range gvs {
		path := "apis/" + gv
		if gv == "v1" {
			path = "api/v1"
		}
		var l metav1.APIResourceList
		if err := d.get(ctx, path, &l); err != nil {
			return nil, err
		}
		l.GroupVersion = gv
		out = append(out, &l)
	}
	return out, nil
}

// Resources returns what the cluster serves in group version gv (GET
// /api/v1 or /apis/<group>/<version>); found is false when it does not
// serve gv at all. One small document: the deploy engine and the agent
// ask for the group versions they need instead of all of them.
func (d *Discovery) Resources(ctx context.Context, gv schema.GroupVersion) (list *metav1.APIResourceList, found bool, err error) {
	path := "apis/" + gv.String()
	if gv.Group == "" {
		path = "api/" + gv.Version
	}
	var l metav1.APIResourceList
	err = d.get(ctx, path, &l)
	var status *httpStatusError
	if errors.As(err, &status) && status.code == http.StatusNotFound {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	l.GroupVersion = gv.String()
	return &l, true, nil
}

func (d *Discovery) get(ctx context.Context, path string, into any) error {
	u := d.base.JoinPath(path)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := d.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusUnauthorized {
		return apierrors.NewUnauthorized("GET " + u.String())
	}
	if resp.StatusCode != http.StatusOK {
		return &httpStatusError{url: u.String(), code: resp.StatusCode}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDiscoveryBytes+1))
	if err != nil {
		return err
	}
	if len(body) > maxDiscoveryBytes {
		return fmt.Errorf("GET %s: answer over %d bytes", u, maxDiscoveryBytes)
	}
	if err := json.Unmarshal(body, into); err != nil {
		return fmt.Errorf("GET %s: the answer is not the expected JSON", u)
	}
	return nil
}
