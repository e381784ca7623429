// Package gen holds the Go code generated from proto/ by hack/gen-proto.sh
// (committed, so building Capsule needs no protoc). Its test keeps the code
// in step with the .proto files.
package gen

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	_ "github.com/usecapsule/capsule/internal/gen/capsule/promotions/v1" // registers its descriptor
)

// protoFiles are the .proto files under proto/, relative to it.
func protoFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir("../../proto", func(path string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(path, ".proto") {
			rel, _ := filepath.Rel("../../proto", path)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil || len(out) == 0 {
		t.Fatalf("no .proto files under proto/: %v", err)
	}
	return out
}

// TestGeneratedMatchesProto: every .proto file's package, messages (each
// field's name, number, type and repetition), enums and services (each
// method's request and response) are what the generated code registered.
// It needs no protoc, so it always runs; a .proto edited without running
// hack/gen-proto.sh fails here.
func TestGeneratedMatchesProto(t *testing.T) {
	for _, name := range protoFiles(t) {
		src, err := os.ReadFile(filepath.Join("../../proto", name))
		if err != nil {
			t.Fatal(err)
		}
		o, err := readOutline(string(src))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		d, err := protoregistry.GlobalFiles.FindFileByPath(name)
		if err != nil {
			t.Fatalf("%s is not generated (run hack/gen-proto.sh): %v", name, err)
		}
		for _, p := range compareOutline(o, d) {
			t.Errorf("%s: %s (run hack/gen-proto.sh)", name, p)
		}
	}
}

// compareOutline names every difference between the outline and the file
// descriptor.
func compareOutline(o *outline, d protoreflect.FileDescriptor) []string {
	var probs []string
	add := func(format string, a ...any) { probs = append(probs, sprintf(format, a...)) }
	if string(d.Package()) != o.pkg {
		add("package %q, generated %q", o.pkg, d.Package())
	}
	msgs := map[string]protoreflect.MessageDescriptor{}
	var walk func(protoreflect.MessageDescriptors, string)
	enums := map[string]protoreflect.EnumDescriptor{}
	walkEnums := func(es protoreflect.EnumDescriptors, prefix string) {
		for i := range es.Len() {
			enums[prefix+string(es.Get(i).Name())] = es.Get(i)
		}
	}
	walk = func(ms protoreflect.MessageDescriptors, prefix string) {
		for i := range ms.Len() {
			m := ms.Get(i)
			n := prefix + string(m.Name())
			msgs[n] = m
			walk(m.Messages(), n+".")
			walkEnums(m.Enums(), n+".")
		}
	}
	walk(d.Messages(), "")
	walkEnums(d.Enums(), "")
	if len(msgs) != len(o.messages) {
		add("%d messages, generated %d", len(o.messages), len(msgs))
	}
	for name, fields := range o.messages {
		m, ok := msgs[name]
		if !ok {
			add("message %s is not generated", name)
			continue
		}
		if m.Fields().Len() != len(fields) {
			add("message %s has %d fields, generated %d", name, len(fields), m.Fields().Len())
		}
		for _, f := range fields {
			g := m.Fields().ByName(protoreflect.Name(f.name))
			switch {
			case g == nil:
				add("field %s.%s is not generated", name, f.name)
			case int(g.Number()) != f.number:
				add("field %s.%s is number %d, generated %d", name, f.name, f.number, g.Number())
			case (g.Cardinality() == protoreflect.Repeated) != f.repeated:
				add("field %s.%s repeated=%v, generated otherwise", name, f.name, f.repeated)
			case !sameType(f.typ, g):
				add("field %s.%s is %s, generated %s", name, f.name, f.typ, typeName(g))
			}
		}
	}
	if len(enums) != len(o.enums) {
		add("%d enums, generated %d", len(o.enums), len(enums))
	}
	for name, values := range o.enums {
		if e, ok := enums[name]; !ok || e.Values().Len() != len(values) {
			add("enum %s is not generated with its %d values", name, len(values))
		}
	}
	if d.Services().Len() != len(o.services) {
		add("%d services, generated %d", len(o.services), d.Services().Len())
	}
	for name, methods := range o.services {
		s := d.Services().ByName(protoreflect.Name(name))
		if s == nil {
			add("service %s is not generated", name)
			continue
		}
		if s.Methods().Len() != len(methods) {
			add("service %s has %d methods, generated %d", name, len(methods), s.Methods().Len())
		}
		for _, m := range methods {
			g := s.Methods().ByName(protoreflect.Name(m.name))
			if g == nil {
				add("method %s.%s is not generated", name, m.name)
				continue
			}
			in, out := string(g.Input().FullName()), string(g.Output().FullName())
			if g.IsStreamingClient() {
				in = "stream " + in
			}
			if g.IsStreamingServer() {
				out = "stream " + out
			}
			if !sameName(m.in, in, o.pkg) || !sameName(m.out, out, o.pkg) {
				add("method %s.%s is (%s) returns (%s), generated (%s) returns (%s)", name, m.name, m.in, m.out, in, out)
			}
		}
	}
	return probs
}

// sameName compares a type as written (relative to the package, or fully
// qualified) with a full name.
func sameName(written, full, pkg string) bool {
	stream := strings.HasPrefix(written, "stream ")
	if stream != strings.HasPrefix(full, "stream ") {
		return false
	}
	written, full = strings.TrimPrefix(written, "stream "), strings.TrimPrefix(full, "stream ")
	written = strings.TrimPrefix(written, ".")
	return written == full || pkg+"."+written == full
}

func sameType(written string, g protoreflect.FieldDescriptor) bool {
	return typeName(g) == written || (g.Message() != nil && sameName(written, typeName(g), string(g.ParentFile().Package()))) ||
		(g.Enum() != nil && sameName(written, typeName(g), string(g.ParentFile().Package())))
}

func typeName(g protoreflect.FieldDescriptor) string {
	switch {
	case g.Message() != nil:
		return string(g.Message().FullName())
	case g.Enum() != nil:
		return string(g.Enum().FullName())
	}
	return g.Kind().String()
}

// TestGeneratedUpToDate regenerates the code with hack/gen-proto.sh and
// compares it byte for byte. It needs protoc, which hack/deps.sh installs
// (Debian's protobuf-compiler); building Capsule does not.
func TestGeneratedUpToDate(t *testing.T) {
	if _, err := exec.LookPath("protoc"); err != nil {
		t.Fatal("protoc is not on PATH: run make deps (Debian's protobuf-compiler)")
	}
	out := t.TempDir()
	cmd := exec.Command("bash", "../../hack/gen-proto.sh")
	cmd.Env = append(os.Environ(), "OUT="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("hack/gen-proto.sh: %v\n%s", err, b)
	}
	n := 0
	err := filepath.WalkDir(out, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		rel, _ := filepath.Rel(out, path)
		want, _ := os.ReadFile(path)
		got, err := os.ReadFile(rel)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("internal/gen/%s differs from a fresh generation (run hack/gen-proto.sh)", filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("nothing generated: %v", err)
	}
}
