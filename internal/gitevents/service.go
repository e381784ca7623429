package gitevents

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"time"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/deployer"
	"github.com/usecapsule/capsule/internal/identity"
	"github.com/usecapsule/capsule/internal/secretbox"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// MaxPayloadBytes bounds a delivery's body. GitHub caps its payloads at
// 25 MB, but those are pushes of thousands of commits; Capsule reads one
// head commit, and a push of that size is refused (413) and logged.
const MaxPayloadBytes = 1 << 20

// Config is what a Service needs.
type Config struct {
	Store    *sqlstore.Store
	Secrets  identity.SecretStore
	Keyring  *secretbox.Keyring
	Deployer *deployer.Deployer
	// Audit returns ctx carrying an audit unit for e: the change made
	// under it commits with e (identity.AuditLog.WithAuditUnit).
	Audit func(ctx context.Context, e audit.Entry) context.Context
	// Allow is the installation's --egress-allow, for removing a pull
	// request's namespace on a cluster at such an address.
	Allow []netip.Prefix
	// OnChange is called after environments change (the API's read cache
	// drops what it read before).
	OnChange func()
	// Status, when set, is told what each delivery started (commit
	// statuses and pull-request comments on the provider's side).
	Status StatusReporter
	Now    func() time.Time
}

// StatusReporter is where a Git provider client reports back on the
// provider's side: a commit status for each deploy a push started, a
// comment with the URL of a pull request's environment. Capsule has no
// provider client yet; a nil StatusReporter reports nothing.
type StatusReporter interface {
	Report(ctx context.Context, p *capsule.Project, r Report)
}

// Report is what one delivery did for one project.
type Report struct {
	Provider    string
	Commit      capsule.Commit
	PullRequest int
	Environment *capsule.Environment
	Deployments []capsule.Deployment
}

// Service handles deliveries.
type Service struct{ cfg Config }

// New returns a Service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Audit == nil {
		cfg.Audit = func(ctx context.Context, _ audit.Entry) context.Context { return ctx }
	}
	if cfg.OnChange == nil {
		cfg.OnChange = func() {}
	}
	return &Service{cfg: cfg}
}

// Result is the answer to a delivery.
type Result struct {
	// Status is acted, ignored or duplicate.
	Status   string          `json:"status"`
	Projects []ProjectResult `json:"projects,omitempty"`
}

// ProjectResult is what a delivery did for one project.
type ProjectResult struct {
	ProjectID     string   `json:"projectId"`
	DeliveryLogID string   `json:"deliveryLogId"`
	Outcome       string   `json:"outcome"`
	Reason        string   `json:"reason,omitempty"`
	EnvironmentID string   `json:"environmentId,omitempty"`
	Deployments   []string `json:"deployments,omitempty"`
}

func hookError(kind capsule.Kind, code, format string, args ...any) error {
	return capsule.Errorf(kind, code, format, args...)
}

// Handle authenticates, de-duplicates, logs and acts on one delivery.
// Refused deliveries (unknown provider or repository, bad signature,
// malformed or oversized body) are logged as rejected and change nothing
// else.
func (s *Service) Handle(ctx context.Context, providerName string, h http.Header, body []byte, tooLarge bool) (*Result, error) {
	p := ProviderOf(providerName)
	if p == nil {
		return nil, hookError(capsule.KindNotFound, capsule.CodeWebhookProviderUnknown,
			"%q is not a webhook provider: want one of %s", clip(providerName), strings.Join(Providers, ", "))
	}
	id, event := p.Delivery(h)
	rec := capsule.HookDelivery{Provider: p.Name(), DeliveryID: clipTo(id, 200), Event: clipTo(event, 100), ReceivedAt: s.cfg.Now().UTC()}
	reject := func(err error, reason string) (*Result, error) {
		rec.Outcome, rec.Reason = capsule.HookRejected, clipTo(reason, 500)
		if _, lerr := s.cfg.Store.RecordHookDelivery(ctx, &rec, ""); lerr != nil {
			return nil, lerr
		}
		return nil, err
	}
	if tooLarge {
		return reject(capsule.Errorf(capsule.KindTooLarge, capsule.CodeTooLarge, "the delivery's body is over %d bytes", MaxPayloadBytes),
			fmt.Sprintf("body over %d bytes", MaxPayloadBytes))
	}
	ev, err := p.Parse(event, body)
	if err != nil {
		return reject(hookError(capsule.KindInvalid, capsule.CodeWebhookPayloadInvalid, "%s %q delivery: %v", p.Name(), clip(event), err), err.Error())
	}
	if len(ev.Repositories) > 0 {
		rec.Repository = clipTo(ev.Repositories[0], 500)
	}
	projects, err := s.projectsOf(ctx, ev.Repositories)
	if err != nil {
		return nil, err
	}
	if len(projects) == 0 {
		return reject(hookError(capsule.KindNotFound, capsule.CodeWebhookRepositoryUnknown, "no project has the repository %s", clip(rec.Repository)),
			"no project has this repository")
	}
	var verified []capsule.Project
	var why error
	for _, pr := range projects {
		secret, err := s.secretOf(ctx, &pr)
		if err != nil {
			if !capsule.IsNotFound(err) {
				return nil, err
			}
			why = errors.New("the project has no webhook secret: create one with POST /api/v1/projects/{id}/webhook-secret")
			continue
		}
		if err := p.Verify(h, body, secret); err != nil {
			why = err
			continue
		}
		verified = append(verified, pr)
	}
	if len(verified) == 0 {
		rec.ProjectID = projects[0].ID
		return reject(hookError(capsule.KindUnauthenticated, capsule.CodeWebhookSignatureInvalid, "%s delivery refused: %v", p.Name(), why), why.Error())
	}
	res := &Result{Status: capsule.HookIgnored}
	duplicates := 0
	for i := range verified {
		pr, err := s.cfg.Store.FindProject(ctx, verified[i].ID)
		if err != nil {
			return nil, err
		}
		d := rec
		d.ProjectID, d.Outcome = pr.ID, capsule.HookReceived
		dup, err := s.cfg.Store.RecordHookDelivery(ctx, &d, dedupKey(p.Name(), id, pr.ID, body))
		if err != nil {
			return nil, err
		}
		if dup {
			duplicates++
			continue
		}
		out := s.act(ctx, p.Name(), pr, ev)
		release := out.err != nil
		if out.err != nil {
			out.outcome, out.reason = capsule.HookIgnored, "failed: "+out.err.Error()
		}
		if err := s.cfg.Store.FinishHookDelivery(ctx, d.ID, out.outcome, clipTo(out.reason, 1000), release); err != nil {
			return nil, err
		}
		if out.outcome == capsule.HookActed {
			res.Status = capsule.HookActed
		}
		pres := ProjectResult{ProjectID: pr.ID, DeliveryLogID: d.ID, Outcome: out.outcome, Reason: out.reason}
		if out.env != nil {
			pres.EnvironmentID = out.env.ID
		}
		for _, dep := range out.deployments {
			pres.Deployments = append(pres.Deployments, dep.ID)
		}
		res.Projects = append(res.Projects, pres)
		if s.cfg.Status != nil && out.outcome == capsule.HookActed {
			s.cfg.Status.Report(ctx, pr, Report{Provider: p.Name(), Commit: out.commit, PullRequest: out.pr, Environment: out.env, Deployments: out.deployments})
		}
	}
	if duplicates == len(verified) {
		res.Status = "duplicate"
	}
	return res, nil
}

// dedupKey identifies a delivery for one project: the provider's delivery
// id, or the body's hash when the provider sent none.
func dedupKey(provider, id, projectID string, body []byte) string {
	if id == "" {
		sum := sha256.Sum256(body)
		id = "sha256:" + hex.EncodeToString(sum[:])
	}
	return provider + ":" + clipTo(id, 200) + ":" + projectID
}

// projectsOf returns the projects whose repository is one of urls.
func (s *Service) projectsOf(ctx context.Context, urls []string) ([]capsule.Project, error) {
	keys := map[string]bool{}
	for _, u := range urls {
		if k, err := RepositoryKey(u); err == nil {
			keys[k] = true
		}
	}
	if len(keys) == 0 {
		return nil, nil
	}
	all, err := s.cfg.Store.ProjectRepositories(ctx)
	if err != nil {
		return nil, err
	}
	var out []capsule.Project
	for _, p := range all {
		if k, err := RepositoryKey(p.Repository.URL); err == nil && keys[k] {
			out = append(out, p)
		}
	}
	return out, nil
}

// clipTo bounds text from a delivery and makes it storable: valid UTF-8
// without NUL bytes, which neither database keeps.
func clipTo(s string, n int) string {
	if len(s) > n {
		s = s[:n]
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "?"), "\x00", "?")
}
