package rbac

import (
	"strings"
	"testing"
)

// FuzzCustomRole: any name and comma-separated permission list is either a
// valid custom role that grants exactly what it lists, or refused with an
// error that names the role or the bad permission.
func FuzzCustomRole(f *testing.F) {
	for _, s := range [][2]string{
		{"release-manager", "promotion:approve,deploy:staging"},
		{"owner", "org:view"},
		{"Bad Name", "org:view"},
		{"x", ""},
		{"dup", "org:view,org:view"},
		{"weird", "org:view, deploy:*"},
		{"unicode", "org:vіew"}, // Cyrillic i
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, name, perms string) {
		var ps []Permission
		for _, s := range strings.Split(perms, ",") {
			if s == "" {
				continue
			}
			p, err := ParsePermission(s)
			if err != nil {
				if !strings.Contains(err.Error(), "unknown permission") {
					t.Fatalf("ParsePermission(%q) error does not say what is wrong: %v", s, err)
				}
				p = Permission(s) // let ValidateCustom see it too
			}
			ps = append(ps, p)
		}
		r := Role{Name: name, Permissions: ps}
		if err := ValidateCustom(r); err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		for _, p := range ps {
			if !p.Valid() || !r.Has(p) {
				t.Fatalf("valid role %q does not grant listed %q", name, p)
			}
		}
		for _, p := range All {
			if r.Has(p) != containsPerm(ps, p) {
				t.Fatalf("role %q grants %q without listing it", name, p)
			}
		}
	})
}

func containsPerm(ps []Permission, p Permission) bool {
	for _, x := range ps {
		if x == p {
			return true
		}
	}
	return false
}
