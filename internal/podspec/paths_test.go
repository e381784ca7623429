package podspec

import "testing"

func TestPath(t *testing.T) {
	if p, ok := Path("batch/CronJob"); !ok || len(p) != 5 || p[1] != "jobTemplate" {
		t.Errorf("CronJob: %v %v", p, ok)
	}
	if p, ok := Path("apps.openshift.io/DeploymentConfig"); !ok || len(p) != 3 || p[1] != "template" {
		t.Errorf("DeploymentConfig: %v %v", p, ok)
	}
	if _, ok := Path("/ConfigMap"); ok {
		t.Error("ConfigMap runs no pods")
	}
	p, _ := Path("/Pod")
	p[0] = "changed"
	if q, _ := Path("/Pod"); q[0] != "spec" {
		t.Error("PodSpecPath returned the shared slice")
	}
	if len(Paths()) != len(podSpecPaths) {
		t.Error("PodSpecPaths is incomplete")
	}
}
