package cli

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/server"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// TestAuditVerify appends entries to a real SQLite store, verifies them,
// edits a row behind the store's back and expects the entry named.
func TestAuditVerify(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(dir, "capsule.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ids := identitystore.New(st)
	for i := range 4 {
		e := &audit.Entry{Time: time.Now(), ActorType: audit.ActorUser, ActorID: "u1", Action: "projects.create",
			Outcome: audit.OutcomeSuccess, After: map[string]string{"name": strings.Repeat("p", i+1)}}
		if err := ids.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	r := run(t, "", "audit", "verify", "--data-dir", dir)
	if r.code != 0 || !strings.Contains(r.out, "intact") || !strings.Contains(r.out, "4 entries") {
		t.Fatalf("intact log: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if _, err := st.DB().Exec(`UPDATE audit_log SET actor_id = 'someone-else' WHERE seq = 2`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	r = run(t, "", "audit", "verify", "--data-dir", dir, "-o", "json")
	var v verification
	if err := json.Unmarshal([]byte(r.out), &v); err != nil {
		t.Fatalf("json output: %v\n%s", err, r.out)
	}
	if r.code != ExitError || v.OK || v.Finding == nil || v.Finding.Seq != 2 || v.Finding.Problem != audit.Altered {
		t.Fatalf("tampered log: exit %d, %+v\n%s", r.code, v, r.err)
	}
	if !strings.Contains(r.err, "entry 2 altered") {
		t.Errorf("stderr does not name the entry: %q", r.err)
	}
	if r := run(t, "", "audit", "verify", "--data-dir", filepath.Join(dir, "missing")); r.code != ExitError || !strings.Contains(r.err, "no database") {
		t.Errorf("missing database: exit %d, %q", r.code, r.err)
	}
}

func TestAuditArchiveCommand(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(dir, "capsule.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ids := identitystore.New(st)
	old := time.Now().AddDate(0, 0, -400)
	for i := range 3 {
		e := &audit.Entry{Time: old.Add(time.Duration(i) * time.Hour), ActorType: audit.ActorSystem, Action: "tick", Outcome: audit.OutcomeSuccess}
		if err := ids.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := ids.AppendAudit(ctx, &audit.Entry{Time: time.Now(), ActorType: audit.ActorSystem, Action: "tick", Outcome: audit.OutcomeSuccess}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	out := filepath.Join(dir, "audit-archive.jsonl")
	if r := run(t, "", "audit", "archive", "--data-dir", dir, "--older-than", "365d", "--out", out); r.code != 0 || !strings.Contains(r.out, "archived 3 entries") {
		t.Fatalf("archive: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if r := run(t, "", "audit", "verify", "--data-dir", dir); r.code != 0 || !strings.Contains(r.out, "1 entries") {
		t.Fatalf("verify after archive: exit %d\n%s%s", r.code, r.out, r.err)
	}
	if r := run(t, "", "audit", "archive", "--data-dir", dir, "--older-than", "365d", "--out", out); r.code == 0 {
		t.Fatal("an existing archive file was overwritten")
	}
	if r := run(t, "", "audit", "archive", "--data-dir", dir, "--older-than", "soon", "--out", out+"2"); r.code != ExitUsage {
		t.Fatalf("bad --older-than: exit %d", r.code)
	}
}

// TestAuditLogsCommand signs in to a real server, makes a change and finds
// it in the audit log through the CLI.
func TestAuditLogsCommand(t *testing.T) {
	url := startServer(t)
	t.Setenv("CAPSULE_CONFIG", filepath.Join(t.TempDir(), "config.yaml"))
	t.Setenv("CAPSULE_API_KEY", "")
	if r := run(t, testPassword+"\n", "login", "--server", url, "--email", "admin@localhost", "--password-stdin"); r.code != 0 {
		t.Fatalf("login: %d %s", r.code, r.err)
	}
	mustRun(t, "projects", "create", "Audited Shop")
	out := mustRun(t, "audit", "logs", "--action", "projects.*", "--since", "1h")
	if !strings.Contains(out, "projects.create") || !strings.Contains(out, "success") {
		t.Fatalf("audit logs table:\n%s", out)
	}
	var page auditPage
	if err := json.Unmarshal([]byte(mustRun(t, "audit", "logs", "--outcome", "success", "-o", "json")), &page); err != nil || len(page.Items) == 0 {
		t.Fatalf("audit logs -o json: %v %+v", err, page)
	}
	if r := run(t, "", "audit", "logs", "--since", "whenever"); r.code != ExitUsage {
		t.Fatalf("bad --since: exit %d", r.code)
	}
	if r := run(t, "", "audit", "verify", "--remote"); r.code != 0 || !strings.Contains(r.out, "intact") {
		t.Fatalf("verify --remote: exit %d %s %s", r.code, r.out, r.err)
	}
}

// TestAuditVerifyLocalChecksCheckpoints: with the server's key in the data
// directory, the local verification checks the signed checkpoints and
// names entries deleted from the end of the log.
func TestAuditVerifyLocalChecksCheckpoints(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	if err := os.WriteFile(filepath.Join(dir, "jwt.key"), []byte(base64.StdEncoding.EncodeToString([]byte(strings.Repeat("k", 32)))), 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := sqlstore.Open(ctx, filepath.Join(dir, "capsule.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ids := identitystore.New(st)
	sig, err := server.CheckpointSigner(dir, "")
	if err != nil || sig == nil {
		t.Fatalf("signer: %v %v", sig, err)
	}
	ids.SetCheckpointSigner(sig)
	for range 4 {
		if err := ids.AppendAudit(ctx, &audit.Entry{Time: time.Now(), ActorType: audit.ActorSystem, Action: "tick", Outcome: audit.OutcomeSuccess}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ids.WriteCheckpoint(ctx, audit.Checkpoint{Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().Exec(`DELETE FROM audit_log WHERE seq > 2`); err != nil {
		t.Fatal(err)
	}
	st.Close()
	r := run(t, "", "audit", "verify", "--data-dir", dir)
	if r.code != ExitError || !strings.Contains(r.out, "truncated") || !strings.Contains(r.out, "entries after seq 2") {
		t.Fatalf("truncated log: exit %d\n%s%s", r.code, r.out, r.err)
	}
}
