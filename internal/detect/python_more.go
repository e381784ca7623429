package detect

import (
	"fmt"
	"regexp"
	"strings"
)

// pyDash serves a Plotly Dash app's underlying Flask server ("server =
// app.server") with gunicorn; Dash depends on Flask, so it is matched first.
func pyDash(p *pyApp) bool {
	ref, dir, file := findPyObject(p.a, `(?:dash\.)?Dash\(`)
	if ref == "" {
		return false
	}
	mod, _, _ := strings.Cut(ref, ":")
	target := ref
	if regexp.MustCompile(`(?m)^server\s*=\s*\w+\.server`).MatchString(p.a.Source(file)) {
		target = mod + ":server"
	} else {
		p.m.Signals = append(p.m.Signals, "no \"server = app.server\" line: gunicorn needs the Flask server of the Dash app")
	}
	port := pyPort(p, file, 8050)
	p.m.Type, p.m.Port = "web", port
	p.m.StartCommand = fmt.Sprintf("gunicorn --bind 0.0.0.0:%d%s %s", port, chdirFlag("gunicorn", dir), target)
	p.m.Signals = append(p.m.Signals, "depends on dash", "Dash app "+ref+" in "+p.a.Path(file))
	p.needsServer("gunicorn")
	return true
}

// pyGradio runs a Gradio script, which serves on 7860 and must be told to
// listen on all interfaces.
func pyGradio(p *pyApp) bool {
	for _, f := range pyFiles(p.a) {
		src := p.a.Source(f)
		if strings.Contains(src, "import gradio") && strings.Contains(src, ".launch(") {
			port := 7860
			if x := regexp.MustCompile(`server_port\s*=\s*(\d{2,5})`).FindStringSubmatch(src); x != nil {
				fmt.Sscan(x[1], &port)
			}
			p.m.Type, p.m.Port = "web", port
			p.m.StartCommand = "python " + f
			p.m.Signals = append(p.m.Signals, "depends on gradio", "Gradio app "+p.a.Path(f))
			if !strings.Contains(src, "server_name") {
				p.m.Signals = append(p.m.Signals, "launch() binds 127.0.0.1: set GRADIO_SERVER_NAME=0.0.0.0")
			}
			return true
		}
	}
	return false
}

// pyAiohttp runs the script that calls web.run_app.
func pyAiohttp(p *pyApp) bool {
	for _, f := range pyFiles(p.a) {
		if strings.Contains(p.a.Source(f), "run_app(") {
			p.m.Type, p.m.Port = "api", pyPort(p, f, 8080)
			p.m.StartCommand = "python " + f
			p.m.Signals = append(p.m.Signals, "depends on aiohttp", "aiohttp entry point "+p.a.Path(f))
			return true
		}
	}
	return false
}
