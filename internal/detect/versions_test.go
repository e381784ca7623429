package detect

import (
	"strings"
	"testing"
)

func TestPortInCommand(t *testing.T) {
	for cmd, want := range map[string]int{
		"gunicorn app:app -b 0.0.0.0:5000 --workers 3":      5000,
		"gunicorn app:app --bind=[::]:5000":                 5000,
		"bundle exec puma -p 5000 -e production":            5000,
		"uvicorn main:app --host 0.0.0.0 --port 5000":       5000,
		"daphne -b 127.0.0.1 -p 5000 proj.asgi:application": 5000,
		"bundle exec puma -p ${PORT:-5000}":                 5000,
		"gunicorn app:app --bind 0.0.0.0:${PORT:-5000}":     5000,
		"python manage.py runserver 0.0.0.0:5000":           5000,
		"java -Dserver.port=5000 -jar target/app.jar":       5000,
		"npx serve -s build -l 5000":                        5000,
		"php -S 0.0.0.0:5000 -t public":                     5000,
		"uwsgi --http :5000 --module app:app":               5000,
		"gunicorn app:app -b 0.0.0.0:$PORT":                 0,
		"bundle exec rails server -p $PORT":                 0,
		"celery -A proj worker -l info -P eventlet":         0,
		"gunicorn app:app --bind unix:/tmp/gunicorn.sock":   0,
		"uvicorn main:app --host 0.0.0.0 --port 99999":      0,
		"gunicorn app:app -b 127.0.0.1":                     0,
	} {
		if got := portInCommand(cmd); got != want {
			t.Errorf("portInCommand(%q) = %d, want %d", cmd, got, want)
		}
	}
}

func TestExactVersionPins(t *testing.T) {
	for _, c := range []struct {
		sources []versionSource
		want    string
	}{
		{[]versionSource{{".ruby-version", "3.2.2", true}}, "3.2.2"},
		{[]versionSource{{"Gemfile ruby", "~> 3.2.2", true}}, "3.2"},
		{[]versionSource{{".ruby-version", "3.2", true}, {"Gemfile ruby", "3.2.2", true}}, "3.2.2"},
		{[]versionSource{{".ruby-version", "3.2", true}, {"Gemfile.lock", "3.2.2", false}}, "3.2"},
		{[]versionSource{{"Cargo.toml rust-version", "1.79.0", false}}, "1.79"},
		{[]versionSource{{"requires-python", "==3.11.9", true}}, "3.11.9"},
		{[]versionSource{{"requires-python", ">=3.11.9", true}}, "3.11"},
		{[]versionSource{{".python-version", "3.13.0rc1", true}}, "3.13"},
	} {
		if got, _ := pinnedVersionFrom(2, c.sources...); got != c.want {
			t.Errorf("pinnedVersionFrom(%v) = %q, want %q", c.sources, got, c.want)
		}
	}
}

func TestRustToolchainChannel(t *testing.T) {
	for in, want := range map[string]string{
		"[toolchain]\nchannel = \"1.79.0\"\n": "1.79.0",
		"1.79.0\n":                            "1.79.0",
		"# pinned\n1.80\n":                    "1.80",
		"stable\n":                            "",
		"nightly-2024-05-01\n":                "",
		"[toolchain]\nchannel = \"beta\"\n":   "",
	} {
		if got := rustToolchainChannel(in); got != want {
			t.Errorf("rustToolchainChannel(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzPortInCommand(f *testing.F) {
	for _, s := range []string{"gunicorn -b 0.0.0.0:5000 a:b", "puma -p ${PORT:-5000}", "runserver [::]:80", "-p", "-b ${", "--port=${PORT-}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cmd string) {
		if p := portInCommand(cmd); p < 0 || p > 65535 {
			t.Fatalf("port %d out of range", p)
		}
	})
}

func FuzzRustToolchain(f *testing.F) {
	for _, s := range []string{"[toolchain]\nchannel = \"1.79.0\"\n", "1.79.0", "\ufeff1.79", "channel = \"", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if c := rustToolchainChannel(s); c != "" && (c[0] < '0' || c[0] > '9') {
			t.Fatalf("channel %q is not a release", c)
		}
	})
}

func FuzzVersionPins(f *testing.F) {
	for _, s := range []string{"3.2.2", "v20.12.2", "==3.11.9", "~> 3.2", "ruby-3.3.0", ">=18 <21", ""} {
		f.Add(s, "3.2")
	}
	f.Fuzz(func(t *testing.T, pin, float string) {
		v, _ := pinnedVersionFrom(2, versionSource{"a", float, true}, versionSource{"b", pin, true})
		if e := exactVersion(pin); e != "" && v != e && !strings.HasPrefix(e, v) && normalizeVersion(float, 2) == "" {
			t.Fatalf("exact pin %q lost: got %q", pin, v)
		}
	})
}
