// Package detect finds the deployable services in a repository: language,
// framework, type, package manager, runtime version, build and start
// commands, port and health-check path, with the signals behind each
// choice. It is a pure engine: it reads an fs.FS and nothing else (no
// network, no environment variables, no globals it reads).
//
// How it works: the walker reads the tree once into an Index (paths and
// sizes; contents read lazily and cached), skipping node_modules, vendor,
// .git, target, dist, virtualenvs, build caches and testdata, files over
// 1 MiB and binary files; symbolic links are never followed as directories,
// so loops are harmless. Application directories are then chosen (workspace
// members, else the root, else apps one or two levels down) and every
// Detector in the registry (detector.go; one file per ecosystem) inspects
// each of them. The best match wins: deployable first, then a recognised
// framework over a runnable entry point over a bare manifest, then registry
// order (server languages before Node.js, Node.js before plain static
// files). A Procfile and a Dockerfile in the directory are applied last.
//
// Design decisions:
//
//   - Every choice among conflicting signals is deterministic and explained
//     in signals: two lockfiles (packageManager field, else bun > pnpm >
//     yarn > npm; uv > poetry > pdm > pipenv), two version files (pinned
//     files before ranges; the losers are named), two ecosystems in one
//     directory (the loser is named), a Dockerfile beside a framework (the
//     Dockerfile and its EXPOSE win).
//   - Runtime versions are normalised to what an image tag needs: the major
//     for Node.js, Bun, Deno and Java; major.minor for Python, Go, Ruby,
//     PHP, Elixir, Rust, .NET and Hugo (their images are tagged that way).
//     A Node.js engines range resolves to the newest LTS it admits (">=18"
//     is a floor, and operators run the newest LTS); for other languages
//     the lowest version a range names is kept, because native packages
//     (Python wheels, Ruby gems) lag behind new interpreters.
//   - Ports: fly.toml internal_port (where a deployed app is known to
//     listen) beats a Dockerfile EXPOSE (last one: the runtime stage), which beats a
//     Procfile flag, which beats configuration files (application.properties,
//     config/puma.rb, Rocket.toml, runtime.exs), which beat source code
//     (listen(4000), PORT defaults), which beat the framework's default.
//     Static sites are served by an unprivileged web server on 8080.
//   - Python web apps are started with a production server bound to the
//     detected port (gunicorn for WSGI, uvicorn or daphne for ASGI); the
//     app object is found in the source ("app = Flask(" / create_app()).
//   - Health checks: a route declared in the source (/healthz, /health,
//     /ping...) wins; Spring actuator gives /actuator/health, Rails 7.1 and
//     Laravel 11 /up, Quarkus /q/health, Streamlit /_stcore/health; other
//     web apps and static sites get "/"; APIs without a declared route get
//     none, so the renderer falls back to a TCP probe.
//   - Types: api for API frameworks (Express, FastAPI, Gin...), web for
//     server-rendered and full-stack ones, static for static builds, worker
//     for code that opens no port (Celery, Sidekiq, a Go main without a
//     listener). cron is only reported from an explicit schedule
//     (railway.json deploy.cronSchedule): a schedule cannot be inferred.
//   - Extra processes: a Procfile is the authority (web is the service,
//     every other process a worker service, release a signal). Without one,
//     a Celery app beside Django/Flask/FastAPI and Sidekiq beside Rails add
//     worker services; several Go mains under cmd/ become one service each
//     (mains named like tools — migrate, seed, cli — are skipped).
//   - Monorepos: workspace members (npm/yarn/pnpm/bun workspaces, Lerna,
//     Nx, go.work, Maven modules, Gradle includes) are detected one by one;
//     their commands run from the workspace root (Service.Workspace) with
//     the manager's filter syntax (pnpm --filter, yarn workspace, turbo run
//     --filter, nx run). A member that only builds assets and is consumed
//     by other members is a library, not a service.
//   - A manifest that cannot be parsed (invalid JSON, TOML, XML, go.mod
//     syntax, a Procfile line Heroku refuses) never fails detection: it is a
//     "warning: file:line[:col]: what was wrong; the file is ignored" signal
//     and its detector goes on as if the file were empty, so what the other
//     files say (lockfile, version files, sources, Dockerfile, Procfile) is
//     still reported and what only the broken file declared stays empty
//     (a Rust binary's name, hence its start command; whether a .NET
//     project is an app). A detector that cannot go on is skipped with the
//     same warning. Warnings of a directory that yields no service are in
//     Result.Warnings; those of a losing detector join the winner's
//     signals. Detect errs only for a root that does not exist or cannot
//     be read, and with NotDetectedError when nothing is deployable (the
//     CLI prints that as a warning and exits 0; init still refuses).
//     Manifests read by regular expressions (Gemfile, Gradle, mix.exs)
//     have no syntax to fail on.
//   - A directory with only a Dockerfile is a service with an empty
//     language and framework (the Dockerfile builds it; nothing is guessed).
//   - Service names are the manifest's package name (npm scope dropped; a
//     Go module's last element without its /vN suffix), else the directory
//     name, sanitised to an RFC 1123 label; duplicates get a numeric suffix.
//   - Evidence over declarations: a Go module requiring grpc is a gRPC
//     service only with a grpc.NewServer in its source (OTLP exporters
//     require grpc too); a Go main serves when it, the framework it imports
//     or a package of its module it imports starts a server (importing
//     net/http is not enough: HTTP clients do); an ASP.NET Core project is
//     a web app only with pages, views, Blazor, static files or a root
//     route, else an API probed over TCP.
//   - What cannot work in a pod is said, not silently fixed: a listen
//     address on 127.0.0.1/localhost gets a signal naming the line. What a
//     container can do instead is done and said: node --env-file=.env
//     starts without the flag (the image has no .env).
//   - A repository Dockerfile without EXPOSE takes its port from the nginx
//     config it copies in, else from its web-server base image (nginx,
//     httpd, caddy, php-apache: 80; nginx-unprivileged: 8080).
//   - A RedwoodJS app (redwood.toml) is one service: its api/ and web/
//     workspaces build and serve together (yarn rw build, yarn rw serve).
//   - Runtime versions: a file that pins (.ruby-version, Gemfile ruby,
//     .python-version, .nvmrc, .node-version, .tool-versions,
//     rust-toolchain) keeps an exact X.Y.Z, which tools enforce (Bundler);
//     minimums and records (requires-python >=, Cargo rust-version,
//     Gemfile.lock) float to the minor.
//   - A manifest that is valid for its tool is never an error: a JSON field
//     of an unexpected type, a Gemfile's Ruby that cannot be read, Cargo's
//     workspace-inherited fields become warning signals naming file and
//     line. Syntax the tool itself rejects is a warning too (see above).
//   - gRPC servers (Go, Node, Python, Java, Rust, ASP.NET Core) are
//     framework grpc, type api, recognised by the call that starts a server.
//   - Apps outside a JS workspace's globs are added when they are a
//     documentation site or another language's app; desktop and mobile
//     apps (Electron, React Native, MAUI) and .NET Aspire AppHosts are not
//     services. The Gradle application subproject app/ is the repository's
//     service, at the root.
package detect
