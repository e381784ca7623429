package notify_test

import (
	"context"
	"crypto/rand"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/notify"
	"github.com/usecapsule/capsule/internal/pgtest"
	"github.com/usecapsule/capsule/internal/secretbox"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func migrated(url string) error {
	s, err := sqlstore.Open(context.Background(), url, sqlstore.Options{})
	if err != nil {
		return err
	}
	return s.Close()
}

var testKey = func() []byte { k := make([]byte, secretbox.KeySize); _, _ = rand.Read(k); return k }()

func service(t *testing.T, dsn string) (*notify.Service, *sqlstore.Store) {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
	must(t, err)
	t.Cleanup(func() { st.Close() })
	kek, err := secretbox.NewKEK(testKey)
	must(t, err)
	return &notify.Service{DB: st.Database(), Secrets: identitystore.New(st), Keyring: secretbox.NewKeyring(kek), Client: client(),
		PublicURL: "https://capsule.example.com"}, st
}

// TestDispatchGroupsAcrossRestart: 20 failed deployments routed by a rule
// to a Slack channel are queued; a dispatcher on a fresh service (a
// restart) sends one message with count 20 once the window closed.
func TestDispatchGroupsAcrossRestart(t *testing.T) {
	for _, d := range []struct{ name, dsn string }{
		{"sqlite", filepath.Join(t.TempDir(), "capsule.db")}, {"postgres", pgtest.StartFrom(t, "notify", migrated)},
	} {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			svc, st := service(t, d.dsn)
			u := &capsule.User{Email: "o@example.com", Name: "O"}
			must(t, st.CreateUser(ctx, u))
			org := &capsule.Organization{Name: "Acme", Slug: "acme"}
			must(t, st.CreateOrganization(ctx, org, u.ID))
			var mu sync.Mutex
			var titles []string
			srv, _ := provider(t, func(r *http.Request, b map[string]any) (int, string) {
				mu.Lock()
				titles = append(titles, b["text"].(string))
				mu.Unlock()
				return 200, "ok"
			})
			ch, err := svc.CreateChannel(ctx, org.ID, u.ID, notify.ChannelInput{Name: "deploys", Kind: notify.KindSlackWebhook,
				Secret: notify.ChannelSecret{URL: srv.URL}})
			must(t, err)
			_, err = svc.CreateRule(ctx, org.ID, u.ID, notify.RuleInput{ChannelID: ch.ID, Events: []string{notify.EventDeploymentFailed}, MinSeverity: notify.SeverityWarning})
			must(t, err)
			for i := range 20 {
				e := failedDeploy(i, notify.SeverityError)
				e.Scope.OrganizationID = org.ID
				must(t, notify.Notify(ctx, svc.DB, e, ""))
			}
			info := failedDeploy(0, notify.SeverityInfo) // below the rule's minimum
			info.Scope.OrganizationID = org.ID
			must(t, notify.Notify(ctx, svc.DB, info, ""))

			clock := t0.Add(30 * time.Second)
			disp := notify.NewDispatcher(svc, notify.DispatcherOptions{Now: func() time.Time { return clock }})
			must(t, disp.RunOnce(ctx))
			if len(titles) != 0 {
				t.Fatalf("sent before the window closed: %v", titles)
			}
			restarted, _ := service(t, d.dsn)
			clock = t0.Add(2 * time.Minute)
			must(t, notify.NewDispatcher(restarted, notify.DispatcherOptions{Now: func() time.Time { return clock }}).RunOnce(ctx))
			must(t, notify.NewDispatcher(restarted, notify.DispatcherOptions{Now: func() time.Time { return clock }}).RunOnce(ctx))
			if len(titles) != 1 || !strings.Contains(titles[0], "×20") {
				t.Fatalf("messages %q, want one with count 20", titles)
			}
			res, err := svc.TestChannel(ctx, &ch.Channel)
			must(t, err)
			if !res.Delivered || len(titles) != 2 || !strings.HasPrefix(titles[1], "Test notification") {
				t.Errorf("test send: %+v %q", res, titles)
			}
		})
	}
}

func TestChannelInputRefused(t *testing.T) {
	svc, _ := service(t, filepath.Join(t.TempDir(), "capsule.db"))
	_, err := svc.CreateChannel(context.Background(), "org", "u", notify.ChannelInput{Name: "mail", Kind: notify.KindEmail,
		Config: notify.ChannelConfig{From: "nobody", To: []string{"ok@example.com", "bad"}, TLS: "ssl"}, QuietHours: &notify.QuietSpec{Start: "25:00", End: "07:00"}})
	for _, field := range []string{"config.host", "config.from", "config.to[1]", "config.tls", "quietHours"} {
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("error %v does not name %s", err, field)
		}
	}
}
