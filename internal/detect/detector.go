package detect

// Detector recognises one ecosystem (a language and its frameworks) in one
// application directory. Detectors are registered in detectors, queried in
// that order, and never touch the file system except through the App.
type Detector interface {
	// Name identifies the detector in signals.
	Name() string
	// Detect returns nil when the ecosystem is absent from the directory.
	// A malformed manifest is a warning signal and detection goes on; a
	// detector that cannot go on returns a ManifestError, which skips that
	// detector only (with the same warning), never the repository.
	Detect(a *App) (*Match, error)
}

// Scores rank matches found by different detectors in one directory. A
// recognised framework beats a runnable app, which beats a bare manifest;
// ties go to the detector registered first (server languages come before
// Node.js because a package.json beside them is usually an asset pipeline).
const (
	scoreTooling   = 5  // a manifest used only for tooling (lint, format)
	scoreManifest  = 10 // a manifest, nothing runnable found
	scoreRunnable  = 20 // an entry point or start command
	scoreFramework = 30 // a recognised framework
)

// Match is what a detector found: a draft service plus how sure it is.
type Match struct {
	Service
	// Score ranks this match against other detectors' (see the score consts).
	Score int
	// Deployable is false for libraries and tooling-only manifests.
	Deployable bool
	// Extra are additional services the same code runs (a Celery or
	// Sidekiq worker beside the web app).
	Extra []Service
	// Deps are the names of the packages this app depends on, used to tell
	// workspace libraries from apps.
	Deps []string
	// PackageName is the manifest's own name, used for the service name.
	PackageName string
}

// detectors is the registry, in tie-break order.
var detectors = []Detector{
	goDetector{}, rustDetector{}, jvmDetector{}, dotnetDetector{},
	elixirDetector{}, rubyDetector{}, phpDetector{}, pythonDetector{},
	denoDetector{}, nodeDetector{}, staticDetector{},
}
