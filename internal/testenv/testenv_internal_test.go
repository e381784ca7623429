package testenv

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/testenv/kubebin"
)

func TestLaunchWithoutBinariesSaysToRunMakeTestenv(t *testing.T) {
	_, err := Launch(context.Background(), Config{Binaries: kubebin.Binaries{Dir: t.TempDir()}})
	if !errors.Is(err, kubebin.ErrNotInstalled) {
		t.Fatalf("err = %v, want kubebin.ErrNotInstalled", err)
	}
	for _, want := range []string{"make testenv", "kube-apiserver", "etcd@" + kubebin.EtcdVersion, "kwok@" + kubebin.KwokVersion} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
}

func TestNamespaceNameIsValidAndUnique(t *testing.T) {
	valid := regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	for _, in := range []string{"TestX", "TestX/sub_case#01", strings.Repeat("Long", 40), "///"} {
		a, b := namespaceName(in), namespaceName(in)
		if !valid.MatchString(a) || len(a) > 63 {
			t.Errorf("namespaceName(%q) = %q: not a DNS label", in, a)
		}
		if a == b {
			t.Errorf("namespaceName(%q) twice gave %q both times", in, a)
		}
	}
}
