package gen

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

// FuzzReadOutline: the reader returns an outline or an error for any input,
// never panics or loops, and reads back what it reads.
func FuzzReadOutline(f *testing.F) {
	if b, err := os.ReadFile("../../proto/capsule/promotions/v1/promotions.proto"); err == nil {
		f.Add(string(b))
	}
	for _, s := range []string{"", "message", "message A { int32 a = ", "service S { rpc M(stream A) returns (B) {} }",
		"enum E { A = 0; }", "/* open", `option x = "a\"`, "message A { map<string,int32> m = 1; }", "message A { oneof x {} }",
		"package p; message A { message B { repeated .p.A a = 1 [json_name = \"x\"]; } }"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		o, err := readOutline(src)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "token ") {
				t.Fatalf("error does not name the token: %v", err)
			}
			return
		}
		for name, fields := range o.messages {
			for _, fl := range fields {
				if fl.number <= 0 || fl.name == "" {
					t.Fatalf("message %s read a field without a name or number: %+v", name, fl)
				}
			}
		}
	})
}

// TestReadOutline: the promotion service's file reads as declared, and
// broken files name what is wrong.
func TestReadOutline(t *testing.T) {
	b, err := os.ReadFile("../../proto/capsule/promotions/v1/promotions.proto")
	if err != nil {
		t.Fatal(err)
	}
	o, err := readOutline(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if o.pkg != "capsule.promotions.v1" || len(o.services["PromotionService"]) != 9 || len(o.messages["Promotion"]) != 28 {
		t.Fatalf("outline: package %q, %d methods, %d Promotion fields", o.pkg, len(o.services["PromotionService"]), len(o.messages["Promotion"]))
	}
	if m := o.services["PromotionService"][2]; m != (method{name: "Get", in: "GetRequest", out: "Promotion"}) {
		t.Fatalf("third method: %+v", m)
	}
	for src, want := range map[string]string{
		"message A { string a = x; }":             "no valid number",
		"message A { string a = 1; ":              "not closed",
		"service S { get }":                       `unexpected "get"`,
		"frobnicate;":                             "top level",
		"message A { map<string,string> m = 1; }": "map fields",
	} {
		if _, err := readOutline(src); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", src, err, want)
		}
	}
}
