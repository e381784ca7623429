package identitystore_test

import (
	"context"
	"github.com/usecapsule/capsule/internal/identity"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/rbac"
)

// TestWritesJoinGroupCommit holds SQLite's group commit open with a
// transaction of the store and checks that identity writes queue for the
// next group commit (and so share its fsync) instead of waiting for the
// write connection on their own, and that identity reads do not wait for
// the writer at all.
func TestWritesJoinGroupCommit(t *testing.T) {
	f := open(t, filepath.Join(t.TempDir(), "capsule.db"))
	ctx := context.Background()
	held, release := make(chan struct{}), make(chan struct{})
	storeDone := make(chan error, 1)
	go func() {
		storeDone <- f.st.Database().InTx(ctx, func(tx *database.Tx) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()

	// Reads answer while the write transaction is open.
	readCtx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if _, err := f.ids.ListRoleBindings(readCtx, f.orgID, ""); err != nil {
		t.Fatalf("a read waited for the open write transaction: %v", err)
	}
	if _, err := f.ids.VerifyAudit(readCtx); err != nil {
		t.Fatalf("verification waited for the open write transaction: %v", err)
	}

	writes := map[string]func() error{
		"audit append": func() error {
			return f.ids.AppendAudit(ctx, &audit.Entry{ActorType: audit.ActorSystem, Action: "tick", Outcome: audit.OutcomeSuccess})
		},
		"custom role": func() error {
			return f.ids.CreateCustomRole(ctx, f.orgID, rbac.Role{Name: "auditor", Permissions: []rbac.Permission{"audit:view"}}, t0)
		},
		"login failure": func() error {
			_, err := f.ids.RecordLoginFailure(ctx, "ip:192.0.2.1", t0, identity.AddressThrottle)
			return err
		},
	}
	done := make(chan error, len(writes))
	for _, w := range writes {
		go func() { done <- w() }()
	}
	// Each write must be waiting in the group commit's queue; before, they
	// waited for the writer pool's connection, outside it.
	deadline := time.Now().Add(20 * time.Second)
	for queuedInGroupCommit() < len(writes) {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d identity writes are queued in the group commit", queuedInGroupCommit(), len(writes))
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(release)
	if err := <-storeDone; err != nil {
		t.Fatal(err)
	}
	for range writes {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	if r, err := f.ids.VerifyAudit(ctx); err != nil || r.Finding != nil || r.Checked != 1 {
		t.Fatalf("VerifyAudit = %+v, %v", r, err)
	}
}

// queuedInGroupCommit counts the goroutines waiting in the database
// layer's group commit.
func queuedInGroupCommit() int {
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	return strings.Count(string(buf[:n]), "database.(*committer).do(")
}
