package dockerfile

import (
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/golden"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/usecapsule/capsule/internal/detect"
)

// cases cover every language family and package manager.
var cases = []detect.Service{
	{Name: "api", Language: "javascript", Framework: "express", Type: "api", PackageManager: "npm", RuntimeVersion: "20.11.1", StartCommand: "node src/index.js", Port: 3000},
	{Name: "web", Language: "javascript", Framework: "nextjs", Type: "web", PackageManager: "pnpm", RuntimeVersion: "20", BuildCommand: "pnpm run build", StartCommand: "pnpm start", Port: 3000},
	{Name: "shop", Language: "javascript", Framework: "nextjs", Type: "web", PackageManager: "npm", RuntimeVersion: "22", BuildCommand: "npm run build", StartCommand: "npm start", Port: 3000, Signals: []string{"next.config.js sets output: 'standalone'"}},
	{Name: "nuxt", Language: "javascript", Framework: "nuxt", Type: "web", PackageManager: "yarn", BuildCommand: "yarn build", StartCommand: "node .output/server/index.mjs", Port: 3000},
	{Name: "redwood", Language: "javascript", Framework: "redwood", Type: "web", PackageManager: "yarn", RuntimeVersion: "20", BuildCommand: "yarn rw build", StartCommand: "yarn rw serve", Port: 8910},
	{Name: "tsx", Language: "javascript", Framework: "fastify", Type: "api", PackageManager: "npm", StartCommand: "npm start", Port: 3001, Signals: []string{"the start script runs tsx, a devDependency: development dependencies stay in the image"}},
	{Name: "t3", Language: "javascript", Framework: "nextjs", Type: "web", PackageManager: "pnpm", RuntimeVersion: "20", BuildCommand: "pnpm run build", StartCommand: "pnpm start", Port: 3000, Signals: []string{"Prisma schema prisma/schema.prisma: the client is generated in the build"}},
	{Name: "hono", Language: "javascript", Framework: "hono", Type: "api", PackageManager: "bun", StartCommand: "bun run src/index.ts", Port: 3000},
	{Name: "app", Language: "javascript", Framework: "vite", Type: "static", PackageManager: "npm", RuntimeVersion: "20", BuildCommand: "npm run build", OutputDir: "dist"},
	{Name: "ssr", Language: "javascript", Framework: "astro", Type: "web", PackageManager: "npm", BuildCommand: "npm run build", StartCommand: "node ./dist/server/entry.mjs", Port: 4321},
	{Name: "blog", Language: "javascript", Framework: "astro", Type: "static", PackageManager: "pnpm", BuildCommand: "pnpm run build", OutputDir: "dist/"},
	{Name: "dash", Path: "apps/dash", Workspace: ".", Language: "javascript", Framework: "nextjs", Type: "web", PackageManager: "pnpm", RuntimeVersion: "20", BuildCommand: "pnpm --filter dash run build", StartCommand: "pnpm --filter dash start", Port: 3000, Signals: []string{"output: 'standalone'"}},
	{Name: "admin", Path: "packages/admin", Workspace: ".", Language: "javascript", Framework: "vite", Type: "static", PackageManager: "npm", BuildCommand: "npm run build --workspace admin", OutputDir: "dist"},
	{Name: "fresh", Language: "deno", Framework: "fresh", Type: "web", RuntimeVersion: "2.1.4", BuildCommand: "deno task build", StartCommand: "deno task start", Port: 8000},
	{Name: "django", Language: "python", Framework: "django", Type: "web", PackageManager: "pip", RuntimeVersion: "3.12.4", BuildCommand: "python manage.py collectstatic --noinput", StartCommand: "gunicorn mysite.wsgi --bind 0.0.0.0:$PORT", Port: 8000, HealthCheckPath: "/"},
	{Name: "fastapi", Language: "python", Framework: "fastapi", Type: "api", PackageManager: "poetry", RuntimeVersion: "3.11", StartCommand: "uvicorn app.main:app --host 0.0.0.0 --port 8000", Port: 8000},
	{Name: "uvapp", Language: "python", Framework: "flask", Type: "web", PackageManager: "uv", Port: 5000},
	{Name: "bakery", Language: "python", Framework: "django", Type: "web", PackageManager: "pip", RuntimeVersion: "3.12", StartCommand: "gunicorn bakerydemo.wsgi:application", Port: 8000, Signals: []string{"requirements.txt present: pip", "requirements.txt includes requirements/production.txt", "requirements.txt includes constraints.txt"}},
	{Name: "envsettings", Language: "python", Framework: "django", Type: "web", PackageManager: "pip", RuntimeVersion: "3.12", BuildCommand: "python manage.py collectstatic --noinput", StartCommand: "gunicorn shop.wsgi:application --bind 0.0.0.0:8000", Port: 8000, Signals: []string{"requirements.txt present: pip", "settings require DATABASE_URL, SECRET_KEY at import: collectstatic runs with build placeholders"}},
	{Name: "cookie", Language: "python", Framework: "django", Type: "web", PackageManager: "pip", RuntimeVersion: "3.12", StartCommand: "gunicorn config.wsgi:application", Port: 8000, Signals: []string{"requirements/production.txt present: pip", "requirements/production.txt includes requirements/base.txt"}},
	{Name: "todo", Language: "python", Framework: "fastapi", Type: "api", PackageManager: "pip", RuntimeVersion: "3.11", StartCommand: "uvicorn api.main:app --host 0.0.0.0 --port 8000 --app-dir src", Port: 8000, Signals: []string{"pyproject.toml present: pip"}},
	{Name: "nogunicorn", Language: "python", Framework: "flask", Type: "web", PackageManager: "pip", StartCommand: "gunicorn --bind 0.0.0.0:5000 app:app", Port: 5000, Signals: []string{"requirements.txt present: pip", "gunicorn is not in the dependencies: add it for production"}},
	{Name: "legacy", Language: "python", Framework: "flask", Type: "web", PackageManager: "pip", RuntimeVersion: "3.10", Port: 5000, Signals: []string{"setup.py present: pip"}},
	{Name: "tasks", Language: "python", Framework: "celery", Type: "worker", PackageManager: "pipenv", StartCommand: "celery -A tasks worker --loglevel=info"},
	{Name: "sqlite", Language: "go", Framework: "go", Type: "web", RuntimeVersion: "1.24", BuildCommand: "go build -o bin/sqlite .", StartCommand: "./bin/sqlite", Port: 8080, Signals: []string{"go.mod requires github.com/mattn/go-sqlite3, which needs cgo"}},
	{Name: "getting-started", Language: "go", Framework: "gin", Type: "web", RuntimeVersion: "1.23", BuildCommand: "go build -o bin/getting-started ./cmd/getting-started", StartCommand: "./bin/getting-started", Port: 8080, Signals: []string{"reads templates/, static/ from disk at run time"}},
	{Name: "gin", Language: "go", Framework: "gin", Type: "api", RuntimeVersion: "1.22", BuildCommand: "go build -o server ./cmd/server", StartCommand: "./server serve --addr :8080", Port: 8080},
	{Name: "spring", Language: "java", Framework: "spring-boot", Type: "web", PackageManager: "maven", RuntimeVersion: "21", Port: 8080, HealthCheckPath: "/actuator/health"},
	{Name: "kotlin", Language: "java", Framework: "spring-boot", Type: "api", PackageManager: "gradle", RuntimeVersion: "17", Port: 8080},
	{Name: "catalog", Language: "java", Framework: "java", Type: "worker", PackageManager: "gradle", RuntimeVersion: "21",
		BuildCommand: "./gradlew installDist -x test", StartCommand: "./build/install/catalog/bin/catalog",
		Signals: []string{"Gradle version catalog gradle/libs.versions.toml"}},
	{Name: "orders", Path: "services/orders", Workspace: ".", Language: "java", Framework: "spring-boot", Type: "api", PackageManager: "maven", Port: 8080},
	{Name: "ktor", Path: "apps/ktor", Workspace: ".", Language: "java", Framework: "ktor", Type: "web", PackageManager: "gradle", Port: 8080},
	{Name: "gradle9", Language: "java", Framework: "spring-boot", Type: "api", PackageManager: "gradle", RuntimeVersion: "21", Port: 8080, Signals: []string{"Gradle wrapper 9 from gradle/wrapper/gradle-wrapper.properties"}},
	{Name: "quarkus", Language: "java", Framework: "quarkus", Type: "api", PackageManager: "maven", Port: 8080},
	{Name: "ticker", Language: "java", Framework: "java", Type: "worker", PackageManager: "maven", RuntimeVersion: "21",
		BuildCommand: "mvn -B -DskipTests package dependency:copy-dependencies -DincludeScope=runtime",
		StartCommand: "java -cp target/ticker-1.0-SNAPSHOT.jar:target/dependency/* com.acme.tool.Main"},
	{Name: "weather", Language: "java", Framework: "javalin", Type: "web", PackageManager: "gradle", RuntimeVersion: "21", Port: 7070,
		BuildCommand: "./gradlew :app:installDist -x test", StartCommand: "./app/build/install/app/bin/app"},
	{Name: "storefront", Path: "apps/storefront", Workspace: ".", Language: "javascript", Framework: "vite", Type: "static", PackageManager: "npm",
		BuildCommand: "npx nx build storefront", OutputDir: "../../dist/apps/storefront", Port: 8080},
	{Name: "pinned", Language: "ruby", Framework: "rails", Type: "web", PackageManager: "bundler", RuntimeVersion: "3.2.2", Port: 3000},
	{Name: "rails", Language: "ruby", Framework: "rails", Type: "web", RuntimeVersion: "3.3.4", StartCommand: "bin/rails server -b 0.0.0.0", Port: 3000},
	{Name: "esbuild", Language: "ruby", Framework: "rails", Type: "web", RuntimeVersion: "3.3", BuildCommand: "bundle exec rails assets:precompile", StartCommand: "bundle exec puma -C config/puma.rb", Port: 3000, Signals: []string{"package.json builds the front-end assets (yarn run build)"}},
	{Name: "sidekiq", Language: "ruby", Framework: "sidekiq", Type: "worker", StartCommand: "bundle exec sidekiq"},
	{Name: "laravel", Language: "php", Framework: "laravel", Type: "web", PackageManager: "composer", RuntimeVersion: "8.3", Port: 8080},
	{Name: "vite", Language: "php", Framework: "laravel", Type: "web", PackageManager: "composer", RuntimeVersion: "8.3", Port: 8080, Signals: []string{"package.json builds the front-end assets (npm run build)"}},
	{Name: "encore", Language: "php", Framework: "symfony", Type: "web", PackageManager: "composer", RuntimeVersion: "8.3", Port: 8080, Signals: []string{"package.json builds the front-end assets (yarn run build)"}},
	{Name: "assetmapper", Language: "php", Framework: "symfony", Type: "web", PackageManager: "composer", RuntimeVersion: "8.2", BuildCommand: "php bin/console importmap:install && php bin/console asset-map:compile", Port: 8000},
	{Name: "guestbook", Language: "php", Framework: "php", Type: "web", Port: 80},
	{Name: "slim", Language: "php", Framework: "slim", Type: "api", PackageManager: "composer", RuntimeVersion: "8.3", StartCommand: "php -S 0.0.0.0:8080 -t public", Port: 8080},
	{Name: "heroku", Language: "php", Framework: "slim", Type: "api", PackageManager: "composer", StartCommand: "heroku-php-apache2 web/", Port: 8080},
	{Name: "clj", Language: "java", Framework: "java", Type: "web", PackageManager: "leiningen", Port: 3000},
	{Name: "play", Language: "java", Framework: "play", Type: "web", PackageManager: "sbt", RuntimeVersion: "17", Port: 9000},
	{Name: "pdmapi", Language: "python", Framework: "fastapi", Type: "api", PackageManager: "pdm", Port: 8000},
	{Name: "phoenix-app", Language: "elixir", Framework: "phoenix", Type: "web", RuntimeVersion: "1.17", Port: 4000},
	{Name: "blog", Language: "rust", Framework: "rocket", Type: "web", RuntimeVersion: "1.83", Port: 8000, Signals: []string{"reads templates/, static/ from disk at run time"}},
	{Name: "msrv", Language: "rust", Framework: "actix-web", Type: "api", RuntimeVersion: "1.75", Port: 8080, Signals: []string{"runtime version 1.75 from Cargo.toml rust-version"}},
	{Name: "axum", Language: "rust", Framework: "axum", Type: "api", RuntimeVersion: "1.82", Port: 3000},
	{Name: "gateway", Language: "rust", Framework: "actix-web", Type: "api", BuildCommand: "cargo build --release --bin gateway", StartCommand: "./target/release/gateway --listen 0.0.0.0:8080", Port: 8080},
	{Name: "ledger", Path: "crates/ledger", Workspace: ".", Language: "rust", Framework: "axum", Type: "api", RuntimeVersion: "1.80", BuildCommand: "cargo build --release -p ledger --bin ledger", StartCommand: "./target/release/ledger", Port: 3000, Signals: []string{"member of the Cargo workspace at the repository root"}},
	{Name: "notifier", Path: "services/notifier", Workspace: ".", Language: "go", Framework: "go", Type: "worker", BuildCommand: "go build -o bin/notifier ./services/notifier", StartCommand: "./bin/notifier"},
	{Name: "MyApi", Language: "dotnet", Framework: "aspnetcore", Type: "api", RuntimeVersion: "8.0", Port: 8080},
	{Name: "clean-api", Path: "src/Shop.Api", Workspace: ".", Language: "dotnet", Framework: "aspnetcore", Type: "api", PackageManager: "dotnet", RuntimeVersion: "8.0", BuildCommand: "dotnet publish src/Shop.Api/Shop.Api.csproj -c Release -o out", StartCommand: "dotnet out/Shop.Api.dll", Port: 8080},
	{Name: "shop-api", Path: "src/Shop.Api", Language: "dotnet", Framework: "aspnetcore", Type: "web", PackageManager: "dotnet", RuntimeVersion: "8.0", BuildCommand: "dotnet publish Shop.Api.csproj -c Release -o out", StartCommand: "dotnet out/Shop.Api.dll", Port: 8080},
	{Name: "site", Language: "static", Framework: "static", Type: "static"},
	{Name: "hugo", Language: "static", Framework: "hugo", Type: "static"},
	{Name: "jekyll", Language: "ruby", Framework: "jekyll", Type: "static"},
	{Name: "docs", Language: "python", Framework: "mkdocs", Type: "static"},
}

func caseName(s detect.Service) string {
	return s.Language + "-" + s.Framework + "-" + s.Name
}

// TestGolden generates every case, parses it with BuildKit's parser,
// checks its structure and compares it with the golden files.
func TestGolden(t *testing.T) {
	families := map[string]bool{}
	for _, s := range cases {
		t.Run(caseName(s), func(t *testing.T) {
			f, err := Generate(s)
			if err != nil {
				t.Fatal(err)
			}
			checkStructure(t, s, f.Dockerfile)
			dir := filepath.Join("testdata", caseName(s))
			golden.Check(t, filepath.Join(dir, "Dockerfile"), f.Dockerfile)
			golden.Check(t, filepath.Join(dir, ".dockerignore"), f.Dockerignore)
		})
		for _, fam := range Families {
			if fam.Match(s) {
				families[fam.Name()] = true
				break
			}
		}
	}
	for _, fam := range Families {
		if !families[fam.Name()] {
			t.Errorf("family %s has no test case", fam.Name())
		}
	}
}

// checkStructure asserts the rules every Dockerfile keeps, on the AST.
func checkStructure(t *testing.T, s detect.Service, df []byte) {
	t.Helper()
	res, err := parser.Parse(bytes.NewReader(df))
	if err != nil {
		t.Fatalf("BuildKit cannot parse it: %v\n%s", err, df)
	}
	if len(res.Warnings) > 0 {
		t.Errorf("parser warnings: %v", res.Warnings[0].Short)
	}
	// BuildKit's instruction parser checks every instruction's flags and
	// arguments (RUN --mount, COPY --from, heredocs); its linter applies the
	// rules of `docker build --check` that work on instructions alone.
	lint := linter.New(&linter.Config{Warn: func(rule, _, _, msg string, loc []parser.Range) {
		t.Errorf("BuildKit lint %s: %s (line %v)", rule, msg, loc)
	}})
	if _, _, err := instructions.Parse(res.AST, lint); err != nil {
		t.Errorf("BuildKit instructions: %v", err)
	}
	var froms, installBeforeSource int
	var user, expose, cmd string
	sawInstall := false
	known := "from run cmd label expose env add copy entrypoint volume user workdir arg onbuild stopsignal healthcheck shell"
	for _, n := range res.AST.Children {
		if !strings.Contains(" "+known+" ", " "+strings.ToLower(n.Value)+" ") {
			t.Errorf("line %d: unknown instruction %q", n.StartLine, n.Value)
		}
		switch strings.ToLower(n.Value) {
		case "from":
			froms++
			user, expose, cmd = "", "", ""
		case "user":
			user = n.Next.Value
		case "expose":
			expose = n.Next.Value
		case "cmd":
			cmd = n.Original
			if !n.Attributes["json"] {
				t.Errorf("CMD is not in exec form: %s", n.Original)
			}
		case "run":
			sawInstall = true
		case "copy":
			if strings.Contains(n.Original, " . ") && sawInstall {
				installBeforeSource++
			}
		case "arg", "env":
			up := strings.ToUpper(n.Original)
			for _, bad := range []string{"SECRET", "TOKEN", "PASSWORD", "API_KEY"} {
				if strings.Contains(up, bad) {
					t.Errorf("%s may carry a secret: %s", n.Value, n.Original)
				}
			}
		}
	}
	if froms < 2 {
		t.Errorf("want at least 2 FROM stages, got %d", froms)
	}
	if uid := strings.Split(user, ":")[0]; uid == "" || uid == "0" || uid == "root" {
		t.Errorf("final stage USER = %q, want non-root", user)
	}
	port := Plan{}.Port
	for _, fam := range Families {
		if fam.Match(s) {
			port = fam.Plan(s).Port
			break
		}
	}
	if want := strconv.Itoa(port); port > 0 && expose != want {
		t.Errorf("EXPOSE = %q, want %s", expose, want)
	}
	if port == 0 && expose != "" {
		t.Errorf("a %s exposes %s", s.Type, expose)
	}
	if s.Language != "static" && cmd == "" && s.Type != "static" {
		t.Error("no CMD in the final stage")
	}
	// Workspaces installed by npm/yarn/bun, multi-module JVM builds and
	// Cargo workspaces (the root package too) copy everything first; plain
	// PHP has no dependencies to install.
	coarse := (s.Workspace != "" && s.Workspace != s.Path && s.PackageManager != "pnpm") ||
		(s.Language == "php" && s.PackageManager != "composer") ||
		((s.Language == "java" || s.Language == "go") && s.Workspace != "" && s.Workspace != s.Path) ||
		(s.PackageManager == "gradle" && gradleProjectTaskRe.MatchString(s.BuildCommand)) ||
		hasSignal(s, "the root package of the cargo workspace")
	if s.Language != "static" && installBeforeSource == 0 && !coarse {
		t.Error("no dependency step runs before the source is copied")
	}
}

func TestUnknownLanguage(t *testing.T) {
	_, err := Generate(detect.Service{Name: "x", Language: "cobol", Type: "web"})
	if err == nil || !strings.Contains(err.Error(), "cobol") {
		t.Fatalf("got %v", err)
	}
}

func TestExecForm(t *testing.T) {
	for in, want := range map[string]string{
		"npm start":                      `["npm", "start"]`,
		"node 'my server.js'":            `["node", "my server.js"]`,
		"gunicorn app:app -b :$PORT":     `["sh", "-c", "exec gunicorn app:app -b :$PORT"]`,
		"bin/migrate && bin/server":      `["sh", "-c", "bin/migrate && bin/server"]`,
		"RAILS_ENV=production bin/rails": `["sh", "-c", "RAILS_ENV=production bin/rails"]`,
		"echo 'a $b'":                    `["echo", "a $b"]`,
		"broken 'quote":                  `["sh", "-c", "exec broken 'quote"]`,
	} {
		if got := ExecForm(in); got != want {
			t.Errorf("ExecForm(%q) = %s, want %s", in, got, want)
		}
	}
}
