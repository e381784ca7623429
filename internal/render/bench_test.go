package render

import (
	"fmt"
	"testing"

	"github.com/usecapsule/capsule/internal/cputime"
	"github.com/usecapsule/capsule/internal/servicespec"
)

// thousandSpecs returns 1,000 resolved specs cycling through every case.
func thousandSpecs(b *testing.B) ([]*servicespec.Spec, []Options) {
	b.Helper()
	specs := make([]*servicespec.Spec, 1000)
	opts := make([]Options, 1000)
	resolved := make([]*servicespec.Spec, len(cases))
	for i, c := range cases {
		resolved[i] = resolve(b, c.file, c.env)
	}
	for i := range specs {
		c := cases[i%len(cases)]
		s := *resolved[i%len(cases)]
		s.Name = fmt.Sprintf("%s-%d", s.Name, i)
		specs[i] = &s
		opts[i] = c.opts
		opts[i].Env = c.env
	}
	return specs, opts
}

// BenchmarkRender1000 renders the typed objects of 1,000 services.
func BenchmarkRender1000(b *testing.B) {
	specs, opts := thousandSpecs(b)
	cpu := cputime.Now()
	for b.Loop() {
		for i, s := range specs {
			if _, err := Render(s, opts[i]); err != nil {
				b.Fatal(err)
			}
		}
	}
	cputime.Report(b, cpu, b.N)
}

// BenchmarkRenderYAML1000 renders and serializes 1,000 services to YAML,
// what `capsule render` does per service.
func BenchmarkRenderYAML1000(b *testing.B) {
	specs, opts := thousandSpecs(b)
	cpu := cputime.Now()
	for b.Loop() {
		for i, s := range specs {
			objs, err := Render(s, opts[i])
			if err != nil {
				b.Fatal(err)
			}
			if _, err := Marshal(objs, "yaml"); err != nil {
				b.Fatal(err)
			}
		}
	}
	cputime.Report(b, cpu, b.N)
}
