package detect

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
)

// dockerfile is what detection needs from a repository's own Dockerfile.
type dockerfile struct {
	port  int
	start string // ENTRYPOINT + CMD of the final stage
}

var (
	fromRe   = regexp.MustCompile(`(?im)^\s*FROM\s`)
	cmdRe    = regexp.MustCompile(`(?im)^[ \t]*(CMD|ENTRYPOINT)[ \t]+(.+)$`)
	exposeRe = regexp.MustCompile(`(?im)^[ \t]*EXPOSE[ \t]+(.+)$`)
	envPort  = regexp.MustCompile(`(?im)^\s*(?:ENV|ARG)\s+PORT[= ]\s*"?(\d{2,5})`)
)

// readDockerfile returns the app's Dockerfile facts, or nil without one.
// The last EXPOSE wins because it belongs to the final (runtime) stage.
func readDockerfile(a *App) *dockerfile {
	b, ok := a.Read("Dockerfile")
	if !ok {
		return nil
	}
	d := &dockerfile{}
	for _, m := range exposeRe.FindAllStringSubmatch(string(b), -1) {
		fields := strings.Fields(m[1])
		if len(fields) == 0 {
			continue
		}
		first := strings.TrimSuffix(strings.TrimSuffix(fields[0], "/tcp"), "/udp")
		if strings.Contains(first, "$") {
			if e := envPort.FindStringSubmatch(string(b)); e != nil {
				first = e[1]
			}
		}
		if p, err := strconv.Atoi(first); err == nil && validPort(p) != 0 {
			d.port = p
		}
	}
	d.start = dockerStart(string(b))
	return d
}

// dockerStart returns the final stage's ENTRYPOINT and CMD as one command
// line (exec-form arrays joined with spaces).
func dockerStart(src string) string {
	stages := fromRe.FindAllStringIndex(src, -1)
	if len(stages) > 0 {
		src = src[stages[len(stages)-1][0]:]
	}
	var entry, cmd string
	for _, m := range cmdRe.FindAllStringSubmatch(src, -1) {
		v := strings.TrimSpace(m[2])
		var arr []string
		if json.Unmarshal([]byte(v), &arr) == nil {
			v = strings.Join(arr, " ")
		}
		if strings.EqualFold(m[1], "CMD") {
			cmd = v
		} else {
			entry = v
		}
	}
	return strings.TrimSpace(entry + " " + cmd)
}

// applyDockerfile honours the repository's own Dockerfile: it is used as
// is, and its EXPOSE port wins over what the code suggests.
func applyDockerfile(s *Service, d *dockerfile) {
	if d == nil {
		return
	}
	s.Dockerfile = true
	s.Signals = append(s.Signals, "Dockerfile present: it is used instead of a generated one")
	if d.start != "" && d.start != s.StartCommand {
		s.StartCommand = d.start
		s.Signals = append(s.Signals, "start command from the Dockerfile's ENTRYPOINT/CMD")
	}
	if d.port != 0 && d.port != s.Port {
		if s.Port != 0 {
			s.Signals = append(s.Signals, "Dockerfile EXPOSE "+strconv.Itoa(d.port)+" overrides port "+strconv.Itoa(s.Port))
		} else {
			s.Signals = append(s.Signals, "Dockerfile EXPOSE "+strconv.Itoa(d.port))
		}
		s.Port = d.port
		if s.Type == "worker" {
			s.Type = "web"
		}
	}
}
