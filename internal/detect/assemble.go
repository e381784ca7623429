package detect

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// detectApp runs every detector on one directory, keeps the best match and
// applies the Procfile and Dockerfile found there.
func (r *runner) detectApp(a *App) ([]Service, error) {
	best, losers, err := r.bestMatch(a)
	if err != nil {
		return nil, err
	}
	procs, err := parseProcfile(a)
	if errors.As(err, new(*ManifestError)) {
		// A Procfile Heroku would refuse still leaves the app itself.
		losers = append(slices.Clip(losers), ignoredManifest(err))
	} else if err != nil {
		return nil, err
	}
	docker := readDockerfile(a)
	if best == nil || !best.Deployable {
		if docker == nil && procs == nil {
			r.noteSeen(a, best, losers)
			return nil, nil
		}
		best = fromProcessFiles(a, best, docker)
	}
	r.matches[a.Dir] = best
	s := best.Service
	s.Path = a.Dir
	s.Name = r.nameFor(a, best)
	s.Signals = append(append(append([]string{}, best.Signals...), losers...), a.signals...)
	if ws := a.Workspace; ws != nil && ws.Root == a.Dir {
		s.Signals = append(s.Signals, "the root package of the "+ws.Kind+" is an app itself")
	} else if ws != nil {
		s.Workspace = ws.Root
		s.Signals = append(s.Signals, ws.Signal)
	}
	extra := applyProcfile(&s, procs, best.Extra)
	applyDockerfile(&s, docker)
	applyFlyToml(a, &s)
	applySchedule(a, &s)
	applyHealthRoute(a, &s)
	out := []Service{s}
	for _, e := range extra {
		out = append(out, derive(s, e))
	}
	for i := range out {
		defaultHealth(&out[i])
	}
	return out, nil
}

// matchResult is a memoised bestMatch.
type matchResult struct {
	best   *Match
	losers []string
	err    error
}

// bestMatch runs the detectors once per directory (discovery and
// detection both need the answer).
func (r *runner) bestMatch(a *App) (*Match, []string, error) {
	key := a.Dir
	if a.Workspace != nil {
		key += "\x00ws"
	}
	if res, ok := r.memo[key]; ok {
		return res.best, res.losers, res.err
	}
	best, losers, err := bestMatch(a)
	r.memo[key] = matchResult{best, losers, err}
	return best, losers, err
}

// bestMatch ranks the detectors' matches: deployable first, then score,
// then registry order. The losers are explained in signals, and so are
// the warnings of every detector (a broken package.json beside a Django
// app must be reported even though Python wins).
func bestMatch(a *App) (*Match, []string, error) {
	var best *Match
	var bestName string
	var found []string
	var all []*Match
	var notes []string
	deployable, tie := 0, false
	for _, d := range detectors {
		m, err := d.Detect(a)
		var me *ManifestError
		if errors.As(err, &me) {
			// Detectors carry on past a broken manifest themselves; one
			// that cannot is skipped, never the whole repository.
			notes = append(notes, ignoredManifest(err))
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if m == nil {
			continue
		}
		found = append(found, d.Name())
		all = append(all, m)
		if m.Deployable {
			deployable++
		}
		switch {
		case best == nil || better(m, best):
			best, bestName, tie = m, d.Name(), false
		case !better(best, m):
			tie = true
		}
	}
	for _, m := range all {
		if m == best {
			continue
		}
		for _, sig := range m.Signals {
			if strings.HasPrefix(sig, "warning: ") && !slices.Contains(best.Signals, sig) {
				notes = append(notes, sig)
			}
		}
	}
	if len(found) < 2 || best == nil {
		return best, notes, nil
	}
	others := slices.DeleteFunc(found, func(n string) bool { return n == bestName })
	why := whyBest(best)
	switch {
	case best.Deployable && deployable == 1:
		why = "the others describe nothing runnable"
	case tie:
		why = "equal evidence; " + bestName + " comes first in the detector order (server languages before Node.js, whose package.json beside them usually builds assets)"
	}
	return best, append([]string{fmt.Sprintf("also found %s manifests; chose %s (%s)",
		strings.Join(others, ", "), bestName, why)}, notes...), nil
}

func better(m, than *Match) bool {
	if m.Deployable != than.Deployable {
		return m.Deployable
	}
	return m.Score > than.Score
}

func whyBest(m *Match) string {
	switch {
	case m.Score >= scoreFramework:
		return "a recognised framework outranks the other manifests"
	case m.Score >= scoreRunnable:
		return "it has an entry point; the others look like tooling"
	}
	return "first in the detector order"
}

// noteSeen keeps the signals of a directory that yielded no service, for
// the "could not detect" error; its warnings (a broken manifest) are also
// kept for Result.Warnings, as no service carries them.
func (r *runner) noteSeen(a *App, m *Match, notes []string) {
	start := len(r.seen)
	prefix := ""
	if a.Dir != "." {
		prefix = a.Dir + ": "
	}
	if m != nil {
		for _, s := range m.Signals {
			r.seen = append(r.seen, prefix+s)
		}
	}
	for _, s := range a.signals {
		r.seen = append(r.seen, prefix+s)
	}
	for _, s := range notes {
		if strings.HasPrefix(s, "warning: ") {
			r.seen = append(r.seen, prefix+s)
		}
	}
	for _, s := range r.seen[start:] {
		if w, ok := strings.CutPrefix(s, prefix); ok && strings.HasPrefix(w, "warning: ") {
			r.warnings = append(r.warnings, w)
		}
	}
}

// fromProcessFiles makes a service out of a Procfile or Dockerfile when no
// detector found a deployable app; the language is kept when known.
func fromProcessFiles(a *App, m *Match, docker *dockerfile) *Match {
	out := &Match{Deployable: true, Score: scoreRunnable}
	if m != nil {
		out.Service = m.Service
		out.PackageName = m.PackageName
		out.Signals = append(out.Signals, "the manifests describe no runnable app; the Procfile/Dockerfile does")
	}
	if out.Type == "" {
		out.Type = "web"
	}
	switch {
	case docker != nil && docker.port == 0 && out.Port == 0:
		out.Type = "worker"
		out.Signals = append(out.Signals, "Dockerfile exposes no port: treated as a worker")
	case m == nil && docker != nil:
		out.Signals = append(out.Signals, "no language recognised: the Dockerfile alone defines the service (web, as it exposes a port)")
	}
	return out
}

// derive makes an extra service (worker, second binary) of the same code.
func derive(base, e Service) Service {
	s := base
	// Extra names are suffixes of the app's name ("web" + "worker"), unless
	// marked absolute with a leading "=" (Go binaries under cmd/).
	if n, ok := strings.CutPrefix(e.Name, "="); ok {
		s.Name = n
	} else {
		s.Name = base.Name + "-" + e.Name
	}
	s.Type = e.Type
	s.StartCommand = e.StartCommand
	if e.BuildCommand != "" {
		s.BuildCommand = e.BuildCommand
	}
	s.Port = e.Port
	s.HealthCheckPath = e.HealthCheckPath
	// A process the detector did not recognise runs the app's language,
	// not its web framework.
	s.Framework = orDefault(e.Framework, base.Language)
	s.OutputDir, s.Schedule = "", ""
	s.Signals = append([]string{}, e.Signals...)
	return s
}

// defaultHealth fills the health-check path: "/" for web apps and static
// sites; APIs keep one only when the code declares a health route.
func defaultHealth(s *Service) {
	for _, sig := range s.Signals {
		if sig == djangoHostSignal && !s.Dockerfile {
			if s.HealthCheckPath != "" {
				s.Signals = append(s.Signals, "the probe stays TCP although "+s.HealthCheckPath+" exists: admit the pod IP (or \"*\") in ALLOWED_HOSTS to probe it over HTTP")
			}
			s.HealthCheckPath = ""
			return
		}
	}
	if s.HealthCheckPath != "" || s.Port == 0 && s.Type != "static" {
		return
	}
	if s.Type == "web" || s.Type == "static" {
		s.HealthCheckPath = "/"
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// dropShadowWorkers removes a queue worker derived from an app's
// dependencies (web/ requires celery to send tasks) when the repository
// has that worker in a directory of its own (worker/): the app only
// enqueues, and the worker directory is what consumes.
func dropShadowWorkers(res *Result) {
	own := map[string]bool{}
	hasApp := map[string]bool{}
	for _, s := range res.Services {
		if s.Type != "worker" {
			hasApp[s.Path] = true
		}
	}
	for _, s := range res.Services {
		if s.Type == "worker" && !hasApp[s.Path] && s.Framework != "" {
			own[s.Framework] = true
		}
	}
	out := res.Services[:0]
	for _, s := range res.Services {
		if s.Type == "worker" && hasApp[s.Path] && own[s.Framework] && !procfileProcess(s) {
			continue
		}
		out = append(out, s)
	}
	res.Services = out
}

// procfileProcess reports whether a service is a process the Procfile
// declares, which is kept as written.
func procfileProcess(s Service) bool {
	for _, sig := range s.Signals {
		if strings.HasPrefix(sig, "Procfile ") && strings.HasSuffix(sig, " process") {
			return true
		}
	}
	return false
}
