package detect

import (
	"encoding/json"

	"github.com/BurntSushi/toml"
)

// applySchedule turns a service into a cron job when the repository states
// a schedule (Railway's deploy.cronSchedule in railway.json or
// railway.toml). Nothing else can make a cron service: a schedule is never
// guessed from code.
func applySchedule(a *App, s *Service) {
	var cfg struct {
		Deploy struct {
			CronSchedule string `json:"cronSchedule" toml:"cronSchedule"`
		} `json:"deploy" toml:"deploy"`
	}
	file := "railway.json"
	if b, ok := a.Read(file); ok {
		_ = json.Unmarshal(b, &cfg)
	} else if b, ok := a.Read("railway.toml"); ok {
		file = "railway.toml"
		_, _ = toml.Decode(string(b), &cfg)
	}
	if cfg.Deploy.CronSchedule == "" {
		return
	}
	s.Type, s.Schedule, s.Port, s.HealthCheckPath = "cron", cfg.Deploy.CronSchedule, 0, ""
	s.Signals = append(s.Signals, a.Path(file)+" sets deploy.cronSchedule "+cfg.Deploy.CronSchedule+": a cron job")
}
