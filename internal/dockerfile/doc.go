// Package dockerfile writes a readable, commented, multi-stage Dockerfile and
// a .dockerignore for a detected service, one template per language family.
//
// Every generated Dockerfile follows the same rules: base images are
// official images pinned to the detected runtime version (kept in an ARG at
// the top so one line changes it); dependency manifests are copied and
// installed before the source so that the install layer stays cached until
// a lockfile changes; building happens in a separate stage from the small
// runtime stage; the runtime runs as the numeric non-root user 10001 (the
// same UID capsule render sets as runAsUser, so Kubernetes can verify
// runAsNonRoot); no secret is passed as ARG or ENV (the header shows
// RUN --mount=type=secret instead); the detected port is EXPOSEd and the
// start command is the exec-form CMD (through sh -c only when it uses shell
// syntax such as $PORT or &&).
//
// Design decisions:
//   - PHP runs on the official php:<version>-apache image, Apache moved to
//     port 8080 with its run/lock directories under /tmp, because it is one
//     process (no php-fpm + nginx pair to supervise) and the image most PHP
//     users know. Composer runs in the official composer image.
//   - Static sites and SPAs are served by nginxinc/nginx-unprivileged on
//     port 8080 (non-root, writes only to /tmp); SPAs fall back to
//     /index.html for client-side routes.
//   - Go and Rust binaries run on distroless images (static and cc), the JVM
//     on eclipse-temurin JRE images, .NET on the aspnet runtime image.
//   - Next.js uses the standalone server when detection reports
//     output: 'standalone' in its signals; otherwise it runs the start
//     command with production dependencies only.
//   - Elixir: the default mix release, started through bin/app, a
//     two-line wrapper that finds the release script by the application
//     name mix.exs declares.
//   - The build context is the service's directory, except for members of a
//     monorepo workspace (detect.Service.Workspace): JavaScript workspaces
//     (pnpm fetch keeps the download layer cached; npm/yarn/bun copy the
//     workspace first), Maven and Gradle multi-module builds (-pl/-am,
//     :module:build) and go.work modules build from the workspace root, as
//     the header says (docker build -f <path>/Dockerfile <workspace>).
//   - The compiled binary (Go, Rust) is installed as /app/server and keeps
//     the detected start command's arguments; .NET starts the detected
//     assembly; the JVM runs the fat jar when the build writes one.
//   - Some facts reach the generator only through detection's signals (the
//     detect.Service shape is a contract): the file pip installs from
//     ("<file> present: pip", "<file> includes <path>"), a server the start
//     command needs but the project does not list ("gunicorn is not in the
//     dependencies"), a front-end build beside a server app ("package.json
//     builds the front-end assets (yarn run build)": an assets stage for
//     Laravel/Symfony, Node.js in the Rails build), a start command run by a
//     devDependency (nothing pruned), cgo ("which needs cgo": distroless/base)
//     and directories a compiled server reads from disk ("reads templates/
//     from disk at run time": copied next to the binary).
//   - Node.js servers get HOST=0.0.0.0 (Next.js also HOSTNAME=0.0.0.0) so
//     adapters that default to localhost (Astro) are reachable; Rocket gets
//     ROCKET_ADDRESS and ROCKET_PORT, which it reads instead of PORT.
//   - PHP's document root is public/ for Laravel and Symfony, else the
//     directory the detected start command serves (php -S -t DIR,
//     heroku-php-apache2 DIR), else the app root.
//   - Symfony runs with APP_ENV=prod, its committed .env kept in the context
//     (the kernel will not boot without it; .env.local stays out), Apache's
//     FallbackResource to public/index.php, and AssetMapper's build command
//     (importmap:install, asset-map:compile) run in the runtime image.
package dockerfile
