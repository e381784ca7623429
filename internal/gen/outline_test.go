package gen

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// outline is what a .proto file declares, as far as the generated code must
// agree with it: its package, messages with their fields, and services with
// their methods. It is read by a small reader of the proto3 subset Capsule
// writes (no groups, no extensions; nested messages and enums are allowed),
// so the check runs without protoc.
type outline struct {
	pkg      string
	messages map[string][]field // full name (without package) -> fields
	enums    map[string][]string
	services map[string][]method
}

type field struct {
	name, typ string
	number    int
	repeated  bool
}

type method struct{ name, in, out string }

// readOutline reads src, naming the token where it cannot go on.
func readOutline(src string) (*outline, error) {
	o := &outline{messages: map[string][]field{}, enums: map[string][]string{}, services: map[string][]method{}}
	p := &protoReader{toks: tokenize(src)}
	for !p.done() {
		switch t := p.next(); t {
		case "syntax", "option", "import", "edition":
			p.skipPast(";")
		case "package":
			o.pkg = p.next()
			p.expect(";")
		case "message":
			p.message(o, "")
		case "enum":
			p.enum(o, "")
		case "service":
			p.service(o)
		case ";":
		default:
			p.fail("unexpected %q at the top level", t)
		}
		if p.err != nil {
			return nil, p.err
		}
	}
	return o, nil
}

type protoReader struct {
	toks []string
	i    int
	err  error
}

func (p *protoReader) done() bool { return p.err != nil || p.i >= len(p.toks) }

func (p *protoReader) next() string {
	if p.done() {
		p.fail("unexpected end of file")
		return ""
	}
	p.i++
	return p.toks[p.i-1]
}

func (p *protoReader) peek() string {
	if p.done() {
		return ""
	}
	return p.toks[p.i]
}

func (p *protoReader) fail(format string, args ...any) {
	if p.err == nil {
		p.err = fmt.Errorf("token %d: %s", p.i, fmt.Sprintf(format, args...))
	}
}

func (p *protoReader) expect(tok string) {
	if t := p.next(); t != tok && p.err == nil {
		p.fail("want %q, got %q", tok, t)
	}
}

func (p *protoReader) skipPast(tok string) {
	for !p.done() && p.next() != tok {
	}
}

// skipBlock skips a balanced { ... } whose "{" was read.
func (p *protoReader) skipBlock() {
	for depth := 1; depth > 0 && !p.done(); {
		switch p.next() {
		case "{":
			depth++
		case "}":
			depth--
		}
	}
}

func (p *protoReader) message(o *outline, parent string) {
	name := parent + p.next()
	p.expect("{")
	fields := []field{}
	for !p.done() {
		switch t := p.next(); t {
		case "}":
			o.messages[name] = fields
			return
		case "message":
			p.message(o, name+".")
		case "enum":
			p.enum(o, name+".")
		case "option", "reserved":
			p.skipPast(";")
		case ";":
		case "oneof":
			p.fail("oneof is not read")
		default:
			f := field{typ: t}
			if t == "repeated" || t == "optional" {
				f.repeated, f.typ = t == "repeated", p.next()
			}
			if f.typ == "map" {
				p.fail("map fields are not read")
				return
			}
			f.name = p.next()
			p.expect("=")
			n, err := strconv.Atoi(p.next())
			if err != nil || n <= 0 {
				p.fail("field %s has no valid number", f.name)
				return
			}
			f.number = n
			if p.peek() == "[" {
				p.skipPast("]")
			}
			p.expect(";")
			fields = append(fields, f)
		}
	}
	p.fail("message %s is not closed", name)
}

func (p *protoReader) enum(o *outline, parent string) {
	name := parent + p.next()
	p.expect("{")
	var values []string
	for !p.done() {
		switch t := p.next(); t {
		case "}":
			o.enums[name] = values
			return
		case "option", "reserved":
			p.skipPast(";")
		case ";":
		default:
			values = append(values, t)
			p.skipPast(";")
		}
	}
	p.fail("enum %s is not closed", name)
}

func (p *protoReader) service(o *outline) {
	name := p.next()
	p.expect("{")
	methods := []method{}
	for !p.done() {
		switch t := p.next(); t {
		case "}":
			o.services[name] = methods
			return
		case "option":
			p.skipPast(";")
		case ";":
		case "rpc":
			m := method{name: p.next()}
			m.in = p.rpcType()
			p.expect("returns")
			m.out = p.rpcType()
			if p.next() == "{" {
				p.skipBlock()
			}
			methods = append(methods, m)
		default:
			p.fail("unexpected %q in service %s", t, name)
		}
	}
	p.fail("service %s is not closed", name)
}

// rpcType reads "(" ["stream"] Type ")".
func (p *protoReader) rpcType() string {
	p.expect("(")
	t := p.next()
	if t == "stream" {
		t = "stream " + p.next()
	}
	p.expect(")")
	return t
}

// tokenize splits proto source into identifiers (dots included), numbers,
// string literals and punctuation, dropping comments.
func tokenize(src string) []string {
	var toks []string
	rs := []rune(src)
	for i := 0; i < len(rs); {
		c := rs[i]
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '/' && i+1 < len(rs) && rs[i+1] == '/':
			for i < len(rs) && rs[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(rs) && rs[i+1] == '*':
			end := strings.Index(string(rs[i+2:]), "*/")
			if end < 0 {
				return toks
			}
			i += 2 + len([]rune(string(rs[i+2:])[:end])) + 2
		case c == '"' || c == '\'':
			j := i + 1
			for j < len(rs) && rs[j] != c {
				if rs[j] == '\\' {
					j++
				}
				j++
			}
			toks = append(toks, string(rs[i:min(j+1, len(rs))]))
			i = j + 1
		case c == '_' || c == '.' || unicode.IsLetter(c) || unicode.IsDigit(c) || c == '-':
			j := i
			for j < len(rs) && (rs[j] == '_' || rs[j] == '.' || rs[j] == '-' || unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j])) {
				j++
			}
			toks = append(toks, string(rs[i:j]))
			i = j
		default:
			toks = append(toks, string(c))
			i++
		}
	}
	return toks
}
