package store

// Store keeps items.
type Store struct{}
