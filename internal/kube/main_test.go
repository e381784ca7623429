package kube_test

import (
	"testing"

	"github.com/usecapsule/capsule/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
