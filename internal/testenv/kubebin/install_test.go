package kubebin

import (
	"strings"
	"testing"
)

func TestKubernetesGoModReplacesEveryStagingModule(t *testing.T) {
	mod := kubernetesGoMod()
	for _, m := range stagingModules {
		if !strings.Contains(mod, "\t"+m+" => "+m+" "+StagingVersion+"\n") {
			t.Errorf("go.mod lacks replace for %s:\n%s", m, mod)
		}
	}
	if !strings.Contains(mod, "require k8s.io/kubernetes "+KubernetesVersion) {
		t.Errorf("go.mod does not require k8s.io/kubernetes %s", KubernetesVersion)
	}
}
