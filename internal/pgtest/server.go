package pgtest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"syscall"
)

// Server is a PostgreSQL server in a temporary directory.
type Server struct {
	dir    string // data directory, also holds the Unix socket and the log
	port   int
	bin    string // directory of initdb, pg_ctl
	asUser string // "postgres" when running as root, else ""

	mu        sync.Mutex
	templates map[string]error // prepared template databases and their outcome
}

// errMissingBinaries is the failure when PostgreSQL is not installed.
var errMissingBinaries = errors.New("pgtest: PostgreSQL server binaries (initdb, pg_ctl) not found on PATH " +
	"or in /usr/lib/postgresql/*/bin; run `make deps` to install them")

// StartServer initializes and starts a new server. The caller must Stop it.
func StartServer() (*Server, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin}
	if os.Geteuid() == 0 {
		s.asUser = "postgres"
	}
	if s.dir, err = s.makeDir(); err != nil {
		return nil, err
	}
	if err := s.run("initdb", "-D", s.dir, "-A", "trust", "-U", "postgres", "-E", "UTF8",
		"--locale=C", "--no-sync", "--no-instructions"); err != nil {
		os.RemoveAll(s.dir)
		return nil, err
	}
	// A free port can be taken between choosing it and binding it; try again.
	for attempt := 0; attempt < 3; attempt++ {
		if s.port, err = freePort(); err != nil {
			break
		}
		if err = s.start(); err == nil {
			s.watch()
			return s, nil
		}
	}
	os.RemoveAll(s.dir)
	return nil, err
}

func (s *Server) start() error {
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off -c synchronous_commit=off "+
		"-c full_page_writes=off -c max_connections=200 -c autovacuum=off", s.port, s.dir)
	return s.run("pg_ctl", "-D", s.dir, "-l", filepath.Join(s.dir, "server.log"), "-w", "-t", "60", "-o", opts, "start")
}

// watch starts a small shell that stops the server and removes its
// directory once this process is gone: a test binary that panics, times
// out or is killed never reaches Stop, and pg_ctl's server outlives it.
// It runs as this process's user (only that user may probe this process)
// in its own process group (a signal to the test's group spares it).
func (s *Server) watch() {
	stop := fmt.Sprintf("%s -D %s -m immediate -w stop", filepath.Join(s.bin, "pg_ctl"), s.dir)
	if s.asUser != "" {
		stop = "runuser -u " + s.asUser + " -- " + stop
	}
	script := fmt.Sprintf("while kill -0 %d 2>/dev/null; do sleep 1; done; %s >/dev/null 2>&1; rm -rf %s",
		os.Getpid(), stop, s.dir)
	cmd := exec.Command("sh", "-c", script)
	cmd.Dir = os.TempDir()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err == nil {
		go cmd.Wait() // reap it if it ends while we run
	}
}

// URL returns the connection URL of database name.
func (s *Server) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, name)
}

// Stop shuts the server down at once and removes its directory.
func (s *Server) Stop() {
	_ = s.run("pg_ctl", "-D", s.dir, "-m", "immediate", "-w", "stop")
	os.RemoveAll(s.dir)
}

// makeDir creates the data directory, owned by the server's user.
func (s *Server) makeDir() (string, error) {
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return "", fmt.Errorf("pgtest: %w", err)
	}
	if s.asUser == "" {
		return dir, nil
	}
	u, err := user.Lookup(s.asUser)
	if err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("pgtest: running as root needs the %q user (created by the postgresql package; run `make deps`): %w", s.asUser, err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("pgtest: %w", err)
	}
	return dir, nil
}

// run runs one of the server binaries, as the server's user.
func (s *Server) run(name string, args ...string) error {
	path := filepath.Join(s.bin, name)
	var cmd *exec.Cmd
	if s.asUser != "" {
		cmd = exec.Command("runuser", append([]string{"-u", s.asUser, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Dir = os.TempDir() // the server's user may not be allowed into the test's directory
	if err := cmd.Run(); err != nil {
		log, _ := os.ReadFile(filepath.Join(s.dir, "server.log"))
		return fmt.Errorf("pgtest: %s: %w\n%s%s", name, err, out.Bytes(), log)
	}
	return nil
}

// debianBinaries is where Debian's postgresql packages put the server.
const debianBinaries = "/usr/lib/postgresql/*/bin/initdb"

// findBinaries returns the directory holding initdb and pg_ctl: PATH first,
// else the newest /usr/lib/postgresql/<version>/bin.
func findBinaries() (string, error) { return findBinariesIn(debianBinaries) }

func findBinariesIn(pattern string) (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		dir := filepath.Dir(p)
		if _, err := os.Stat(filepath.Join(dir, "pg_ctl")); err == nil {
			return dir, nil
		}
	}
	matches, _ := filepath.Glob(pattern)
	slices.SortFunc(matches, func(a, b string) int { return versionOf(b) - versionOf(a) })
	for _, m := range matches {
		dir := filepath.Dir(m)
		if _, err := os.Stat(filepath.Join(dir, "pg_ctl")); err == nil {
			return dir, nil
		}
	}
	return "", errMissingBinaries
}

func versionOf(initdb string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return v
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgtest: choose a port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
