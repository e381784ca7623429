package rbac

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/golden"
)

// TestMatrixGolden pins the role × permission matrix in
// testdata/matrix.golden, so a change to a built-in role shows up in review.
func TestMatrixGolden(t *testing.T) {
	var b strings.Builder
	b.WriteString("permission")
	roles := BuiltInRoles()
	for _, r := range roles {
		b.WriteString("\t" + r.Name)
	}
	b.WriteString("\n")
	for _, p := range All {
		b.WriteString(string(p))
		for _, r := range roles {
			mark := "-"
			if r.Has(p) {
				mark = "allow"
			}
			b.WriteString("\t" + mark)
		}
		b.WriteString("\n")
	}
	golden.Check(t, filepath.Join("testdata", "matrix.golden"), []byte(b.String()))
}

func TestRoleInvariants(t *testing.T) {
	// Each built-in role is a superset of the next less privileged one.
	roles := BuiltInRoles()
	for i := 1; i < len(roles); i++ {
		for _, p := range roles[i].Permissions {
			if !roles[i-1].Has(p) {
				t.Errorf("%s has %s but %s does not", roles[i].Name, p, roles[i-1].Name)
			}
		}
	}
	if BuiltIn(Developer).Has(DeployProduction) {
		t.Error("developer may deploy to production")
	}
	if !BuiltIn(Developer).Has(DeployStaging) {
		t.Error("developer may not deploy to staging")
	}
}

func TestDecideScopes(t *testing.T) {
	org := Scope{OrgID: "o1"}
	proj := Scope{OrgID: "o1", ProjectID: "p1"}
	staging := Scope{OrgID: "o1", ProjectID: "p1", EnvironmentID: "stg"}
	prod := Scope{OrgID: "o1", ProjectID: "p1", EnvironmentID: "prd"}
	otherProj := Scope{OrgID: "o1", ProjectID: "p2", EnvironmentID: "e"}
	otherOrg := Scope{OrgID: "o2"}
	deployer := Role{Name: "prod-deployer", Permissions: []Permission{DeployProduction}}

	dev := []Binding{{Role: BuiltIn(Developer), Scope: org}}
	devPlusProd := append(dev, Binding{Role: deployer, Scope: prod})
	projViewer := []Binding{{Role: BuiltIn(Viewer), Scope: proj}}

	cases := []struct {
		name     string
		bindings []Binding
		perm     Permission
		target   Scope
		allowed  bool
		member   bool
	}{
		{"developer deploys to staging", dev, DeployStaging, staging, true, true},
		{"developer may not deploy to production", dev, DeployProduction, prod, false, true},
		{"env binding grants production", devPlusProd, DeployProduction, prod, true, true},
		{"env binding does not leak to sibling", devPlusProd, DeployProduction, staging, false, true},
		{"env binding does not reach project", devPlusProd, DeployProduction, proj, false, true},
		{"project binding covers its envs", projViewer, ServiceView, staging, true, true},
		{"project binding not other project", projViewer, ServiceView, otherProj, false, true},
		{"project binding not org level", projViewer, OrgView, org, false, true},
		{"other organization", dev, ServiceView, otherOrg, false, false},
		{"no bindings", nil, OrgView, org, false, false},
		{"unknown permission", dev, Permission("org:own"), org, false, false},
		{"env without project", dev, ServiceView, Scope{OrgID: "o1", EnvironmentID: "x"}, false, false},
		{"no organization", []Binding{{Role: BuiltIn(Owner)}}, OrgView, Scope{}, false, false},
	}
	for _, c := range cases {
		d := Decide(c.bindings, c.perm, c.target)
		if d.Allowed != c.allowed || d.Member != c.member {
			t.Errorf("%s: Decide = %+v, want allowed=%v member=%v", c.name, d, c.allowed, c.member)
		}
		if d.Reason == "" {
			t.Errorf("%s: empty reason", c.name)
		}
		if d.Allowed && d.By == nil {
			t.Errorf("%s: allowed without a binding", c.name)
		}
	}
}

func TestDeployPermission(t *testing.T) {
	for kind, want := range map[string]Permission{
		"development": DeployDev, "preview": DeployDev, "staging": DeployStaging,
		"production": DeployProduction, "": DeployProduction, "qa": DeployProduction,
	} {
		if got := DeployPermission(kind); got != want {
			t.Errorf("DeployPermission(%q) = %s, want %s", kind, got, want)
		}
	}
}

func TestValidateCustom(t *testing.T) {
	cases := []struct {
		role Role
		ok   bool
	}{
		{Role{Name: "release-manager", Permissions: []Permission{PromotionApprove, DeployProduction}}, true},
		{Role{Name: "admin", Permissions: []Permission{OrgView}}, false},
		{Role{Name: "Bad Name", Permissions: []Permission{OrgView}}, false},
		{Role{Name: "empty"}, false},
		{Role{Name: "typo", Permissions: []Permission{"org:veiw"}}, false},
		{Role{Name: "dup", Permissions: []Permission{OrgView, OrgView}}, false},
	}
	for _, c := range cases {
		if err := ValidateCustom(c.role); (err == nil) != c.ok {
			t.Errorf("ValidateCustom(%+v) = %v, want ok=%v", c.role, err, c.ok)
		}
	}
	if _, err := ParsePermission("secrets:read"); err != nil {
		t.Error(err)
	}
	if _, err := ParsePermission("secrets:write"); err == nil {
		t.Error("unknown permission parsed")
	}
}

func TestPermissions(t *testing.T) {
	got := Permissions([]Binding{{Role: BuiltIn(Viewer), Scope: Scope{OrgID: "o"}}}, Scope{OrgID: "o"})
	if len(got) != len(BuiltIn(Viewer).Permissions) {
		t.Errorf("viewer permissions = %v", got)
	}
}
