package gitevents

import "net/http"

// gitea reads Gitea (and Forgejo) deliveries: X-Gitea-Event,
// X-Gitea-Delivery and X-Gitea-Signature = hex HMAC-SHA256 of the body,
// with no prefix. Its payloads copy GitHub's.
type gitea struct{}

func (gitea) Name() string { return "gitea" }

func (gitea) Delivery(h http.Header) (string, string) {
	return h.Get("X-Gitea-Delivery"), h.Get("X-Gitea-Event")
}

func (gitea) Verify(h http.Header, body, secret []byte) error {
	return verifyHMAC(h.Get("X-Gitea-Signature"), "", body, secret)
}

func (gitea) Events() []string { return []string{"push", "pull_request"} }

func (gitea) Parse(event string, body []byte) (*Event, error) {
	return parseGitHubShape(event, body, "synchronized")
}
