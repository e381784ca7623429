// Package cliconfig reads and writes the CLI's contexts file,
// ~/.config/capsule/config.yaml (or $CAPSULE_CONFIG), in the manner of a
// kubeconfig: named contexts, each a server and its tokens, and a current
// context. The file holds credentials, so it is written with mode 0600 in a
// 0700 directory, atomically (temp file + rename) so a crash never leaves it
// half written.
package cliconfig

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"sigs.k8s.io/yaml"
)

// Context is one server the CLI can talk to.
type Context struct {
	Name         string `json:"name"`
	Server       string `json:"server"`
	Email        string `json:"email,omitempty"`
	AccessToken  string `json:"accessToken,omitempty"`
	RefreshToken string `json:"refreshToken,omitempty"`
	// Organization is the default organization ID for commands that need one.
	Organization string `json:"organization,omitempty"`
}

// Config is the whole file.
type Config struct {
	CurrentContext string    `json:"currentContext,omitempty"`
	Contexts       []Context `json:"contexts"`
}

// DefaultPath returns $CAPSULE_CONFIG, else <user config dir>/capsule/config.yaml.
func DefaultPath(getenv func(string) string) (string, error) {
	if p := getenv("CAPSULE_CONFIG"); p != "" {
		return p, nil
	}
	dir := getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home := getenv("HOME")
		if home == "" {
			d, err := os.UserConfigDir()
			if err != nil {
				return "", fmt.Errorf("cannot find a config directory: %w", err)
			}
			return filepath.Join(d, "capsule", "config.yaml"), nil
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "capsule", "config.yaml"), nil
}

// Load reads the file at path; a missing file is an empty Config.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &Config{}, nil
	}
	if err != nil {
		return nil, err
	}
	var c Config
	if err := yaml.UnmarshalStrict(data, &c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &c, nil
}

// Save writes c to path with mode 0600.
func Save(path string, c *Config) error {
	sort.Slice(c.Contexts, func(i, j int) bool { return c.Contexts[i].Name < c.Contexts[j].Name })
	data, err := yaml.Marshal(c)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".config-*.yaml")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// Current returns the current context, or an error telling the user to log in.
func (c *Config) Current() (*Context, error) {
	if c.CurrentContext == "" {
		return nil, errors.New("no current context: run `capsule login --server URL` first")
	}
	ctx := c.Find(c.CurrentContext)
	if ctx == nil {
		return nil, fmt.Errorf("current context %q is not in the config file", c.CurrentContext)
	}
	return ctx, nil
}

// Find returns the named context or nil.
func (c *Config) Find(name string) *Context {
	for i := range c.Contexts {
		if c.Contexts[i].Name == name {
			return &c.Contexts[i]
		}
	}
	return nil
}

// Upsert adds ctx or replaces the context of the same name.
func (c *Config) Upsert(ctx Context) {
	if existing := c.Find(ctx.Name); existing != nil {
		*existing = ctx
		return
	}
	c.Contexts = append(c.Contexts, ctx)
}
