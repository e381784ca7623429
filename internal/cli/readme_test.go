package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readmeSkipped are the README's commands this test does not run, and why:
// each starts something the test itself already stands for.
var readmeSkipped = map[string]string{
	"make run":  "builds the binary and runs the control plane; the test starts the same server in process",
	"make test": "is the whole suite, this test included",
}

// TestReadmeCommandsRun runs every command of the README's sh blocks as
// written, from the repository root, so a fresh clone can follow it: the
// capsule commands run through Main (the binary's own entry point) against
// a real server started here, whose URL stands in for the README's
// http://127.0.0.1:8080 and whose owner password stands in for the
// printed one. A command the test does not know how to run fails it.
func TestReadmeCommandsRun(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	cmds := shCommands(string(readme))
	if len(cmds) < 3 {
		t.Fatalf("found %d commands in the README's sh blocks: %q", len(cmds), cmds)
	}
	server := startServer(t)
	loginTo(t, server)
	t.Chdir(root)
	for _, line := range cmds {
		if why, ok := readmeSkipped[line]; ok {
			t.Logf("not run: %s: %s", line, why)
			continue
		}
		words, err := shellWords(line)
		if err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		if words[0] != "./bin/capsule" {
			t.Errorf("README command %q: the test cannot run it; run it here or list it in readmeSkipped with the reason", line)
			continue
		}
		args := words[1:]
		for i, a := range args {
			if a == "http://127.0.0.1:8080" {
				args[i] = server
			}
		}
		if r := run(t, "", args...); r.code != 0 {
			t.Errorf("README command %q: exit %d: %s", line, r.code, r.err)
		}
	}
}

// shCommands returns the commands of the ```sh blocks of a Markdown text,
// comments removed.
func shCommands(md string) []string {
	var out []string
	in := false
	for _, l := range strings.Split(md, "\n") {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "```"):
			in = !in && (t == "```sh" || t == "```bash")
		case in:
			if i := strings.Index(t, " #"); i >= 0 {
				t = strings.TrimSpace(t[:i])
			}
			if t != "" && !strings.HasPrefix(t, "#") {
				out = append(out, t)
			}
		}
	}
	return out
}

// shellWords splits a command line as sh does for the quoting the README
// uses: blanks separate words, single and double quotes group them.
func shellWords(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case strings.ContainsRune("|&;<>$`\\", r):
			return nil, fmt.Errorf("shell syntax %q is not supported here", r)
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote", quote)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// TestDeploySampleShowsCostAndRisk: the README's sample promotion is worth
// previewing: production costs more than staging and brings new findings.
func TestDeploySampleShowsCostAndRisk(t *testing.T) {
	code, out, errOut := runCLI(t, "preview", "--from", "../../deploy/staging", "--to", "../../deploy/production", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var p struct {
		Cost struct {
			Delta float64 `json:"delta"`
		} `json:"estimated_cost"`
		Risks []struct {
			Status string `json:"status"`
		} `json:"risks"`
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	news := 0
	for _, r := range p.Risks {
		if r.Status == "new" {
			news++
		}
	}
	if p.Cost.Delta <= 0 || news == 0 {
		t.Fatalf("cost delta %v, %d new findings; want a rise and at least one new finding", p.Cost.Delta, news)
	}
}
