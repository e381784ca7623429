// Package identity is the vocabulary of identity and access that the HTTP
// API and the identity store share: the records (role bindings, secrets'
// metadata, MFA enrolments, OIDC settings, invitations, sign-in throttles,
// audit filters) and the interfaces through which the API reaches their
// store, one per concern. The API depends on these, never on the store's
// concrete type; identitystore implements them over the shared database
// (checked at compile time there). Its subpackages hold the primitives:
// API keys, password hashing, access tokens and TOTP.
package identity
