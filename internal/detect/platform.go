package detect

import (
	"strconv"

	"github.com/BurntSushi/toml"
)

// flyConfig is the part of fly.toml that states where the app listens.
type flyConfig struct {
	HTTPService struct {
		InternalPort int `toml:"internal_port"`
	} `toml:"http_service"`
	Services []struct {
		InternalPort int `toml:"internal_port"`
	} `toml:"services"`
}

// applyFlyToml takes the port from fly.toml, where Fly.io sends traffic:
// when a repository was deployed there, internal_port is the port the app
// is known to listen on, so it wins over EXPOSE and code hints.
func applyFlyToml(a *App, s *Service) {
	b, ok := a.Read("fly.toml")
	if !ok {
		return
	}
	var f flyConfig
	if _, err := toml.Decode(string(b), &f); err != nil {
		s.Signals = append(s.Signals, "fly.toml ignored: "+err.Error())
		return
	}
	port := f.HTTPService.InternalPort
	if port == 0 && len(f.Services) > 0 {
		port = f.Services[0].InternalPort
	}
	if validPort(port) == 0 || port == s.Port {
		return
	}
	s.Signals = append(s.Signals, "fly.toml internal_port "+strconv.Itoa(port)+" overrides port "+strconv.Itoa(s.Port))
	s.Port = port
	if s.Type == "worker" {
		s.Type = "web"
	}
}
