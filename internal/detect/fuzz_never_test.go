package detect

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

// fuzzNeverFails runs detection on a repository whose manifest called name
// holds the fuzz input, beside an entry point for its language and, when
// the fuzzer says so, a Dockerfile. Whatever the manifest holds, detection
// returns: services, or the "nothing deployable" answer, never another
// error; a repository with a Dockerfile always yields a service; and every
// warning names a file. The seeds are real-world syntax every parser must
// survive: comments, conditionals, heredocs, inheritance, byte-order marks,
// CRLF line ends, merge-conflict markers.
func fuzzNeverFails(f *testing.F, name string, entry map[string]string, seeds ...string) {
	f.Helper()
	addSeeds(f, name)
	for _, s := range seeds {
		f.Add([]byte(s))
		f.Add([]byte("\ufeff" + s))
		f.Add([]byte(strings.ReplaceAll(s, "\n", "\r\n")))
	}
	f.Add([]byte("<<<<<<< HEAD\n=======\n>>>>>>> main\n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, docker := range []bool{false, true} {
			fsys := fstest.MapFS{name: &fstest.MapFile{Data: b}}
			for p, body := range entry {
				fsys[p] = &fstest.MapFile{Data: []byte(body)}
			}
			if docker {
				fsys["Dockerfile"] = &fstest.MapFile{Data: []byte("FROM scratch\nEXPOSE 8080\nCMD [\"/app\"]\n")}
			}
			res, err := DetectFS(fsys, "fuzz", "fuzz", Options{})
			var none *NotDetectedError
			switch {
			case errors.As(err, &none) && !docker:
				continue
			case err != nil:
				t.Fatalf("%s (Dockerfile %t): detection failed on a readable tree: %v", name, docker, err)
			case len(res.Services) == 0:
				t.Fatalf("%s: no error and no service", name)
			}
			for _, sv := range res.Services {
				for _, sig := range sv.Signals {
					if w, ok := strings.CutPrefix(sig, "warning: "); ok && !strings.Contains(w, ":") {
						t.Fatalf("%s: warning names no file: %q", name, sig)
					}
				}
			}
		}
	})
}

func FuzzNeverPackageJSON(f *testing.F) {
	fuzzNeverFails(f, "package.json", map[string]string{"index.js": "require('http').createServer().listen(3000)\n", "pnpm-lock.yaml": "lockfileVersion: '9.0'\n"},
		"{\n  \"name\": \"a\",\n  \"scripts\": {\"start\": \"node index.js\",},\n}\n",
		"{\n  // comment\n  \"name\": \"a\"\n}\n",
		"{\n<<<<<<< HEAD\n  \"version\": \"1.0.0\"\n=======\n  \"version\": \"1.1.0\"\n>>>>>>> main\n}\n",
		`{"workspaces": ["packages/*"], "private": "true", "engines": {"node": ">=18 <21"}}`,
		`{"scripts": {"start": "if [ \"$NODE_ENV\" = production ]; then node dist; else nodemon; fi"}}`)
}

func FuzzNeverCargoToml(f *testing.F) {
	fuzzNeverFails(f, "Cargo.toml", map[string]string{"src/main.rs": "fn main() {}\n"},
		"[package]\nname = \"a\"\nname = \"b\"\n",
		"[package]\nname = \"a\"\nversion.workspace = true\nedition.workspace = true\n",
		"# comment\n[package]\nname = \"a\"\n\n[target.'cfg(unix)'.dependencies]\nnix = \"0.29\"\n",
		"[workspace]\nmembers = [\"crates/*\"]\n[workspace.package]\nversion = \"0.1.0\"\n",
		"[package]\nname = \"a\"\n[[bin]]\nname = \"srv\"\npath = \"src/main.rs\"\n[dependencies]\naxum = { version = \"0.7\", features = [\"macros\"] }\n",
		"[package\nname = \"a\"\n")
}

func FuzzNeverPyProject(f *testing.F) {
	fuzzNeverFails(f, "pyproject.toml", map[string]string{"app.py": "from flask import Flask\napp = Flask(__name__)\n"},
		"[project]\nname = \"a\"\ndependencies = [\"flask>=3\", \"tomli; python_version < '3.11'\"]\n",
		"[project]\nname = \"a\"\n[project]\nname = \"b\"\n",
		"[tool.poetry]\nname = \"a\"\n[tool.poetry.dependencies]\npython = \"^3.12\"\ndjango = {version = \"^5\", optional = true}\n",
		"[project]\ndynamic = [\"version\"]\nrequires-python = \">=3.9\"\n[tool.uv]\ndev-dependencies = []\n",
		"description = \"\"\"\nmulti\nline\n\"\"\"\n")
}

func FuzzNeverGemfile(f *testing.F) {
	fuzzNeverFails(f, "Gemfile", map[string]string{"config.ru": "run ->(env) { [200, {}, ['ok']] }\n"},
		"source \"https://rubygems.org\"\nruby \"3.3.0\"\ngem \"rails\", \"~> 7.1\"\n",
		"if ENV[\"DB\"] == \"pg\"\n  gem \"pg\"\nelse\n  gem \"sqlite3\"\nend\n",
		"eval_gemfile <<~RUBY\n  gem \"puma\"\nRUBY\n",
		"group :development, :test do\n  gem \"rspec\" # comment\nend\n",
		"gemspec\ngem \"sinatra\", require: false\n")
}

func FuzzNeverPom(f *testing.F) {
	fuzzNeverFails(f, "pom.xml", map[string]string{"src/main/java/App.java": "public class App { public static void main(String[] a) {} }\n"},
		"<?xml version=\"1.0\"?>\n<project><parent><groupId>org.springframework.boot</groupId><artifactId>spring-boot-starter-parent</artifactId></parent><artifactId>a</artifactId></project>\n",
		"<project><!-- comment --><profiles><profile><activation><jdk>[17,)</jdk></activation></profile></profiles></project>\n",
		"<project><artifactId>a</artifactId><dependencies><dependency><artifactId>x</artifactId></dependency></project>\n",
		"<project><properties><java.version>21</java.version></properties><modules><module>api</module></modules></project>\n",
		"<!DOCTYPE project [<!ENTITY x \"y\">]><project><name>&x;</name></project>\n")
}

func FuzzNeverGradle(f *testing.F) {
	fuzzNeverFails(f, "build.gradle", map[string]string{"src/main/java/App.java": "public class App { public static void main(String[] a) {} }\n"},
		"plugins {\n  id 'org.springframework.boot' version '3.3.0'\n  id 'application'\n}\n",
		"if (project.hasProperty('prod')) {\n  apply from: 'prod.gradle'\n}\n",
		"/* block\ncomment */\napplication { mainClass = 'App' }\n",
		"def s = \"\"\"\nheredoc ${x}\n\"\"\"\njava { toolchain { languageVersion = JavaLanguageVersion.of(21) } }\n")
}

func FuzzNeverGoMod(f *testing.F) {
	fuzzNeverFails(f, "go.mod", map[string]string{"main.go": "package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n"},
		"module example.com/a\n\ngo 1.22\n\ntoolchain go1.22.4\n",
		"// comment\nmodule example.com/a/v2 // trailing\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.10.0\n)\nreplace example.com/b => ../b\n",
		"module example.com/a\n<<<<<<< HEAD\ngo 1.21\n=======\ngo 1.22\n>>>>>>> main\n",
		"module\n", "go 1.22rc1\n")
}

func FuzzNeverComposerJSON(f *testing.F) {
	fuzzNeverFails(f, "composer.json", map[string]string{"public/index.php": "<?php echo 'ok';\n", "artisan": "#!/usr/bin/env php\n"},
		"{\n  \"require\": {\"php\": \"^8.2\", \"laravel/framework\": \"^11.0\",},\n}\n",
		"{\"require\": {\"symfony/framework-bundle\": \"7.*\"}, \"config\": {\"platform\": {\"php\": \"8.3.0\"}}}\n",
		"{\"scripts\": {\"post-install-cmd\": [\"@php artisan key:generate\"]}, \"require\": []}\n")
}

func FuzzNeverMixExs(f *testing.F) {
	fuzzNeverFails(f, "mix.exs", map[string]string{"lib/app.ex": "defmodule App do\nend\n"},
		"defmodule App.MixProject do\n  use Mix.Project\n  def project do\n    [app: :app, elixir: \"~> 1.16\", deps: deps()]\n  end\n  defp deps do\n    [{:phoenix, \"~> 1.7\"}]\n  end\nend\n",
		"if Mix.env() == :prod do\n  @doc \"\"\"\n  heredoc\n  \"\"\"\nend\n",
		"# comment\ndefmodule A do\n  def application, do: [mod: {A.Application, []}]\nend\n")
}

func FuzzNeverCsproj(f *testing.F) {
	fuzzNeverFails(f, "Api.csproj", map[string]string{"Program.cs": "var app = WebApplication.CreateBuilder(args).Build();\napp.Run();\n"},
		"<Project Sdk=\"Microsoft.NET.Sdk.Web\">\n  <PropertyGroup>\n    <TargetFramework>net8.0</TargetFramework>\n  </PropertyGroup>\n</Project>\n",
		"<Project Sdk=\"Microsoft.NET.Sdk\">\n  <Import Project=\"..\\Directory.Build.props\" />\n  <PropertyGroup Condition=\"'$(Configuration)' == 'Release'\">\n    <OutputType>Exe</OutputType>\n  </PropertyGroup>\n</Project>\n",
		"<Project>\n  <!-- comment -->\n  <PropertyGroup>\n    <TargetFrameworks>net8.0;net9.0</TargetFrameworks>\n  </PropertyGroup>\n",
		"<Project Sdk=\"Microsoft.NET.Sdk.Worker\"><PropertyGroup><OutputType>Exe</PropertyGroup></Project>\n")
}

func FuzzNeverProcfile(f *testing.F) {
	fuzzNeverFails(f, "Procfile", map[string]string{"index.js": "require('http').createServer().listen(3000)\n", "package.json": "{\"name\": \"a\"}\n"},
		"web: node index.js\nworker: node worker.js\n",
		"# comment\nweb: node index.js\nweb: node other.js\n",
		"web: bundle exec puma -p ${PORT:-3000}\nrelease: bin/rails db:migrate\n",
		"web:\n", "not a process line\n")
}

func FuzzNeverDenoJSON(f *testing.F) {
	fuzzNeverFails(f, "deno.json", map[string]string{"main.ts": "Deno.serve({ port: 8000 }, () => new Response(\"ok\"));\n"},
		"{\n  // comment\n  \"tasks\": {\"start\": \"deno run -A --watch main.ts\"},\n}\n",
		"{\"imports\": {\"$fresh/\": \"https://deno.land/x/fresh@1.6.8/\"}, \"tasks\": {\"build\": \"deno run -A dev.ts build\"}}\n",
		"{\"compilerOptions\": {\"jsx\": \"react-jsx\"}, \"lock\": false}\n")
}
