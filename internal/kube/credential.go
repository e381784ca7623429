package kube

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"

	"github.com/usecapsule/capsule"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Bounds of a credential's parts: a kubeconfig with a few embedded
// certificates is a few KiB.
const (
	MaxKubeconfigBytes = 64 << 10
	MaxCABytes         = 64 << 10
	MaxTokenBytes      = 16 << 10
)

// Credential is a cluster's write credential: a kubeconfig (with the
// context to use, default its current-context), or a server URL with the
// CA bundle that signs its certificate and a bearer token. It is stored
// sealed in the secret store as its JSON and never shown.
type Credential struct {
	Kubeconfig string `json:"kubeconfig,omitempty"`
	Context    string `json:"context,omitempty"`
	Server     string `json:"server,omitempty"`
	// CertificateAuthorityData is PEM, or base64 of PEM as in a kubeconfig.
	CertificateAuthorityData string `json:"certificate_authority_data,omitempty"`
	Token                    string `json:"token,omitempty"`
}

// IsZero reports whether no part of the credential is set.
func (c Credential) IsZero() bool { return c == Credential{} }

// ParseCredential decodes a stored credential and checks it.
func ParseCredential(data []byte) (Credential, error) {
	var c Credential
	if err := json.Unmarshal(data, &c); err != nil {
		return Credential{}, fmt.Errorf("kube: stored credential is not JSON: %w", err)
	}
	_, err := RESTConfig(c, everything...)
	return c, err
}

// everything allows every address, for parsing without the address policy
// (ParseCredential checks the shape; connecting checks the address).
var everything = []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0"), netip.MustParsePrefix("::/0")}

// Marshal returns the credential's stored form.
func (c Credential) Marshal() []byte {
	b, _ := json.Marshal(c) // strings only: cannot fail
	return b
}

// RESTConfig checks the credential and returns the client configuration of
// its cluster, guarded by the address policy (see the package comment);
// allow is the installation's --egress-allow list. Errors are
// VALIDATION_FAILED naming the field under "credential.".
func RESTConfig(c Credential, allow ...netip.Prefix) (*rest.Config, error) {
	var v capsule.Validation
	var rc *rest.Config
	switch {
	case c.Kubeconfig != "" && (c.Server != "" || c.Token != "" || c.CertificateAuthorityData != ""):
		v.Add("credential", "give either kubeconfig (and context) or server, certificate_authority_data and token, not both")
	case c.Kubeconfig != "":
		rc = fromKubeconfig(&v, c)
	case c.Context != "":
		v.Add("credential.context", "needs a kubeconfig")
	default:
		rc = fromToken(&v, c)
	}
	if rc != nil {
		checkServer(&v, rc.Host, allow)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	guard(rc, allow)
	return rc, nil
}

func fromToken(v *capsule.Validation, c Credential) *rest.Config {
	if c.Server == "" {
		v.Add("credential.server", "is required (or give a kubeconfig)")
	}
	switch {
	case c.Token == "":
		v.Add("credential.token", "is required with server")
	case len(c.Token) > MaxTokenBytes:
		v.Add("credential.token", "is longer than %d bytes", MaxTokenBytes)
	case strings.ContainsAny(c.Token, " \t\r\n"):
		v.Add("credential.token", "must not contain spaces or line breaks")
	}
	ca, err := caData(c.CertificateAuthorityData)
	if err != nil {
		v.Add("credential.certificate_authority_data", "%s", err.Error())
	}
	return &rest.Config{Host: c.Server, BearerToken: c.Token, TLSClientConfig: rest.TLSClientConfig{CAData: ca}}
}

// caData accepts PEM or the base64 of PEM (a kubeconfig's spelling).
func caData(s string) ([]byte, error) {
	switch {
	case s == "":
		return nil, nil // the system's roots: a cluster with a public certificate
	case len(s) > MaxCABytes:
		return nil, fmt.Errorf("is longer than %d bytes", MaxCABytes)
	case strings.Contains(s, "-----BEGIN CERTIFICATE-----"):
		return []byte(s), nil
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || !strings.Contains(string(b), "-----BEGIN CERTIFICATE-----") {
		return nil, fmt.Errorf("is neither PEM certificates nor base64 of them")
	}
	return b, nil
}

func fromKubeconfig(v *capsule.Validation, c Credential) *rest.Config {
	if len(c.Kubeconfig) > MaxKubeconfigBytes {
		v.Add("credential.kubeconfig", "is longer than %d bytes", MaxKubeconfigBytes)
		return nil
	}
	kc, err := clientcmd.Load([]byte(c.Kubeconfig))
	if err != nil {
		v.Add("credential.kubeconfig", "is not a kubeconfig: %s", clip(err.Error()))
		return nil
	}
	name := c.Context
	if name == "" {
		name = kc.CurrentContext
	}
	ctx, ok := kc.Contexts[name]
	switch {
	case name == "":
		v.Add("credential.context", "is required: the kubeconfig has no current-context (it has %s)", contextNames(kc))
		return nil
	case !ok:
		v.Add("credential.context", "%q is not a context of the kubeconfig (it has %s)", clip(name), contextNames(kc))
		return nil
	}
	cl, user := kc.Clusters[ctx.Cluster], kc.AuthInfos[ctx.AuthInfo]
	if cl == nil {
		v.Add("credential.kubeconfig", "context %q names cluster %q, which the kubeconfig does not define", clip(name), clip(ctx.Cluster))
		return nil
	}
	if user == nil {
		user = &clientcmdapi.AuthInfo{}
	}
	if refused := unsafeParts(cl, user); len(refused) > 0 {
		v.Add("credential.kubeconfig", "context %q uses %s, which Capsule does not accept in a stored credential (embed certificates and tokens as data)",
			clip(name), strings.Join(refused, ", "))
		return nil
	}
	// Only the chosen context's entries, so nothing else in the file is read.
	one := clientcmdapi.NewConfig()
	one.Clusters["c"], one.AuthInfos["u"] = cl, user
	one.Contexts["c"] = &clientcmdapi.Context{Cluster: "c", AuthInfo: "u"}
	one.CurrentContext = "c"
	rc, err := clientcmd.NewDefaultClientConfig(*one, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		v.Add("credential.kubeconfig", "context %q: %s", clip(name), clip(err.Error()))
		return nil
	}
	return rc
}

// unsafeParts names what in a kubeconfig would run a program, read a file
// of the server, or send the credential through a third party.
func unsafeParts(cl *clientcmdapi.Cluster, u *clientcmdapi.AuthInfo) []string {
	var out []string
	add := func(cond bool, what string) {
		if cond {
			out = append(out, what)
		}
	}
	add(u.Exec != nil, "an exec plugin")
	add(u.AuthProvider != nil, "an auth-provider")
	add(u.ClientCertificate != "", "client-certificate (a file)")
	add(u.ClientKey != "", "client-key (a file)")
	add(u.TokenFile != "", "tokenFile (a file)")
	add(cl.CertificateAuthority != "", "certificate-authority (a file)")
	add(cl.ProxyURL != "", "proxy-url")
	add(cl.InsecureSkipTLSVerify, "insecure-skip-tls-verify")
	return out
}

func contextNames(kc *clientcmdapi.Config) string {
	if len(kc.Contexts) == 0 {
		return "no contexts"
	}
	var names []string
	for n := range kc.Contexts {
		names = append(names, fmt.Sprintf("%q", clip(n)))
	}
	slices.Sort(names)
	if len(names) > 10 {
		names = append(names[:10], "…")
	}
	return strings.Join(names, ", ")
}

// checkServer checks the server URL's shape and, when its host is an IP
// address, the address policy, so an obviously refused address is named
// before any connection.
func checkServer(v *capsule.Validation, server string, allow []netip.Prefix) {
	if server == "" {
		return // reported with its field
	}
	u, err := url.Parse(server)
	if err != nil || u.Host == "" || u.Scheme != "https" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		v.Add("credential.server", "%q must be an https:// URL without credentials, query or fragment", clip(redact(server)))
		return
	}
	if ip, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil {
		if why := refusal(ip, allow); why != "" {
			v.Add("credential.server", "%s: %s", redact(server), why)
		}
	}
}

// redact drops user information from a URL for messages.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	return u.String()
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}
