package database

import (
	"strings"
	"testing"
)

func TestDialectOf(t *testing.T) {
	for dsn, want := range map[string]Dialect{
		"postgres://u@h/db":        Postgres,
		"POSTGRESQL://u@h/db":      Postgres,
		"./capsule-data/x.db":      SQLite,
		"/var/lib/capsule/c.db":    SQLite,
		"postgres-data/capsule.db": SQLite,
	} {
		if got := DialectOf(dsn); got != want {
			t.Errorf("DialectOf(%q) = %s, want %s", dsn, got, want)
		}
	}
}

func TestRebind(t *testing.T) {
	q := "SELECT a FROM t WHERE b = ? AND c IN (?, ?) LIMIT ?"
	if got := SQLite.Rebind(q); got != q {
		t.Errorf("SQLite rebind changed the query: %s", got)
	}
	want := "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3) LIMIT $4"
	if got := Postgres.Rebind(q); got != want {
		t.Errorf("Postgres rebind = %s, want %s", got, want)
	}
	if got := Placeholders(3); got != "?,?,?" {
		t.Errorf("Placeholders(3) = %q", got)
	}
	if got := Placeholders(0); got != "" {
		t.Errorf("Placeholders(0) = %q", got)
	}
}

// FuzzRebind checks that rebinding numbers every `?` in order and changes
// nothing else.
func FuzzRebind(f *testing.F) {
	for _, seed := range []string{"", "?", "??", "a = ? AND b = ?", "$1 ?", "no placeholders", "?,?,?,?,?,?,?,?,?,?,?"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, q string) {
		got := Postgres.Rebind(q)
		if strings.Count(got, "?") != 0 {
			t.Fatalf("Rebind(%q) left a placeholder: %q", q, got)
		}
		parts := strings.Split(q, "?")
		var b strings.Builder
		for i, p := range parts {
			if i > 0 {
				b.WriteString("$")
				b.WriteString(itoa(i))
			}
			b.WriteString(p)
		}
		if got != b.String() {
			t.Fatalf("Rebind(%q) = %q, want %q", q, got, b.String())
		}
	})
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
