package testenv

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Temporary cluster directories are named tempPrefix* and hold ownerFile
// with the pid of the process that created them.
const (
	tempPrefix = "capsule-testenv-"
	ownerFile  = "owner.pid"
)

// sweepStaleDirs removes temporary cluster directories whose owner has
// died. Processes never outlive their owner (Pdeathsig), but a SIGKILLed
// test binary cannot remove its directory; the next run does.
func sweepStaleDirs() {
	matches, _ := filepath.Glob(filepath.Join(os.TempDir(), tempPrefix+"*"))
	for _, d := range matches {
		b, err := os.ReadFile(filepath.Join(d, ownerFile))
		if err != nil {
			continue // still being created, or not ours
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || pid == os.Getpid() || Alive(pid) {
			continue
		}
		_ = os.RemoveAll(d)
	}
}
