package cli

import (
	"testing"

	"github.com/usecapsule/capsule/internal/testenv"
)

// TestMain stops the simulated cluster the cluster tests share.
func TestMain(m *testing.M) { testenv.Main(m) }
