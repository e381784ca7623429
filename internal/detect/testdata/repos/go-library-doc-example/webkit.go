/*
Package webkit is a small HTTP toolkit.

Example:

	package main

	func main() {
		e := webkit.New()
		e.Start(":1323")
	}
*/
package webkit

// New returns a toolkit.
func New() *Kit { return &Kit{} }

// Kit is the toolkit.
type Kit struct{}

// Start listens on addr.
func (k *Kit) Start(addr string) error { return nil }
