package server

func (o *Options) validateMetrics() error { return nil }
