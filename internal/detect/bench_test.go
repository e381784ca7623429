package detect

import (
	"os"
	"testing"
)

// benchDetect measures detection of one fixture, file system walk and
// reads included (the OS page cache is warm after the first iteration).
func benchDetect(b *testing.B, fixture string) {
	b.Helper()
	fsys := os.DirFS("testdata/repos/" + fixture)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DetectFS(fsys, fixture, fixture, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDetectNextJS is the "typical repository" of the 5 ms
// budget: a single Next.js app.
func BenchmarkDetectNextJS(b *testing.B) { benchDetect(b, "nextjs-pnpm") }

// BenchmarkDetectMonorepo is a Turborepo with five workspace packages.
func BenchmarkDetectMonorepo(b *testing.B) { benchDetect(b, "turbo-pnpm") }

// BenchmarkDetectDjango exercises the Python app-module search.
func BenchmarkDetectDjango(b *testing.B) { benchDetect(b, "django-poetry-celery") }
