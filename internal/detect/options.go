package detect

// Options tune a detection run. The zero value is ready to use.
type Options struct {
	// MaxFileSize is the largest file read, in bytes; larger files are
	// skipped as if absent. Default 1 MiB.
	MaxFileSize int64
	// MaxDepth bounds how deep the walker descends. Default 6, deep enough
	// for apps/<name>/src/... and shallow enough to stay fast on big repos.
	MaxDepth int
	// Name overrides the name of a service found at the repository root
	// (otherwise the manifest's package name or the directory name).
	Name string
}

func (o Options) maxFileSize() int64 {
	if o.MaxFileSize > 0 {
		return o.MaxFileSize
	}
	return 1 << 20
}

func (o Options) maxDepth() int {
	if o.MaxDepth > 0 {
		return o.MaxDepth
	}
	return 6
}
