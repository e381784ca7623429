package detect

import (
	"strings"
)

// phpDetector recognises PHP apps from composer.json (Laravel, Symfony,
// Slim) or a bare index.php.
type phpDetector struct{}

var _ Detector = phpDetector{}

// Name implements Detector.
func (phpDetector) Name() string { return "php" }

// composerJSON is the part of composer.json detection reads.
type composerJSON struct {
	Name    string            `json:"name"`
	Require map[string]string `json:"require"`
	Config  struct {
		Platform map[string]string `json:"platform"`
	} `json:"config"`
}

var laravelUpRe = lazyRegexp(`health:\s*['"](/[\w/-]*)['"]`)

// Detect implements Detector.
func (phpDetector) Detect(a *App) (*Match, error) {
	m := &Match{Score: scoreManifest}
	m.Language, m.Framework = "php", "php"
	var c composerJSON
	if b, ok, w := a.Manifest("composer.json"); ok {
		if w == "" {
			w = parseJSONLoose(a.Path("composer.json"), b, &c)
		}
		if w != "" {
			m.Signals = append(m.Signals, w)
		}
		m.PackageManager, m.PackageName = "composer", c.Name
		m.Signals = append(m.Signals, "composer.json present")
	} else if !a.Has("index.php") && !a.Has("public/index.php") {
		return nil, nil
	}
	v, s := versionFrom(2, [2]string{"composer.json config.platform.php", c.Config.Platform["php"]},
		[2]string{".tool-versions", toolVersions(a, "php")},
		[2]string{"composer.json require.php", c.Require["php"]})
	if v != "" {
		m.RuntimeVersion = v
		m.Signals = append(m.Signals, s)
	}
	m.Deployable, m.Type, m.Score = true, "web", scoreFramework
	defer phpAssets(a, m)
	switch {
	case c.Require["laravel/framework"] != "" || (c.Require == nil && a.Has("artisan")):
		// Without a readable composer.json, Laravel's artisan still tells.
		phpLaravel(a, m, c)
	case c.Require["symfony/framework-bundle"] != "":
		m.Framework, m.Port = "symfony", 8000
		m.StartCommand = "php -S 0.0.0.0:8000 -t public"
		m.Signals = append(m.Signals, "composer.json requires symfony/framework-bundle")
		symfonyAssetMapper(m, c.Require)
	case c.Require["codeigniter4/framework"] != "":
		m.Framework, m.Port = "codeigniter", 8080
		m.StartCommand = "php spark serve --host 0.0.0.0 --port 8080"
		m.Signals = append(m.Signals, "composer.json requires codeigniter4/framework")
	case c.Require["cakephp/cakephp"] != "":
		m.Framework, m.Port = "cakephp", 8765
		m.StartCommand = "bin/cake server -H 0.0.0.0 -p 8765"
		m.Signals = append(m.Signals, "composer.json requires cakephp/cakephp")
	case a.Has("wp-config.php") || a.Has("wp-config-sample.php") || c.Require["johnpbloch/wordpress"] != "" || c.Require["roots/wordpress"] != "":
		m.Framework, m.Port = "wordpress", 8080
		m.StartCommand = "php -S 0.0.0.0:8080 -t ."
		m.Signals = append(m.Signals, "WordPress (wp-config): serve it with Apache or nginx + PHP-FPM in production")
	case c.Require["slim/slim"] != "":
		m.Framework, m.Type, m.Port = "slim", "api", 8080
		m.StartCommand = "php -S 0.0.0.0:8080 -t public"
		m.Signals = append(m.Signals, "composer.json requires slim/slim")
	case a.Has("public/index.php"):
		m.Score, m.Port, m.StartCommand = scoreRunnable, 8080, "php -S 0.0.0.0:8080 -t public"
		m.Signals = append(m.Signals, "public/index.php: document root public/")
	case a.Has("index.php"):
		m.Score, m.Port, m.StartCommand = scoreRunnable, 8080, "php -S 0.0.0.0:8080 -t ."
		m.Signals = append(m.Signals, "index.php at the root")
	default:
		m.Deployable, m.Type, m.Score = false, "", scoreManifest
		m.Signals = append(m.Signals, "composer.json without a framework or index.php: a library")
	}
	return m, nil
}

func phpLaravel(a *App, m *Match, c composerJSON) {
	m.Framework, m.Port = "laravel", 8000
	if c.Require["laravel/framework"] != "" {
		m.Signals = append(m.Signals, "composer.json requires laravel/framework")
	} else {
		m.Signals = append(m.Signals, "artisan present: Laravel")
	}
	if c.Require["laravel/octane"] != "" {
		m.StartCommand = "php artisan octane:start --host=0.0.0.0 --port=8000"
		m.Signals = append(m.Signals, "laravel/octane: long-running Octane server")
	} else {
		m.StartCommand = "php artisan serve --host=0.0.0.0 --port=8000"
	}
	if h := laravelUpRe.FindStringSubmatch(a.ReadString("bootstrap/app.php")); h != nil {
		m.HealthCheckPath = h[1]
		m.Signals = append(m.Signals, "bootstrap/app.php registers the health route "+h[1])
	}
	m.Signals = append(m.Signals, "run php artisan migrate --force as a release step")
	// .env is never in the image, and without APP_KEY every page answers
	// 500 (MissingAppKeyException) while /up still reports healthy.
	m.Signals = append(m.Signals, "Laravel needs APP_KEY (php artisan key:generate --show) in capsule.yaml secrets, and the DB_* and SESSION_DRIVER of .env in env: .env is not in the image")
}

// phpAssets notes a package.json build script beside composer.json (Vite in
// Laravel, Webpack Encore in Symfony): the image must run it, or every page
// that includes the built assets fails ("Vite manifest not found").
func phpAssets(a *App, m *Match) {
	if m.Deployable {
		frontendAssets(a, m)
	}
}

// frontendAssets adds "package.json builds the front-end assets (<pm> run
// build)" when a server app's package.json has a build script; the
// Dockerfile generator reads it to bring Node.js into the build.
func frontendAssets(a *App, m *Match) {
	var pkg packageJSON
	// A broken package.json is reported by the Node.js detector's warning.
	parseJSONLoose("package.json", []byte(a.ReadString("package.json")), &pkg)
	if pkg.Scripts["build"] == "" {
		return
	}
	pm := "npm"
	switch {
	case a.Has("pnpm-lock.yaml"):
		pm = "pnpm"
	case a.Has("yarn.lock"):
		pm = "yarn"
	case a.Has("bun.lock") || a.Has("bun.lockb"):
		pm = "bun"
	}
	m.Signals = append(m.Signals, "package.json builds the front-end assets ("+pm+" run build)")
}

// symfonyAssetMapper sets the build command of an app whose assets come
// from Symfony AssetMapper: in the prod environment they are served only
// once downloaded (importmap:install, assets/vendor is not committed),
// built by the Sass or Tailwind bundle when present, and compiled into
// public/assets.
func symfonyAssetMapper(m *Match, require map[string]string) {
	if require["symfony/asset-mapper"] == "" {
		return
	}
	steps := []string{"php bin/console importmap:install"}
	if require["symfonycasts/sass-bundle"] != "" {
		steps = append(steps, "php bin/console sass:build")
	}
	if require["symfonycasts/tailwind-bundle"] != "" {
		steps = append(steps, "php bin/console tailwind:build --minify")
	}
	m.BuildCommand = strings.Join(append(steps, "php bin/console asset-map:compile"), " && ")
	m.Signals = append(m.Signals, "composer.json requires symfony/asset-mapper: assets compiled at build")
}
