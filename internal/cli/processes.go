package cli

import (
	"os"
	"path/filepath"
	"sort"

	"github.com/usecapsule/capsule/internal/detect"
	"github.com/usecapsule/capsule/internal/servicespec"
)

// processLayout says, for every detected service, which file describes it
// and whose image it runs. Procfile processes (web, worker, beat...) share a
// directory: the first service there owns capsule.yaml and the Dockerfile;
// the others are described in capsule.<name>.yaml and run the same image
// with their own command, as on Heroku. One capsule.yaml per directory
// would make init and dockerfile fail on every Procfile app with a worker.
type processLayout struct {
	file  map[string]string         // service name -> file name in its directory
	owner map[string]detect.Service // directory -> service whose image it builds
}

func layoutOf(services []detect.Service) processLayout {
	lay := processLayout{file: map[string]string{}, owner: map[string]detect.Service{}}
	for _, sv := range services {
		dir := filepath.Clean(sv.Path)
		if _, taken := lay.owner[dir]; taken {
			lay.file[sv.Name] = servicespec.ProcessFileName(sv.Name)
			continue
		}
		lay.owner[dir] = sv
		lay.file[sv.Name] = servicespec.FileName
	}
	return lay
}

// imageOf is the service whose Dockerfile builds sv's image.
func (l processLayout) imageOf(sv detect.Service) detect.Service {
	if o, ok := l.owner[filepath.Clean(sv.Path)]; ok {
		return o
	}
	return sv
}

// specOf is capsule init's spec for sv; a process sharing another
// service's image names that image, since it builds none of its own.
func (l processLayout) specOf(sv detect.Service) servicespec.Spec {
	spec := servicespec.FromDetection(sv)
	if img := l.imageOf(sv); img.Name != sv.Name {
		spec.Image = img.Name + ":latest"
	}
	return spec
}

// loadSpecs loads path; when PATH was a directory, the process files next to
// its capsule.yaml (capsule.<name>.yaml) are rendered too.
func loadSpecs(s Streams, o renderOptions, path string) ([]*servicespec.Spec, error) {
	paths := []string{path}
	if st, err := os.Stat(o.root); err == nil && st.IsDir() {
		more, _ := filepath.Glob(filepath.Join(o.root, servicespec.ProcessFileName("*")))
		sort.Strings(more)
		paths = append(paths, more...)
	}
	var specs []*servicespec.Spec
	for _, p := range paths {
		spec, err := loadSpec(s, p, o.env)
		if err != nil {
			return nil, err
		}
		if o.service == "" || len(paths) == 1 || spec.Name == o.service {
			specs = append(specs, spec)
		}
	}
	if len(specs) == 0 {
		return nil, usageError("no service %q in %v", o.service, paths)
	}
	return specs, nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
