package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"slices"

	"github.com/usecapsule/capsule"
)

// reqInfo is the per-request state shared by the outer middleware (which
// logs and measures) and the route wrapper (which knows the route pattern).
type reqInfo struct {
	id     string
	route  string
	client string // the client address, resolved through trusted proxies
	// status is the outcome's HTTP status when the response's own does not
	// tell it: an RPC answered over gRPC is a 200 whatever its twin answered.
	status int
}

type infoKey struct{}
type callerKey struct{}

func withInfo(ctx context.Context, in *reqInfo) context.Context {
	return context.WithValue(ctx, infoKey{}, in)
}

func infoFrom(ctx context.Context) *reqInfo {
	in, _ := ctx.Value(infoKey{}).(*reqInfo)
	if in == nil {
		return &reqInfo{}
	}
	return in
}

// requestID returns the ID of the request being served.
func requestID(ctx context.Context) string { return infoFrom(ctx).id }

// newRequestID returns 16 random bytes in hex.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// cleanRequestID accepts a client's X-Request-ID only when it is a safe
// token: 1 to 128 of [A-Za-z0-9._-]. Anything else (spaces, quotes, '=',
// control or non-ASCII bytes) could forge fields in a log line or in a
// downstream header, so it is dropped and a fresh ID generated; the
// client's value is never echoed.
func cleanRequestID(s string) string {
	if s == "" || len(s) > 128 {
		return ""
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return ""
		}
	}
	return s
}

// Caller is the authenticated user of a request with their memberships.
type Caller struct {
	UserID      string
	SessionID   string
	Memberships []capsule.Member
}

// OrgIDs returns the IDs of the caller's organizations (never nil, so a store
// filter on it always restricts).
func (c *Caller) OrgIDs() []string {
	ids := make([]string, 0, len(c.Memberships))
	for _, m := range c.Memberships {
		ids = append(ids, m.OrganizationID)
	}
	return ids
}

// IsMember reports whether the caller belongs to organization orgID.
func (c *Caller) IsMember(orgID string) bool {
	return slices.ContainsFunc(c.Memberships, func(m capsule.Member) bool { return m.OrganizationID == orgID })
}

func withCaller(ctx context.Context, c *Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the authenticated caller; routes that are not public
// always have one.
func CallerFrom(ctx context.Context) *Caller {
	c, _ := ctx.Value(callerKey{}).(*Caller)
	if c == nil {
		return &Caller{}
	}
	return c
}
