package retry

// Do calls fn until it succeeds.
func Do(fn func() error) error { return fn() }
