package cli

import "fmt"

// errNotBuilt is returned by verbs whose implementation has not landed yet.
// TODO: delete this file once every verb is real.
func errNotBuilt(verb string) error { return fmt.Errorf("capsule %s is not built yet", verb) }
