package httpapi

import "github.com/usecapsule/capsule/internal/identity"

// Identity is what the API needs of identity and access: the interfaces of
// package identity, one per concern. The server passes the identity store
// in explicitly (AccessConfig.Identity); the API never looks for it under
// the domain store.
type Identity = identity.Store
