package kubebin

import (
	"context"
	"errors"
	"os"
	"path/filepath"
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

// fakeInstall writes every binary of the pinned set with a current stamp
// (contents do not matter to the installer) into root's bin dir.
func fakeInstall(t *testing.T, root string) Binaries {
	t.Helper()
	b := Binaries{Dir: filepath.Join(root, KubernetesVersion, "bin")}
	if err := os.MkdirAll(b.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, c := range components() {
		for _, name := range c.bins {
			write(t, b.Path(name), "#!/bin/sh\n")
			write(t, b.Path(name)+".stamp", c.stamp())
		}
	}
	return b
}

func write(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestWarmInstallBuildsNothing(t *testing.T) {
	root := t.TempDir()
	want := fakeInstall(t, root)
	t.Setenv("PATH", "") // any attempt to run the go command would fail
	var log strings.Builder
	got, err := Install(context.Background(), InstallOptions{Root: root, Log: &log})
	if err != nil || got != want {
		t.Fatalf("Install = %v, %v; want %v, nil", got, err, want)
	}
	if log.Len() != 0 {
		t.Errorf("warm install printed progress:\n%s", log.String())
	}
	if err := got.Check(); err != nil {
		t.Errorf("Check after warm install: %v", err)
	}
}

func TestStaleOrMissingBinaryIsRebuilt(t *testing.T) {
	root := t.TempDir()
	b := fakeInstall(t, root)
	write(t, b.Path(Scheduler)+".stamp", "kubernetes v1.0.0 recipe=0\n") // an older recipe
	if err := os.Remove(b.Path(Etcd)); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range pending(b.Dir) {
		names = append(names, c.name)
	}
	if strings.Join(names, ",") != "etcd,kubernetes" {
		t.Errorf("pending = %v, want [etcd kubernetes]", names)
	}
	err := b.Check()
	if !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), "kube-scheduler") || strings.Contains(err.Error(), "kwok@") {
		t.Errorf("Check = %v; want ErrNotInstalled naming etcd and the kubernetes set but not kwok", err)
	}
	t.Setenv("PATH", "")
	if _, err := Install(context.Background(), InstallOptions{Root: root}); err == nil || !strings.Contains(err.Error(), "Go toolchain") {
		t.Errorf("Install without go on PATH = %v; want an error naming the Go toolchain", err)
	}
}

func TestCacheRootHonoursEnvironment(t *testing.T) {
	t.Setenv("CAPSULE_TESTENV_CACHE", "")
	t.Setenv("XDG_CACHE_HOME", "/x/cache")
	if got, err := CacheRoot(); err != nil || got != "/x/cache/capsule/testenv" {
		t.Errorf("CacheRoot with XDG_CACHE_HOME = %q, %v", got, err)
	}
	t.Setenv("CAPSULE_TESTENV_CACHE", "/y")
	if got, _ := CacheRoot(); got != "/y" {
		t.Errorf("CacheRoot with CAPSULE_TESTENV_CACHE = %q, want /y", got)
	}
}

// A cold install says first, before any build starts, what it builds and
// how long that takes, so a user of `capsule dev cluster up` knows the wait
// is expected.
func TestColdInstallSaysUpFrontHowLongItTakes(t *testing.T) {
	root := t.TempDir()
	b := fakeInstall(t, root)
	if err := os.Remove(b.Path(APIServer)); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", "") // the build itself fails at once
	var log strings.Builder
	if _, err := Install(context.Background(), InstallOptions{Root: root, Log: &log}); err == nil {
		t.Fatal("Install without go on PATH succeeded")
	}
	first, _, _ := strings.Cut(log.String(), "\n")
	for _, want := range []string{"building kubernetes once", "15-30 minutes", b.Dir} {
		if !strings.Contains(first, want) {
			t.Errorf("first progress line %q does not say %q", first, want)
		}
	}
	if strings.Contains(first, "etcd") {
		t.Errorf("first line %q names etcd, which is already built", first)
	}
}
