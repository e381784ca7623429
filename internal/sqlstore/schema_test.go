package sqlstore_test

import (
	"context"
	"reflect"
	"sort"
	"testing"

	"github.com/usecapsule/capsule/internal/sqlstore"
)

// TestSchemasAgree migrates both dialects and compares their tables and
// columns: the two migration directories must describe one schema.
func TestSchemasAgree(t *testing.T) {
	ctx := context.Background()
	schemas := map[string]map[string][]string{}
	for _, d := range dialects {
		s := openStore(t, d.open(t))
		schemas[d.name] = columnsOf(t, ctx, s, d.name)
	}
	sqlite, postgres := schemas["sqlite"], schemas["postgres"]
	if len(sqlite) == 0 {
		t.Fatal("no tables found")
	}
	for table, cols := range sqlite {
		if !reflect.DeepEqual(cols, postgres[table]) {
			t.Errorf("table %s: SQLite columns %v, PostgreSQL columns %v", table, cols, postgres[table])
		}
	}
	for table := range postgres {
		if _, ok := sqlite[table]; !ok {
			t.Errorf("table %s exists in PostgreSQL only", table)
		}
	}
}

func columnsOf(t *testing.T, ctx context.Context, s *sqlstore.Store, dialect string) map[string][]string {
	t.Helper()
	query := `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`
	if dialect == "postgres" {
		query = `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public'`
	}
	rows, err := s.DB().QueryContext(ctx, query)
	must(t, err)
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var table, col string
		must(t, rows.Scan(&table, &col))
		out[table] = append(out[table], col)
	}
	must(t, rows.Err())
	for _, cols := range out {
		sort.Strings(cols)
	}
	return out
}
