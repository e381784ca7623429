package capsule

import (
	"strings"
	"testing"
)

// TestApprovalPolicyValidate: the policy's fields are checked and named.
func TestApprovalPolicyValidate(t *testing.T) {
	for _, tc := range []struct {
		pol   ApprovalPolicy
		field string // "" when valid
	}{
		{ApprovalPolicy{RequiredApprovals: 2, ApproverRoles: []string{"owner"}, MaxRiskLevel: "high", MaxMonthlyCostDelta: "250.00"}, ""},
		{ApprovalPolicy{RequiredApprovals: -1}, "approvalPolicy.requiredApprovals"},
		{ApprovalPolicy{MaxRiskLevel: "extreme"}, "approvalPolicy.maxRiskLevel"},
		{ApprovalPolicy{MaxMonthlyCostDelta: "-5"}, "approvalPolicy.maxMonthlyCostDelta"},
		{ApprovalPolicy{MaxMonthlyCostDelta: "1e3"}, "approvalPolicy.maxMonthlyCostDelta"},
		{ApprovalPolicy{ApproverRoles: []string{""}}, "approvalPolicy.approverRoles[0]"},
	} {
		e := Environment{ProjectID: "p", Name: "prod", Kind: EnvProduction, ApprovalPolicy: tc.pol}
		err := e.Validate()
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%+v: %v", tc.pol, err)
		case tc.field != "" && (err == nil || !strings.Contains(err.Error(), tc.field)):
			t.Errorf("%+v: error %v does not name %s", tc.pol, err, tc.field)
		}
	}
	if m, ok, err := (ApprovalPolicy{MaxMonthlyCostDelta: "12.5"}).CostDeltaMicros(); m != 12_500_000 || !ok || err != nil {
		t.Fatalf("12.5 dollars: %d %v %v", m, ok, err)
	}
}

// TestEnvironmentGitValidate: the repository URL must be http(s) without
// credentials; branch and provider get defaults.
func TestEnvironmentGitValidate(t *testing.T) {
	e := Environment{ProjectID: "p", Name: "prod", Kind: EnvProduction, Git: &EnvironmentGit{URL: "https://github.com/acme/deploy"}}
	if err := e.Validate(); err != nil || e.Git.Branch != "main" || e.Git.Provider != "plain" {
		t.Fatalf("valid git: %v %+v", err, e.Git)
	}
	for _, g := range []EnvironmentGit{{URL: "https://user:pw@github.com/a/b"}, {URL: "file:///etc"}, {URL: "https://h/a", Path: "../x"},
		{URL: "https://h/a", Provider: "svn"}, {URL: "https://h/a", Branch: "a..b"}} {
		e.Git = &g
		if err := e.Validate(); err == nil {
			t.Errorf("%+v accepted", g)
		}
	}
}

// FuzzCostDeltaMicros: any text is either refused with an error naming it
// or parsed to a non-negative amount that prints back to the same value.
func FuzzCostDeltaMicros(f *testing.F) {
	for _, s := range []string{"", "0", "250", "250.00", "0.000001", "1.1234567", "-1", "1e3", ".5", "999999999999.999999", "١٢"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, ok, err := ApprovalPolicy{MaxMonthlyCostDelta: s}.CostDeltaMicros()
		switch {
		case s == "" && (ok || err != nil):
			t.Fatalf("empty: %d %v %v", m, ok, err)
		case err != nil:
			if ok || !strings.Contains(err.Error(), "dollars") {
				t.Fatalf("%q: %v (ok %v)", s, err, ok)
			}
		case s != "" && (!ok || m < 0):
			t.Fatalf("%q parsed to %d (ok %v)", s, m, ok)
		}
	})
}
