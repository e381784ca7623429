// Command envgen writes two environments of n objects each (a quarter each
// Deployments, Services, ConfigMaps and HorizontalPodAutoscalers, the
// shape of internal/preview's in-process benchmark) as YAML files, for
// timing `capsule preview` as a whole process against other tools. Every
// fifth Deployment of the proposed environment has fewer replicas, a new
// image tag and a larger CPU request.
package main

import (
	"flag"
	"log"
	"os"
	"path/filepath"

	"github.com/usecapsule/capsule/internal/preview/benchenv"
)

func main() {
	n := flag.Int("n", 200, "objects per environment (a multiple of 4)")
	out := flag.String("out", "", "directory to write current/ and proposed/ into (required)")
	flag.Parse()
	if *out == "" || *n <= 0 || *n%4 != 0 {
		log.Fatal("envgen: -out is required and -n must be a positive multiple of 4")
	}
	for _, env := range []struct {
		dir  string
		edit bool
	}{{"current", false}, {"proposed", true}} {
		dir := filepath.Join(*out, env.dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "objects.yaml"), []byte(benchenv.Environment(*n, env.edit)), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}
