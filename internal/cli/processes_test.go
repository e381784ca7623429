package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// procfileRepo writes a Django app whose Procfile runs a web process and a
// Celery worker from the same directory (the Heroku layout).
func procfileRepo(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "shop")
	files := map[string]string{
		"requirements.txt":   "django>=5\ngunicorn\ncelery\n",
		"Procfile":           "web: gunicorn shop.wsgi\nworker: celery -A shop worker\n",
		"manage.py":          "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"shop.settings\")\n",
		"shop/__init__.py":   "",
		"shop/settings.py":   "ROOT_URLCONF = \"shop.urls\"\n",
		"shop/wsgi.py":       "from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n",
		"shop/celery_app.py": "from celery import Celery\napp = Celery(\"shop\")\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestProcfileProcessesShareDirectoryAndImage: init and dockerfile succeed
// on a Procfile app with a worker, the worker gets its own
// capsule.<name>.yaml and runs the web's image, the one Dockerfile starts
// the web process, and render renders both from the written files.
func TestProcfileProcessesShareDirectoryAndImage(t *testing.T) {
	dir := procfileRepo(t)
	base := filepath.Base(dir)
	code, out, errOut := smartRun(t, "init", dir, "--dockerfile")
	if code != 0 {
		t.Fatalf("init: %d\n%s\n%s", code, out, errOut)
	}
	worker := filepath.Join(dir, "capsule."+base+"-worker.yaml")
	spec, err := os.ReadFile(worker)
	if err != nil {
		t.Fatalf("no worker file: %v\n%s", err, out)
	}
	if !strings.Contains(string(spec), "image: "+base+":latest") || !strings.Contains(string(spec), "celery -A shop worker") {
		t.Errorf("%s:\n%s", worker, spec)
	}
	df, _ := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	if !strings.Contains(string(df), `CMD ["gunicorn", "shop.wsgi"]`) {
		t.Errorf("the shared Dockerfile does not start the web process:\n%s", df)
	}
	code, out, errOut = smartRun(t, "render", dir, "--env", "production")
	if code != 0 {
		t.Fatalf("render: %d %s", code, errOut)
	}
	for _, want := range []string{"name: " + base + "\n", "name: " + base + "-worker\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("render lacks %q", want)
		}
	}
	if strings.Count(out, "image: "+base+":latest") != 2 || strings.Contains(out, base+"-worker:latest") {
		t.Errorf("both Deployments must run the one image:\n%s", out)
	}
	if code, _, errOut = smartRun(t, "dockerfile", dir, "--force"); code != 0 {
		t.Fatalf("dockerfile --force: %d %s", code, errOut)
	}
	if df2, _ := os.ReadFile(filepath.Join(dir, "Dockerfile")); string(df2) != string(df) {
		t.Errorf("dockerfile --force replaced the web's Dockerfile with another process's")
	}
}
