package detect

import (
	"encoding/json"
	"path"
	"strconv"
	"strings"
)

// dockerfile is what detection needs from a repository's own Dockerfile.
type dockerfile struct {
	port    int
	start   string // ENTRYPOINT + CMD of the final stage
	workdir string // the final stage's last WORKDIR
	// portFrom explains a port that came from the base image or a server
	// config rather than EXPOSE.
	portFrom string
}

var (
	fromRe   = lazyRegexp(`(?im)^\s*FROM\s`)
	cmdRe    = lazyRegexp(`(?im)^[ \t]*(CMD|ENTRYPOINT)[ \t]+(.+)$`)
	exposeRe = lazyRegexp(`(?im)^[ \t]*EXPOSE[ \t]+(.+)$`)
	envPort  = lazyRegexp(`(?im)^\s*(?:ENV|ARG)\s+PORT[= ]\s*"?(\d{2,5})`)
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
	d.workdir = dockerWorkdir(string(b))
	if d.port == 0 {
		d.port, d.portFrom = dockerBasePort(a, string(b))
	}
	return d
}

var (
	finalFromRe   = lazyRegexp(`(?im)^[ \t]*FROM[ \t]+(?:--platform=\S+[ \t]+)?(\S+)`)
	confCopyRe    = lazyRegexp(`(?im)^[ \t]*COPY[ \t]+(?:--\S+[ \t]+)*(\S+\.conf)[ \t]+\S*(?:nginx|conf\.d)\S*`)
	nginxListenRe = lazyRegexp(`(?m)^\s*listen\s+(?:\[::\]:|0\.0\.0\.0:)?(\d{2,5})\b`)
)

// dockerBasePort is the port of a Dockerfile without EXPOSE: the listen
// port of an nginx config the final stage copies in, else the port the
// official web-server base images serve on (nginx, httpd, caddy and
// php-apache: 80; the unprivileged nginx images: 8080). Without it a SPA
// served by its own nginx Dockerfile would be probed on 8080 and never be
// ready.
func dockerBasePort(a *App, src string) (int, string) {
	froms := finalFromRe.FindAllStringSubmatch(src, -1)
	if len(froms) == 0 {
		return 0, ""
	}
	stage := src[finalFromRe.FindAllStringIndex(src, -1)[len(froms)-1][0]:]
	if c := confCopyRe.FindStringSubmatch(stage); c != nil {
		conf := strings.TrimPrefix(path.Clean(c[1]), "/")
		if l := nginxListenRe.FindStringSubmatch(a.ReadString(conf)); l != nil {
			if p, err := strconv.Atoi(l[1]); err == nil && validPort(p) != 0 {
				return p, "Dockerfile has no EXPOSE; " + a.Path(conf) + " listens on " + l[1]
			}
		}
	}
	image := strings.ToLower(froms[len(froms)-1][1])
	name, _, _ := strings.Cut(image, ":")
	name = strings.TrimPrefix(strings.TrimPrefix(name, "docker.io/"), "library/")
	port := 0
	switch {
	case strings.Contains(name, "nginx-unprivileged") || name == "bitnami/nginx":
		port = 8080
	case name == "nginx" || name == "httpd" || name == "caddy" || name == "php" && strings.Contains(image, "apache"):
		port = 80
	}
	if port == 0 {
		return 0, ""
	}
	return port, "Dockerfile has no EXPOSE; its base image " + froms[len(froms)-1][1] + " serves on " + strconv.Itoa(port)
}

var workdirRe = lazyRegexp(`(?im)^[ \t]*WORKDIR[ \t]+(\S+)`)

var stageRe = lazyRegexp(`(?im)^[ \t]*FROM[ \t]+(?:--\S+[ \t]+)*(\S+)(?:[ \t]+AS[ \t]+(\S+))?`)

// dockerWorkdir returns the final stage's last absolute WORKDIR, following
// "FROM base" to the stage it builds on (Rails 8 sets WORKDIR /rails in
// its base stage only), or "".
func dockerWorkdir(src string) string {
	locs := stageRe.FindAllStringSubmatchIndex(src, -1)
	type stage struct{ from, body string }
	stages := map[string]stage{}
	var last stage
	for i, l := range locs {
		end := len(src)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		st := stage{from: strings.ToLower(src[l[2]:l[3]]), body: src[l[0]:end]}
		if l[4] >= 0 {
			stages[strings.ToLower(src[l[4]:l[5]])] = st
		}
		last = st
	}
	for hops := 0; hops < 10; hops++ {
		w := ""
		for _, m := range workdirRe.FindAllStringSubmatch(last.body, -1) {
			if strings.HasPrefix(m[1], "/") {
				w = path.Clean(m[1])
			}
		}
		parent, ok := stages[last.from]
		if w != "" || !ok {
			return w
		}
		last = parent
	}
	return ""
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
	if d.workdir != "" && d.workdir != "/app" {
		// The app lives elsewhere than capsule's /app (Rails 8: /rails):
		// the directories it writes at run time are under this one.
		s.Signals = append(s.Signals, "Dockerfile WORKDIR "+d.workdir)
	}
	if d.start != "" && d.start != s.StartCommand {
		s.StartCommand = d.start
		s.Signals = append(s.Signals, "start command from the Dockerfile's ENTRYPOINT/CMD")
	}
	if d.port != 0 && d.port != s.Port {
		switch {
		case d.portFrom != "" && s.Port != 0:
			s.Signals = append(s.Signals, d.portFrom+" (overrides port "+strconv.Itoa(s.Port)+")")
		case d.portFrom != "":
			s.Signals = append(s.Signals, d.portFrom)
		case s.Port != 0:
			s.Signals = append(s.Signals, "Dockerfile EXPOSE "+strconv.Itoa(d.port)+" overrides port "+strconv.Itoa(s.Port))
		default:
			s.Signals = append(s.Signals, "Dockerfile EXPOSE "+strconv.Itoa(d.port))
		}
		s.Port = d.port
		if s.Type == "worker" {
			s.Type = "web"
		}
	}
}
