package export

import "testing"

func TestDependencies(t *testing.T) {
	for v, want := range map[string]bool{"api": true, "http://api:8080/v1": true, "postgres://u:p@api:5432/db": true, "api.example.com": false, "rapid": false, "http://apis": false} {
		if got := namesHost(v, "api"); got != want {
			t.Errorf("namesHost(%q) = %v, want %v", v, got, want)
		}
	}
}
