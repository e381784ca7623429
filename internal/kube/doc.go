// Package kube is everything that connects Capsule to a Kubernetes cluster:
// a *rest.Config from a cluster's write credential (a kubeconfig and
// context, or a server URL, CA bundle and bearer token), the address
// policy every connection to a cluster obeys, the access check run when a
// credential is registered, and a connection bundle (dynamic client, API
// discovery, REST mapper) for the deploy engine and the agent.
//
// Design decisions:
//   - Only the dynamic client and plain discovery requests are used, never
//     the typed clientset nor client-go's discovery package: both pull in
//     the scheme of every built-in API group, whose initialisation every
//     capsule command would pay. Discovery here is a few GETs decoded into
//     apimachinery's types, and the REST mapper is built from them.
//   - A kubeconfig is data sent by a user, so nothing in it may act on the
//     server: exec plugins and auth providers (they run programs), file
//     references (client-certificate, client-key, certificate-authority,
//     tokenFile: they read the server's files), proxy-url and
//     insecure-skip-tls-verify (the credential would go to whoever sits on
//     the path) are refused by name. Certificates and keys must be inline.
//   - Address policy of the cluster's server: cloud metadata and link-local
//     addresses are always refused (no cluster API server lives there, and
//     they hold the host's own credentials); loopback, unspecified,
//     multicast and reserved addresses are refused unless the
//     installation's --egress-allow lists them; private (RFC 1918), shared
//     (CGNAT) and unique-local addresses are allowed, because that is where
//     clusters normally live (a private EKS/GKE/AKS endpoint, an on-premises
//     cluster): refusing them would make the common case need
//     configuration, and a user who can register a cluster can already
//     point Capsule at any server of their choosing with their own
//     credential. The policy is checked on the address being dialed, after
//     DNS resolution (so a name that later resolves elsewhere is caught),
//     and no proxy is ever used, not even $HTTPS_PROXY.
//   - RESTConfig sets no overall request timeout (a watch must outlive
//     one); dialing and the TLS handshake are bounded, and callers bound
//     each call with its context. Check bounds itself (CheckTimeout).
//   - Errors name the server URL and the reason (a connection refused, a
//     certificate not signed by the CA, an HTTP status), never what the
//     server sent: a URL pointed at an arbitrary host must not turn Capsule
//     into a reader of that host's answers.
package kube
