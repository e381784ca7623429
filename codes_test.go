package capsule_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/usecapsule/capsule"
)

// TestCodeTable walks the table: every code is well-formed, unique, has a
// real Kind and a meaning, and the helpers' codes are in it.
func TestCodeTable(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range capsule.Codes() {
		if !codeShape.MatchString(c.Code) {
			t.Errorf("code %q is not UPPER_SNAKE_CASE", c.Code)
		}
		if seen[c.Code] {
			t.Errorf("code %q is in the table twice", c.Code)
		}
		seen[c.Code] = true
		if c.Kind < capsule.KindInternal || c.Kind > capsule.KindUnavailable {
			t.Errorf("code %q has no known Kind (%d)", c.Code, c.Kind)
		}
		if strings.TrimSpace(c.Meaning) == "" {
			t.Errorf("code %q has no meaning", c.Code)
		}
	}
	for _, e := range capsule.Entities {
		for _, err := range []*capsule.Error{capsule.NotFound(e, "x"), capsule.AlreadyExists(e, "name", "x")} {
			c, ok := capsule.LookupCode(err.Code)
			if !ok || c.Kind != err.Kind {
				t.Errorf("%s: code %q is not in the table with kind %d (got %+v)", e, err.Code, err.Kind, c)
			}
		}
	}
	var v capsule.Validation
	v.Add("f", "bad")
	for _, err := range []error{v.Err(), capsule.Internal(nil), capsule.NotImplemented("x"), capsule.VersionConflict("service", "x", 1, 2)} {
		if _, ok := capsule.LookupCode(capsule.ErrorCode(err)); !ok {
			t.Errorf("%v: code not in the table", err)
		}
	}
}

var codeShape = regexp.MustCompile(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$`)

// TestNoInlineErrorCodes scans every non-test Go file of the module: a
// string literal given as an error's Code (in an Error literal, to Errorf,
// to the HTTP layer's invalid) or naming an entity for NotFound,
// AlreadyExists or NotFoundCode must come from the table, and no literal
// anywhere but codes.go may spell a code of the table.
func TestNoInlineErrorCodes(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || path == "codes.go" {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if s, ok := stringLit(n); ok {
					if _, known := capsule.LookupCode(s); known {
						t.Errorf("%s: error code %q written inline; use its constant from codes.go", fset.Position(n.Pos()), s)
					}
				}
			case *ast.KeyValueExpr:
				if id, ok := n.Key.(*ast.Ident); ok && id.Name == "Code" {
					checkCodeArg(t, fset, n.Value)
				}
			case *ast.CallExpr:
				checkCall(t, fset, n)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func checkCall(t *testing.T, fset *token.FileSet, call *ast.CallExpr) {
	t.Helper()
	var name string
	switch fn := call.Fun.(type) {
	case *ast.SelectorExpr:
		if x, ok := fn.X.(*ast.Ident); !ok || x.Name != "capsule" {
			return
		}
		name = fn.Sel.Name
	case *ast.Ident:
		name = fn.Name
	}
	switch {
	case name == "Errorf" && len(call.Args) > 1:
		checkCodeArg(t, fset, call.Args[1])
	case name == "invalid" && len(call.Args) > 0:
		checkCodeArg(t, fset, call.Args[0])
	case (name == "NotFound" || name == "AlreadyExists" || name == "NotFoundCode") && len(call.Args) > 0:
		lit, ok := call.Args[0].(*ast.BasicLit)
		if s, isStr := stringLit(lit); ok && isStr {
			if _, known := capsule.LookupCode(capsule.NotFoundCode(s)); !known {
				t.Errorf("%s: entity %q is not in capsule.Entities", fset.Position(lit.Pos()), s)
			}
		}
	}
}

// checkCodeArg fails on a string literal used as an error code.
func checkCodeArg(t *testing.T, fset *token.FileSet, e ast.Expr) {
	t.Helper()
	if lit, ok := e.(*ast.BasicLit); ok {
		if s, ok := stringLit(lit); ok {
			t.Errorf("%s: error code %q written inline; declare it in codes.go", fset.Position(lit.Pos()), s)
		}
	}
}

func stringLit(lit *ast.BasicLit) (string, bool) {
	if lit == nil || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}
