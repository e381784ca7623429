package dockerfile

import (
	"path"
	"strings"

	"github.com/usecapsule/capsule/internal/detect"
)

// rubyFamily bundles gems in the build stage; Rails also precompiles assets.
type rubyFamily struct{}

func (rubyFamily) Name() string { return "ruby" }

func (rubyFamily) Match(s detect.Service) bool { return s.Language == "ruby" }

func (rubyFamily) Plan(s detect.Service) Plan {
	def := "bundle exec rackup --host 0.0.0.0 --port $PORT"
	if s.Framework == "rails" {
		def = "bundle exec rails server --binding 0.0.0.0 --port $PORT"
	}
	build, extra := s.BuildCommand, map[string]string{"Rails": boolString(s.Framework == "rails")}
	if s.Framework == "rails" && strings.Contains(build, "assets:precompile") {
		build = "" // the template precompiles, with the dummy secret key
	}
	if pm := assetsPM(s); pm != "" {
		extra["AssetsPM"] = pm
	}
	return Plan{
		Service: s,
		Version: floatMinor(version(s.RuntimeVersion, "3.3")),
		Port:    s.Port,
		Build:   build,
		Cmd:     cmdOr(s.StartCommand, def),
		Extra:   extra,
		Ignore:  []string{"log/*", "tmp/*", "vendor/bundle", ".bundle", "coverage", "node_modules", "public/assets", "storage/*"},
	}
}

// phpFamily installs Composer packages and serves with Apache on 8080.
type phpFamily struct{}

func (phpFamily) Name() string { return "php" }

func (phpFamily) Match(s detect.Service) bool { return s.Language == "php" }

func (phpFamily) Plan(s detect.Service) Plan {
	root := path.Join("/var/www/html", phpDocRoot(s))
	extra := map[string]string{"DocumentRoot": root, "Laravel": boolString(s.Framework == "laravel"), "Composer": boolString(s.PackageManager == "composer"),
		"Symfony": boolString(s.Framework == "symfony")}
	ignore := []string{"vendor", "node_modules", "storage/logs/*", "storage/framework/cache/*", "var/cache", "var/log"}
	if s.Framework == "symfony" {
		// Symfony Flex commits .env (defaults, no secrets: those go in
		// .env.local) and the kernel refuses to boot without it.
		ignore = append(ignore, "!.env", "!.env.prod")
	}
	// The build writes under public/, so only apps served from public/.
	if pm := assetsPM(s); pm != "" && phpDocRoot(s) == "public" {
		extra["AssetsPM"] = pm
	}
	return Plan{
		Service: s,
		Version: minor(version(s.RuntimeVersion, "8.3")),
		Port:    8080,
		Cmd:     ExecForm("apache2-foreground"),
		Extra:   extra,
		Ignore:  ignore,
	}
}

// elixirFamily builds a mix release and runs it on Debian slim.
type elixirFamily struct{}

func (elixirFamily) Name() string { return "elixir" }

func (elixirFamily) Match(s detect.Service) bool { return s.Language == "elixir" }

func (elixirFamily) Plan(s detect.Service) Plan {
	return Plan{
		Service: s,
		Version: minor(version(s.RuntimeVersion, "1.17")),
		Port:    s.Port,
		Cmd:     ExecForm("/app/bin/app start"),
		Extra:   map[string]string{"Phoenix": boolString(s.Framework == "phoenix")},
		Ignore:  []string{"_build", "deps", "cover", "node_modules", "priv/static/assets", ".elixir_ls"},
	}
}

// phpDocRoot is the directory Apache serves, relative to the app: public/ for
// Laravel and Symfony, else the directory the detected start command serves
// (php -S ... -t public, or Heroku's heroku-php-apache2 web/), else the app
// root. Serving the app root when the code lives in public/ or web/ would
// answer 404 (or list the source).
func phpDocRoot(s detect.Service) string {
	if s.Framework == "laravel" || s.Framework == "symfony" {
		return "public"
	}
	f := strings.Fields(s.StartCommand)
	for i, w := range f {
		next := i+1 < len(f) && !strings.HasPrefix(f[i+1], "-")
		switch {
		case w == "-t" && i+1 < len(f):
			return cleanDocRoot(f[i+1])
		case (strings.HasSuffix(w, "heroku-php-apache2") || strings.HasSuffix(w, "heroku-php-nginx")) && next:
			return cleanDocRoot(f[i+1])
		}
	}
	return "."
}

// cleanDocRoot keeps a document root inside the app directory.
func cleanDocRoot(dir string) string {
	d := path.Clean(strings.TrimPrefix(dir, "/"))
	if d == ".." || strings.HasPrefix(d, "../") {
		return "."
	}
	return d
}

// assetsPM is the package manager of a server app's front-end build, from
// detection's "package.json builds the front-end assets (npm run build)",
// or "".
func assetsPM(s detect.Service) string {
	for _, sig := range s.Signals {
		if rest, ok := strings.CutPrefix(sig, "package.json builds the front-end assets ("); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				return f[0]
			}
		}
	}
	return ""
}
