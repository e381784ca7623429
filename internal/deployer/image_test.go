package deployer

import (
	"strings"
	"testing"

	"github.com/distribution/reference"
)

var imageSeeds = []string{
	"web", "web:1.0", "ghcr.io/acme/web:1.4.2", "localhost:5000/web", "localhost/web", "127.0.0.1:5000/a/b:c",
	"[::1]:5000/web:1", "[::1]/web", "docker.io/web", "index.docker.io/library/web:latest", "Acme/web", "acme/Web",
	"web:V1", "web:1:2", "web::1", "web:", ":1", "/web", "web/", "a//b", "a__b", "a___b", "a--b", "a.-b", "-a", "a-",
	"web@sha256:" + strings.Repeat("a", 64), "web@sha256:" + strings.Repeat("A", 64), "web@sha256:" + strings.Repeat("a", 63),
	"web:1@sha512:" + strings.Repeat("0", 128), "web@md5:" + strings.Repeat("a", 32), strings.Repeat("a", 64),
	strings.Repeat("a", 64) + ":1", strings.Repeat("a", 248), strings.Repeat("a", 247), "x.io/" + strings.Repeat("a", 255),
	"web:" + strings.Repeat("t", 128), "web:" + strings.Repeat("t", 129), "web:.x", "web:_x", "Ghcr.io/UPPER/api:v1",
	"example.com:/web", "example.com:x/web", "ex_ample.com/web", "-ex.com/web", "ex-.com/web", "[zz]/web", "[::1/web",
	"web name", "web\n", "", "a.b", "a..b",
}

// TestParseImageAgreesWithDistribution: the hand-written parser accepts
// exactly what github.com/distribution/reference accepts.
func TestParseImageAgreesWithDistribution(t *testing.T) {
	for _, s := range imageSeeds {
		checkAgreement(t, s)
	}
}

// FuzzParseImage compares the parser with the library on any input.
func FuzzParseImage(f *testing.F) {
	for _, s := range imageSeeds {
		f.Add(s)
	}
	f.Fuzz(checkAgreement)
}

func checkAgreement(t *testing.T, s string) {
	_, want := reference.ParseNormalizedNamed(s)
	got := parseImage(s)
	if (got == nil) != (want == nil) {
		t.Fatalf("%q: parseImage says %v, distribution/reference says %v", s, got, want)
	}
}
