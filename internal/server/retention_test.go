package server

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// TestAuditRetention runs the server with a short retention and interval:
// entries older than the retention move to <data-dir>/audit-archive (0600),
// both the archive and the remaining log verify, and every entry is either
// archived or still in the log.
func TestAuditRetention(t *testing.T) {
	dir := t.TempDir()
	seedAudit(t, dir, -400*24*time.Hour, -400*24*time.Hour+time.Hour, -400*24*time.Hour+2*time.Hour, 0, 0)
	logs := &lockedBuffer{}
	s := startWith(t, Options{DataDir: dir, AuditRetention: time.Second, AuditRetentionInterval: 50 * time.Millisecond,
		Logger: slog.New(slog.NewJSONHandler(logs, nil))}, map[string]string{"CAPSULE_ADMIN_PASSWORD": testPassword})
	archiveDir := filepath.Join(dir, "audit-archive")
	// The first run archives the three old entries; a later tick the fourth
	// once it is a second old. The newest is never archived.
	deadline := time.Now().Add(30 * time.Second)
	for len(readArchives(t, archiveDir)) < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("entries not archived in 30s; archives %v\n%s", readArchives(t, archiveDir), logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.stop(t)
	if !strings.Contains(logs.String(), `"msg":"archived audit entries"`) {
		t.Errorf("no log line for the archive:\n%s", logs.String())
	}
	files, err := filepath.Glob(filepath.Join(archiveDir, "audit-*-*.jsonl"))
	if err != nil || len(files) == 0 {
		t.Fatalf("archive files: %v %v", files, err)
	}
	for _, f := range files {
		if fi, err := os.Stat(f); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, %v; want 0600", f, fi.Mode().Perm(), err)
		}
	}
	archived := readArchives(t, archiveDir)
	if v := audit.Verify(archived, audit.Genesis); v.Finding != nil {
		t.Fatalf("the archives do not verify from the start of the log: %v", v.Finding)
	}
	st, err := sqlstore.Open(context.Background(), sqlstore.DSN("", dir), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ids := identitystore.New(st)
	res, err := ids.VerifyAudit(context.Background())
	if err != nil || res.Finding != nil {
		t.Fatalf("the remaining log does not verify: %+v, %v", res, err)
	}
	anchor, err := ids.AuditAnchor(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	last := archived[len(archived)-1]
	if anchor.Seq != last.Seq || anchor.Hash != last.Hash {
		t.Errorf("log anchor %+v is not the last archived entry %d %s", anchor, last.Seq, last.Hash)
	}
	// Nothing lost: archived seqs are 1..anchor and the log holds the rest.
	if int64(len(archived)) != last.Seq || res.Head.Seq-last.Seq != int64(res.Checked) || res.Checked < 1 {
		t.Errorf("archived %d entries up to seq %d; log has %d entries up to %d", len(archived), last.Seq, res.Checked, res.Head.Seq)
	}
}

// seedAudit appends entries at the given offsets from now to the SQLite
// database in dir before the server starts.
func seedAudit(t *testing.T, dir string, offsets ...time.Duration) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, sqlstore.DSN("", dir), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ids := identitystore.New(st)
	for _, off := range offsets {
		e := &audit.Entry{Time: time.Now().Add(off), ActorType: audit.ActorSystem, Action: "tick", Outcome: audit.OutcomeSuccess}
		if err := ids.AppendAudit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
}

// readArchives decodes every archive file in dir, in sequence order.
func readArchives(t *testing.T, dir string) []audit.Entry {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "audit-*-*.jsonl"))
	var out []audit.Entry
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		for dec.More() {
			var e audit.Entry
			if err := dec.Decode(&e); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b audit.Entry) int { return int(a.Seq - b.Seq) })
	return out
}

// FuzzParseRetention: any input yields a non-negative duration or an error
// that quotes it; whole days are exact.
func FuzzParseRetention(f *testing.F) {
	for _, s := range []string{"", "0", "365d", "720h", "-1d", "1.5d", "d", "10", "9999999999999d", "1h30m", "-5m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseRetention(s)
		if err != nil {
			if !strings.Contains(err.Error(), fmt.Sprintf("%q", s)) {
				t.Fatalf("error for %q does not name it: %v", s, err)
			}
			return
		}
		if d < 0 {
			t.Fatalf("%q parsed to negative %s", s, d)
		}
		if n, ok := strings.CutSuffix(s, "d"); ok {
			days, _ := strconv.Atoi(n)
			if time.Duration(days)*24*time.Hour != d {
				t.Fatalf("%q parsed to %s", s, d)
			}
		}
	})
}
