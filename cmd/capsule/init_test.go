package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// Every capsule command, `capsule version` included, pays for the package
// initialisation of the whole binary before it runs, so what a package
// does at init is budgeted here by the bytes it allocates: a count the
// runtime reports exactly, unlike a duration on a shared machine. Tables,
// templates, schemas and catalogues are built on first use instead
// (sync.OnceValue).
const (
	ownInitBudget   = 64 << 10  // a package of this module
	otherInitBudget = 256 << 10 // a dependency
)

// heavyInits are the packages still above their budget, each with why, so
// that a new one fails the test and these stay in sight. A package that
// fixed its init fails the test too until it leaves this list.
var heavyInits = map[string]string{
	"github.com/minio/minio-go/v7/pkg/s3utils": "minio-go compiles its bucket, host and region regexps at init (≈ 275 KB); it is the S3 client of scheduled billing imports, and no maintained S3 client served here is lazier",
}

// initProbeEnv makes the test binary exit as soon as main's packages are
// initialised: the test binary links the same packages as capsule.
const initProbeEnv = "CAPSULE_INIT_PROBE"

func TestMain(m *testing.M) {
	if os.Getenv(initProbeEnv) == "1" {
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestInitBudget runs this package's own binary with GODEBUG=inittrace=1
// and checks what each package allocates at init.
func TestInitBudget(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), initProbeEnv+"=1", "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("init probe: %v\n%s", err, stderr.String())
	}
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(stderr.Bytes()))
	for sc.Scan() {
		// init PKG @0.5 ms, 0.01 ms clock, 1234 bytes, 5 allocs
		f := strings.Fields(sc.Text())
		if len(f) < 9 || f[0] != "init" || f[8] != "bytes," {
			continue
		}
		n, err := strconv.Atoi(f[7])
		if err != nil {
			t.Fatalf("unreadable inittrace line %q", sc.Text())
		}
		seen[f[1]] = n
	}
	if len(seen) < 50 || !hasPackage(seen, "github.com/usecapsule/capsule/internal/dockerfile") {
		t.Fatalf("inittrace listed %d packages, not capsule's: %s", len(seen), stderr.String())
	}
	for pkg, n := range seen {
		budget := otherInitBudget
		if strings.HasPrefix(pkg, "github.com/usecapsule/capsule") {
			budget = ownInitBudget
		}
		why, known := heavyInits[pkg]
		switch {
		case n > budget && !known:
			t.Errorf("package %s allocates %d bytes at init, over its %d: build it on first use (sync.OnceValue)", pkg, n, budget)
		case n <= budget && known:
			t.Errorf("package %s now allocates %d bytes at init: remove it from heavyInits (%s)", pkg, n, why)
		}
	}
}

func hasPackage(seen map[string]int, pkg string) bool {
	_, ok := seen[pkg]
	return ok
}
