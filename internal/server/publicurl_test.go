package server

import (
	"strings"
	"testing"
)

func TestValidatePublicURL(t *testing.T) {
	for _, ok := range []string{"", "https://capsule.example.com", "http://10.0.0.5:8080/capsule/"} {
		if err := validatePublicURL(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"capsule.example.com", "ftp://x", "https://u:p@x", "https://x/?a=1", "https://x/#f", "https://"} {
		if err := validatePublicURL(bad); err == nil || !strings.Contains(err.Error(), "--public-url") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
