package identitystore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/pgtest"
)

// TestAuditVerifyPageBoundary tampers with the stored log exactly where the
// verifier's pages meet (pages of 4: entries 4 and 5) and expects the same
// finding as a verification in one page: an inserted entry is named as
// inserted, not as its successor altered; a re-hashed edit names the edited
// entry; a deletion names the missing entry.
func TestAuditVerifyPageBoundary(t *testing.T) {
	const page = 4
	cases := []struct {
		name    string
		tamper  func(t *testing.T, f *fixture, es []audit.Entry)
		seq     int64
		problem string
	}{
		{"insert as the last entry of a page", func(t *testing.T, f *fixture, es []audit.Entry) { insertAt(t, f, es, 4) }, 4, audit.Inserted},
		{"insert as the first entry of a page", func(t *testing.T, f *fixture, es []audit.Entry) { insertAt(t, f, es, 5) }, 5, audit.Inserted},
		{"alter the last entry of a page", func(t *testing.T, f *fixture, es []audit.Entry) {
			sql(t, f, `UPDATE audit_log SET outcome = 'failure' WHERE seq = 4`)
		}, 4, audit.Altered},
		{"alter and re-hash the last entry of a page", func(t *testing.T, f *fixture, es []audit.Entry) { rehash(t, f, es[3]) }, 4, audit.Altered},
		{"alter and re-hash the first entry of a page", func(t *testing.T, f *fixture, es []audit.Entry) { rehash(t, f, es[4]) }, 5, audit.Altered},
		{"delete the last entry of a page", func(t *testing.T, f *fixture, es []audit.Entry) {
			sql(t, f, `DELETE FROM audit_log WHERE seq = 4`)
		}, 4, audit.Removed},
		{"delete the first entry of a page", func(t *testing.T, f *fixture, es []audit.Entry) {
			sql(t, f, `DELETE FROM audit_log WHERE seq = 5`)
		}, 5, audit.Removed},
	}
	for name, dsn := range map[string]func(testing.TB) string{
		"sqlite":   func(t testing.TB) string { return filepath.Join(t.TempDir(), "capsule.db") },
		"postgres": pgtest.Start,
	} {
		for _, c := range cases {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				f := open(t, dsn(t))
				es := appendEntries(t, f, 10)
				if r, err := f.ids.VerifyAuditPaged(context.Background(), page); err != nil || r.Finding != nil || r.Checked != 10 {
					t.Fatalf("intact log in pages of %d: %+v, %v", page, r, err)
				}
				c.tamper(t, f, es)
				for _, size := range []int{page, 1000} {
					r, err := f.ids.VerifyAuditPaged(context.Background(), size)
					if err != nil || r.Finding == nil || r.Finding.Seq != c.seq || r.Finding.Problem != c.problem {
						t.Errorf("pages of %d: %+v (finding %+v), %v; want %s at %d", size, r, r.Finding, err, c.problem, c.seq)
					}
				}
			})
		}
	}
}

func appendEntries(t *testing.T, f *fixture, n int) []audit.Entry {
	ctx := context.Background()
	var out []audit.Entry
	for i := range n {
		e := &audit.Entry{Time: t0.Add(time.Duration(i) * time.Second), ActorType: audit.ActorUser, ActorID: f.user,
			Action: "project.create", OrganizationID: f.orgID, Outcome: audit.OutcomeSuccess,
			After: map[string]string{"name": fmt.Sprintf("p%d", i)}}
		if err := f.ids.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
		out = append(out, *e)
	}
	return out
}

func sql(t *testing.T, f *fixture, q string, args ...any) {
	t.Helper()
	if _, err := f.st.Database().Exec(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// insertAt forges an entry at seq, correctly chained to its predecessor,
// and renumbers the entries from seq on to make room, as an attacker with
// write access to the table would.
func insertAt(t *testing.T, f *fixture, es []audit.Entry, seq int64) {
	forged := audit.Entry{Time: t0, ActorType: audit.ActorSystem, Action: "forged", Outcome: audit.OutcomeSuccess}
	prev := es[seq-2]
	audit.Seal(&forged, prev.Seq, prev.Hash)
	sql(t, f, `UPDATE audit_log SET seq = seq + 1000 WHERE seq >= ?`, seq)
	sql(t, f, `UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1000`)
	after, _ := json.Marshal(map[string]string{})
	sql(t, f, `INSERT INTO audit_log (seq, at, actor_type, actor_id, action, target_type, target_id, organization_id, request_id, ip,
		user_agent, outcome, before_summary, after_summary, prev_hash, hash) VALUES (?, ?, ?, '', ?, '', '', '', '', '', '', ?, ?, ?, ?, ?)`,
		forged.Seq, database.TimeOf(forged.Time), forged.ActorType, forged.Action, forged.Outcome, string(after), string(after),
		forged.PrevHash, forged.Hash)
}

// rehash edits e and stores a matching hash, so only the link from the
// next entry betrays the edit.
func rehash(t *testing.T, f *fixture, e audit.Entry) {
	e.ActorID = "usr_evil"
	e.Hash = audit.ComputeHash(&e)
	sql(t, f, `UPDATE audit_log SET actor_id = ?, hash = ? WHERE seq = ?`, e.ActorID, e.Hash, e.Seq)
}
