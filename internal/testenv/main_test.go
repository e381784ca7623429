package testenv_test

import (
	"context"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/usecapsule/capsule/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// eventually polls cond until it holds, failing the test with describe()
// after timeout; describe reports the last observed state.
func eventually(t *testing.T, timeout time.Duration, what string, cond func(ctx context.Context) (bool, error), describe func() string) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, timeout, true, cond)
	if err != nil {
		t.Fatalf("%s: %v; last state: %s", what, err, describe())
	}
}
