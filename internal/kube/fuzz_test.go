package kube_test

import (
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/kube"
)

// FuzzCredential: any kubeconfig text, context, token and CA bundle parse to a
// config or a validation error, never a panic; a refusal never repeats the
// token.
func FuzzCredential(f *testing.F) {
	f.Add("apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: \"https://10.0.0.1:6443\"}\nusers:\n- name: u\n  user: {token: abc}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n", "", "", "")
	f.Add("apiVersion: v1\nkind: Config\ncurrent-context: missing\n", "", "", "")
	f.Add("{", "ctx", "", "")
	f.Add("", "", "s3cr3t-token", "")
	f.Add("", "", "bad token\n", "")
	f.Add("", "", "t", "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==")
	f.Add("", "", "t", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
	f.Add("", "", "t", "%%%")
	f.Add("clusters: [{name: c, cluster: {server: 'https://[::1]:1', proxy-url: 'http://p'}}]", "", "", "")
	f.Fuzz(func(t *testing.T, kc, ctx, token, ca string) {
		cred := kube.Credential{Kubeconfig: kc, Context: ctx, Token: token}
		if kc == "" {
			cred.Server, cred.CertificateAuthorityData = "https://10.1.2.3:6443", ca
		}
		rc, err := kube.RESTConfig(cred)
		if err == nil && rc == nil {
			t.Fatal("no config and no error")
		}
		if err != nil && len(token) > 8 && strings.Contains(err.Error(), token) {
			t.Fatalf("error repeats the token: %v", err)
		}
		if err == nil {
			if _, perr := kube.ParseCredential(cred.Marshal()); perr != nil {
				t.Fatalf("a credential RESTConfig accepts does not parse back: %v", perr)
			}
		}
	})
}
