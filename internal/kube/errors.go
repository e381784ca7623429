package kube

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"syscall"

	"github.com/usecapsule/capsule"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
)

// unreachable is CLUSTER_UNREACHABLE naming the server and the reason; the
// cause is kept for the server's log, never shown.
func unreachable(server string, err error) error {
	reason := describe(err)
	return &capsule.Error{Kind: capsule.KindInvalid, Code: capsule.CodeClusterUnreachable,
		Message: fmt.Sprintf("cluster server %s is unreachable: %s", redact(server), reason),
		Details: map[string]any{"server": redact(server), "reason": reason}, Err: err}
}

// fromAPI turns an error of a request that reached the cluster (or failed
// on the way) into the caller's error: 401 is a rejected credential, any
// other failure an unreachable server.
func fromAPI(server string, err error) error {
	if apierrors.IsUnauthorized(err) {
		return &capsule.Error{Kind: capsule.KindInvalid, Code: capsule.CodeClusterCredentialRejected,
			Message: fmt.Sprintf("cluster server %s refused the credential (HTTP 401): the token or client certificate is wrong or expired", redact(server)),
			Details: map[string]any{"server": redact(server)}, Err: err}
	}
	return unreachable(server, err)
}

// describe says why a request failed in Capsule's own words: the local
// network or TLS error, or the HTTP status, never the body the server
// sent (an API status's message is the server's text).
func describe(err error) string {
	var (
		refused  *refusedError
		dnsErr   *net.DNSError
		unknown  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
		status   apierrors.APIStatus
		statusCE *httpStatusError
	)
	switch {
	case errors.As(err, &refused):
		return refused.why
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || isTimeout(err):
		return "no answer in time"
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return fmt.Sprintf("the name %s does not resolve", dnsErr.Name)
		}
		return fmt.Sprintf("resolving %s failed", dnsErr.Name)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "no route to the host"
	case errors.Is(err, syscall.ECONNRESET):
		return "the connection was reset"
	case errors.As(err, &unknown):
		return "TLS: the server's certificate is not signed by the given certificate authority"
	case errors.As(err, &hostErr):
		return "TLS: the server's certificate is not valid for this host name"
	case errors.As(err, &invalid):
		return "TLS: the server's certificate is invalid (expired or not yet valid, or not for serving)"
	case errors.As(err, &record):
		return "the server does not speak TLS"
	case errors.As(err, &statusCE):
		return fmt.Sprintf("HTTP %d %s", statusCE.code, http.StatusText(statusCE.code))
	case errors.As(err, &status):
		code := int(status.Status().Code)
		return fmt.Sprintf("HTTP %d %s", code, http.StatusText(code))
	}
	return "the request failed"
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// httpStatusError is an unexpected status of a discovery request.
type httpStatusError struct {
	url  string
	code int
}

func (e *httpStatusError) Error() string { return fmt.Sprintf("GET %s: HTTP %d", e.url, e.code) }
