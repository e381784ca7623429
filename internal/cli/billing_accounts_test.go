package cli

import (
	"strings"
	"testing"
)

// TestBillingAccountsCreateList: accounts made with the CLI on a real
// control plane are listed, one with an S3 source whose secret access key
// comes from the environment and is never shown.
func TestBillingAccountsCreateList(t *testing.T) {
	url := startServer(t)
	t.Setenv("CAPSULE_CONFIG", t.TempDir()+"/config.yaml")
	t.Setenv("CAPSULE_PASSWORD", "")
	t.Setenv("CAPSULE_API_KEY", "")
	if r := run(t, testPassword+"\n", "login", "--server", url, "--password-stdin"); r.code != 0 {
		t.Fatalf("login: exit %d: %s", r.code, r.err)
	}
	if r := run(t, "", "billing", "accounts", "create", "aws-payer", "--provider", "aws"); r.code != 0 || !strings.Contains(r.out, "aws-payer") {
		t.Fatalf("create: exit %d: %s %s", r.code, r.out, r.err)
	}
	s3 := []string{"billing", "accounts", "create", "aws-s3", "--provider", "aws", "--s3-endpoint", "https://s3.eu-west-1.amazonaws.com",
		"--s3-bucket", "acme-billing", "--s3-prefix", "exports/focus/", "--s3-access-key-id", "AKIAEXAMPLE"}
	t.Setenv("CAPSULE_S3_SECRET_ACCESS_KEY", "")
	if r := run(t, "", s3...); r.code != ExitUsage || !strings.Contains(r.err, "CAPSULE_S3_SECRET_ACCESS_KEY") {
		t.Fatalf("S3 source without its secret: exit %d: %s", r.code, r.err)
	}
	t.Setenv("CAPSULE_S3_SECRET_ACCESS_KEY", "very-secret-key")
	if r := run(t, "", append(s3, "-o", "json")...); r.code != 0 || !strings.Contains(r.out, `"bucket": "acme-billing"`) || strings.Contains(r.out, "very-secret-key") {
		t.Fatalf("create with S3: exit %d: %s %s", r.code, r.out, r.err)
	}
	r := run(t, "", "billing", "accounts", "list")
	if r.code != 0 || !strings.Contains(r.out, "s3://acme-billing/exports/focus/") || !strings.Contains(r.out, "aws-payer") {
		t.Fatalf("list: exit %d: %s %s", r.code, r.out, r.err)
	}
	if r := run(t, "", "billing", "accounts", "create", "x"); r.code != ExitUsage || !strings.Contains(r.err, "--provider") {
		t.Fatalf("no provider: exit %d %s", r.code, r.err)
	}
}
