package sqlstore_test

import (
	"context"
	"testing"
	"time"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

func TestHookDeliveryStore(t *testing.T) {
	forEachDialect(t, []storeCase{
		{"log, de-duplicate, release", testHookDeliveries},
		{"environment branch and preview", testEnvironmentGitFields},
	})
}

// testHookDeliveries: a dedup key is taken once; rejected deliveries
// (no key) never block a genuine one; a released key lets a redelivery
// in; a project's log lists newest first, page by page.
func testHookDeliveries(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	rejected := &capsule.HookDelivery{Provider: "github", DeliveryID: "d1", Event: "push", ProjectID: f.project.ID, Outcome: capsule.HookRejected, Reason: "bad signature"}
	dup, err := s.RecordHookDelivery(ctx, rejected, "")
	must(t, err)
	if dup || rejected.ID == "" {
		t.Fatalf("rejected delivery: dup %v, %+v", dup, rejected)
	}
	key := "github:d1:" + f.project.ID
	first := &capsule.HookDelivery{Provider: "github", DeliveryID: "d1", Event: "push", ProjectID: f.project.ID, Outcome: capsule.HookReceived}
	if dup, err := s.RecordHookDelivery(ctx, first, key); err != nil || dup {
		t.Fatalf("first verified delivery: dup %v, %v", dup, err)
	}
	again := &capsule.HookDelivery{Provider: "github", DeliveryID: "d1", Event: "push", ProjectID: f.project.ID, Outcome: capsule.HookReceived}
	if dup, err := s.RecordHookDelivery(ctx, again, key); err != nil || !dup {
		t.Fatalf("replay: dup %v, %v", dup, err)
	}
	must(t, s.FinishHookDelivery(ctx, first.ID, capsule.HookIgnored, "failed: cluster down", true))
	if dup, err := s.RecordHookDelivery(ctx, again, key); err != nil || dup {
		t.Fatalf("redelivery after a release: dup %v, %v", dup, err)
	}
	must(t, s.FinishHookDelivery(ctx, again.ID, capsule.HookActed, "deployed", false))
	orphan := &capsule.HookDelivery{Provider: "gitlab", Outcome: capsule.HookRejected, Reason: "no project", ReceivedAt: time.Now()}
	if _, err := s.RecordHookDelivery(ctx, orphan, ""); err != nil {
		t.Fatal(err)
	}
	var got []capsule.HookDelivery
	page := capsule.Page{Limit: 2}
	for {
		l, err := s.ListHookDeliveries(ctx, capsule.HookDeliveryFilter{ProjectID: f.project.ID, Page: page})
		must(t, err)
		got = append(got, l.Items...)
		if l.NextCursor == "" {
			break
		}
		page.Cursor = l.NextCursor
	}
	if len(got) != 3 || got[0].ID != again.ID || got[0].Outcome != capsule.HookActed || got[1].Reason != "failed: cluster down" ||
		got[2].Outcome != capsule.HookRejected || got[0].ProjectID != f.project.ID {
		t.Fatalf("the project's log: %+v", got)
	}
}

// testEnvironmentGitFields: branch and preview round-trip and update.
func testEnvironmentGitFields(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	exp := time.Date(2026, 12, 14, 10, 0, 0, 0, time.UTC)
	e := &capsule.Environment{ProjectID: f.project.ID, Name: "pr-7", Kind: capsule.EnvPreview,
		Preview: &capsule.PullRequestPreview{PullRequest: 7, HeadSHA: "abc", URL: "https://pr-7.shop.example.com", ExpiresAt: &exp}}
	must(t, s.CreateEnvironment(ctx, e))
	got, err := s.FindEnvironment(ctx, e.ID)
	must(t, err)
	if got.Preview == nil || got.Preview.PullRequest != 7 || !got.Preview.ExpiresAt.Equal(exp) || got.Preview.URL != e.Preview.URL {
		t.Fatalf("preview round trip: %+v", got.Preview)
	}
	got.Preview.HeadSHA = "def"
	must(t, s.UpdateEnvironment(ctx, got))
	st := &capsule.Environment{ProjectID: f.project.ID, Name: "tracking", Kind: capsule.EnvStaging, Branch: "refs/heads/release/1.x"}
	must(t, s.CreateEnvironment(ctx, st))
	again, err := s.FindEnvironment(ctx, st.ID)
	must(t, err)
	if again.Branch != "release/1.x" || again.Preview != nil {
		t.Fatalf("tracking environment: %+v", again)
	}
	after, err := s.FindEnvironment(ctx, got.ID)
	must(t, err)
	if after.Preview.HeadSHA != "def" {
		t.Fatalf("updated preview: %+v", after.Preview)
	}
	wantCode(t, s.CreateEnvironment(ctx, &capsule.Environment{ProjectID: f.project.ID, Name: "bad", Kind: capsule.EnvStaging, Branch: "a..b"}), "VALIDATION_FAILED")
	wantCode(t, s.CreateEnvironment(ctx, &capsule.Environment{ProjectID: f.project.ID, Name: "bad2", Kind: capsule.EnvStaging,
		Preview: &capsule.PullRequestPreview{PullRequest: 1}}), "VALIDATION_FAILED")
}
