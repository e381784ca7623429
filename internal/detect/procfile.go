package detect

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// process is one line of a Procfile.
type process struct {
	name, command string
}

// parseProcfile reads the app's Procfile (nil when absent). A line that is
// not "name: command" is an error naming the line, as Heroku rejects it too.
func parseProcfile(a *App) ([]process, error) {
	b, ok := a.Read("Procfile")
	if !ok {
		return nil, nil
	}
	procs, err := parseProcfileText(b)
	if err != nil {
		var me *ManifestError
		if errors.As(err, &me) {
			me.File = a.Path("Procfile")
		}
		return nil, err
	}
	a.Signal("Procfile declares %s", procNames(procs))
	return procs, nil
}

var procNameRe = lazyRegexp(`^[A-Za-z0-9_-]+$`)

// parseProcfileText parses Procfile content into its processes, in file
// order.
func parseProcfileText(b []byte) ([]process, error) {
	var out []process
	seen := map[string]bool{}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, cmd, ok := strings.Cut(line, ":")
		name, cmd = strings.TrimSpace(name), strings.TrimSpace(cmd)
		switch {
		case !ok || !procNameRe.MatchString(name):
			return nil, &ManifestError{File: "Procfile", Line: i + 1, Err: fmt.Errorf("want \"name: command\", got %q", clip(line))}
		case cmd == "":
			return nil, &ManifestError{File: "Procfile", Line: i + 1, Err: fmt.Errorf("process %q has no command", name)}
		case seen[name]:
			return nil, &ManifestError{File: "Procfile", Line: i + 1, Err: fmt.Errorf("process %q declared twice", name)}
		}
		seen[name] = true
		out = append(out, process{name: name, command: cmd})
	}
	if len(out) == 0 {
		return nil, &ManifestError{File: "Procfile", Err: errors.New("declares no process")}
	}
	return out, nil
}

func procNames(ps []process) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.name
	}
	return strings.Join(names, ", ")
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// portFlags are the command-line options that carry the listening port
// or address: -p 5000, --port=5000, -b 0.0.0.0:5000 (gunicorn, puma,
// daphne), --bind, --listen, -l (serve), -S host:port (php), --http
// (uwsgi), --server.port (streamlit), -Dserver.port (Spring Boot).
var portFlags = map[string]bool{"-p": true, "--port": true, "-P": true, "-b": true, "--bind": true, "--listen": true,
	"-l": true, "-S": true, "--http": true, "--http-socket": true, "--server.port": true, "-Dserver.port": true,
	"-Dhttp.port": true, "--addr": true, "-a": true}

// portInCommand returns the port a command line states, or 0: the value of
// a port option ("5000", "0.0.0.0:5000", "${PORT:-5000}", whose default is
// what the process listens on when the platform sets no PORT) or the
// address argument of `manage.py runserver 0.0.0.0:5000`. A bare host
// ("-b 127.0.0.1") and $PORT itself state no port.
func portInCommand(cmd string) int {
	fields := strings.Fields(cmd)
	for i, f := range fields {
		flag, val, hasVal := strings.Cut(f, "=")
		switch {
		case portFlags[flag] && hasVal:
		case portFlags[f] && i+1 < len(fields):
			val = fields[i+1]
		case f == "runserver" && i+1 < len(fields):
			val = fields[i+1]
		default:
			continue
		}
		if p := portInValue(val); p != 0 {
			return p
		}
	}
	return 0
}

// portInValue reads the port of an option value: "5000", "host:5000",
// "[::]:5000", "tcp://0.0.0.0:5000", "${PORT:-5000}", "${PORT-5000}".
func portInValue(v string) int {
	v = strings.Trim(v, `"'`)
	if i := strings.Index(v, "${"); i >= 0 {
		v = v[i:]
	}
	if inner, ok := strings.CutPrefix(v, "${"); ok {
		// ${PORT:-5000}: the default applies when PORT is unset.
		_, def, found := strings.Cut(strings.TrimSuffix(inner, "}"), "-")
		if !found {
			return 0
		}
		v = strings.TrimPrefix(def, "-")
	} else if i := strings.LastIndexByte(v, ':'); i >= 0 {
		v = v[i+1:]
	}
	if len(v) < 2 || len(v) > 5 {
		return 0
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0
		}
	}
	p, _ := strconv.Atoi(v)
	return validPort(p)
}

func validPort(p int) int {
	if p < 1 || p > 65535 {
		return 0
	}
	return p
}

// applyProcfile makes the Procfile the authority on processes: web becomes
// the service's start command, every other long-running process a worker
// service, and release is reported (it runs before a deploy, not as a
// service). Without a Procfile the detector's own extras are kept.
func applyProcfile(s *Service, procs []process, extras []Service) []Service {
	if procs == nil {
		return extras
	}
	if len(extras) > 0 {
		s.Signals = append(s.Signals, "the Procfile, not the framework, decides the processes")
	}
	var out []Service
	hasWeb := false
	for _, p := range procs {
		switch p.name {
		case "web":
			hasWeb = true
			s.StartCommand = p.command
			if s.Type != "api" {
				s.Type = "web"
			}
			if port := portInCommand(p.command); port != 0 {
				s.Port = port
				s.Signals = append(s.Signals, fmt.Sprintf("Procfile web process listens on %d", port))
			} else if strings.Contains(p.command, "$PORT") || strings.Contains(p.command, "${PORT") {
				if s.Port == 0 {
					s.Port = 8080
				}
				s.Signals = append(s.Signals, fmt.Sprintf("Procfile web process reads $PORT: PORT=%d must be set", s.Port))
			}
		case "release":
			s.Signals = append(s.Signals, "Procfile release process runs before each deploy: "+p.command)
		default:
			out = append(out, Service{Name: p.name, Type: "worker", StartCommand: p.command,
				Framework: workerFramework(p.command),
				Signals:   []string{"Procfile " + p.name + " process"}})
		}
	}
	if !hasWeb && len(out) > 0 {
		// The first process is the app itself: a worker-only app.
		first := out[0]
		s.Type, s.StartCommand, s.Port, s.HealthCheckPath = "worker", first.StartCommand, 0, ""
		s.Framework = orDefault(first.Framework, s.Framework)
		s.Signals = append(s.Signals, "Procfile has no web process: the app is a worker")
		out = out[1:]
	}
	return out
}

// workerFramework names the queue framework a worker command runs, if any.
func workerFramework(cmd string) string {
	switch {
	case strings.Contains(cmd, "celery"):
		return "celery"
	case strings.Contains(cmd, "sidekiq"):
		return "sidekiq"
	}
	return ""
}
