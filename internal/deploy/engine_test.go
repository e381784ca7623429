package deploy

import (
	"net/http"
	"strings"
	"testing"

	"k8s.io/client-go/rest"
)

func TestNewRefusesBadOptions(t *testing.T) {
	cfg := &rest.Config{Host: "https://127.0.0.1:6443"}
	for _, c := range []struct {
		cfg  *rest.Config
		o    Options
		want string
	}{
		{nil, Options{}, "no cluster configuration"},
		{cfg, Options{PrometheusURL: "prometheus:9090", HTTPClient: http.DefaultClient}, `Prometheus URL "prometheus:9090"`},
		{cfg, Options{PrometheusURL: "ftp://prom", HTTPClient: http.DefaultClient}, `Prometheus URL "ftp://prom"`},
		{cfg, Options{PrometheusURL: "http://prom:9090"}, "needs an HTTP client"},
	} {
		if _, err := New(c.cfg, c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want an error saying %q", c.o, err, c.want)
		}
	}
	if _, err := New(cfg, Options{PrometheusURL: "http://prom:9090/", HTTPClient: http.DefaultClient}); err != nil {
		t.Errorf("a good configuration: %v", err)
	}
}
