package config

import "github.com/caarlos0/env/v11"

// Config is read from the environment.
type Config struct {
	Port     string `env:"PORT" envDefault:"9090"`
	RedisURL string `env:"REDIS_URL" envDefault:"localhost:6379"`
}

// Load reads the configuration.
func Load() Config {
	var c Config
	_ = env.Parse(&c)
	return c
}

// Addr is the listen address.
func (c Config) Addr() string { return ":" + c.Port }
