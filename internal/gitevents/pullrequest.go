package gitevents

import (
	"context"
	"fmt"
	"strings"
	"time"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/deployer"
	"github.com/usecapsule/capsule/internal/kube"
	"k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
)

// PreviewName is the environment of pull request n.
func PreviewName(n int) string { return fmt.Sprintf("pr-%d", n) }

// PreviewNamespace is the namespace of pull request n of a project:
// <slug>-pr-N, the slug shortened to keep a DNS label's 63 characters.
func PreviewNamespace(slug string, n int) string {
	suffix := "-" + PreviewName(n)
	if len(slug)+len(suffix) > 63 {
		slug = strings.TrimRight(slug[:63-len(suffix)], "-")
	}
	return slug + suffix
}

func (s *Service) pullRequest(ctx context.Context, provider string, p *capsule.Project, pr *PullRequest) outcome {
	if pr.Number <= 0 {
		return ignored("the pull request has no number")
	}
	envs, err := s.environments(ctx, p.ID)
	if err != nil {
		return outcome{err: err}
	}
	var current *capsule.Environment
	for i := range envs {
		if envs[i].Name == PreviewName(pr.Number) && envs[i].Preview != nil {
			current = &envs[i]
		}
	}
	switch pr.Action {
	case PROpen, PRUpdate:
		return s.openPreview(ctx, provider, p, pr, envs, current)
	case PRClose:
		if current == nil {
			return ignored("pull request #%d closed: it has no environment", pr.Number)
		}
		if err := s.removePreview(ctx, "webhook:"+provider, p, current); err != nil {
			return outcome{err: err}
		}
		return outcome{outcome: capsule.HookActed, pr: pr.Number,
			reason: fmt.Sprintf("pull request #%d closed: environment %s and namespace %s removed", pr.Number, current.Name, current.Namespace)}
	}
	return ignored("pull request #%d %s: not acted on", pr.Number, clip(pr.RawAction))
}

// openPreview creates (or refreshes) the pull request's environment and
// deploys its head commit there.
func (s *Service) openPreview(ctx context.Context, provider string, p *capsule.Project, pr *PullRequest, envs []capsule.Environment, current *capsule.Environment) outcome {
	if current != nil && current.Preview.HeadSHA == pr.Commit.SHA && pr.Action == PRUpdate {
		return ignored("pull request #%d: %s is already deployed", pr.Number, clip(pr.Commit.SHA))
	}
	var base *capsule.Environment
	for i := range envs {
		if envs[i].Preview == nil && envs[i].Branch == pr.BaseBranch && pr.BaseBranch != "" {
			base = &envs[i]
			break
		}
	}
	if current == nil && base == nil {
		return ignored("pull request #%d: no environment tracks its base branch %s, whose cluster it would use", pr.Number, clip(pr.BaseBranch))
	}
	settings, err := SettingsOf(p.Settings)
	if err != nil {
		return ignored("pull request #%d: %v", pr.Number, err)
	}
	now := s.cfg.Now().UTC()
	expires := now.Add(settings.TTL)
	info := &capsule.PullRequestPreview{PullRequest: pr.Number, HeadBranch: pr.HeadBranch, BaseBranch: pr.BaseBranch,
		HeadSHA: pr.Commit.SHA, Host: settings.Host(pr.Number, p.Slug), ExpiresAt: &expires, LastDeployedAt: &now}
	if info.Host != "" {
		info.URL = "https://" + strings.ReplaceAll(info.Host, "{service}", s.firstPublic(ctx, p.ID))
	}
	actor := "webhook:" + provider
	env := current
	if env == nil {
		env = &capsule.Environment{ProjectID: p.ID, Name: PreviewName(pr.Number), Kind: capsule.EnvPreview,
			ClusterID: base.ClusterID, Namespace: PreviewNamespace(p.Slug, pr.Number), DeliveryMode: capsule.DeliveryDirect, Preview: info}
		actx := s.cfg.Audit(ctx, s.entry(actor, "environments.create", "", p, map[string]string{"name": env.Name, "namespace": env.Namespace, "pullRequest": fmt.Sprint(pr.Number)}))
		if err := s.cfg.Store.CreateEnvironment(actx, env); err != nil {
			return outcome{err: err}
		}
	} else {
		env.Preview = info
		actx := s.cfg.Audit(ctx, s.entry(actor, "environments.update", env.ID, p, map[string]string{"headSha": info.HeadSHA}))
		if err := s.cfg.Store.UpdateEnvironment(actx, env); err != nil {
			return outcome{err: err}
		}
	}
	s.cfg.OnChange()
	deps, why, err := s.deployAll(ctx, provider, p, env, pr.Commit, pr.HeadBranch)
	if err != nil {
		return outcome{err: err}
	}
	return outcome{outcome: capsule.HookActed, env: env, deployments: deps, commit: pr.Commit, pr: pr.Number,
		reason: fmt.Sprintf("pull request #%d: %s", pr.Number, why)}
}

// firstPublic names the project's first public service, for the URL a
// host pattern with {service} gives.
func (s *Service) firstPublic(ctx context.Context, projectID string) string {
	svcs, err := s.services(ctx, projectID)
	if err != nil {
		return "web"
	}
	for _, sv := range svcs {
		if sv.Config.Networking.Public {
			return sv.Name
		}
	}
	return "web"
}

func (s *Service) entry(actor, action, target string, p *capsule.Project, after map[string]string) audit.Entry {
	return audit.Entry{Time: s.cfg.Now(), ActorType: audit.ActorSystem, ActorID: actor, Action: action,
		TargetType: "environment", TargetID: target, OrganizationID: p.OrganizationID, Outcome: audit.OutcomeSuccess, After: after}
}

var namespaces = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}

// removePreview deletes the environment's namespace through its cluster's
// write credential, then the environment record (its deployment records
// go with it). The record is removed rather than kept as deleted: the
// audit log keeps the history, and the name pr-N is free again for a
// reopened pull request.
func (s *Service) removePreview(ctx context.Context, actor string, p *capsule.Project, env *capsule.Environment) error {
	if env.ClusterID != "" {
		cl, err := s.cfg.Store.FindCluster(ctx, env.ClusterID)
		if err != nil && !capsule.IsNotFound(err) {
			return err
		}
		if err == nil && cl.CredentialSecretID != "" {
			rc, err := kube.StoredRESTConfig(ctx, s.cfg.Secrets, s.cfg.Keyring, cl.CredentialSecretID, s.cfg.Allow...)
			if err != nil {
				return fmt.Errorf("opening the credential of cluster %s: %w", cl.Name, err)
			}
			dyn, err := dynamic.NewForConfig(rc)
			if err != nil {
				return err
			}
			err = dyn.Resource(namespaces).Delete(ctx, env.Namespace, metav1.DeleteOptions{})
			if err != nil && !errors.IsNotFound(err) {
				return fmt.Errorf("deleting namespace %s on cluster %s: %w", env.Namespace, cl.Name, err)
			}
		}
	}
	actx := s.cfg.Audit(ctx, s.entry(actor, "environments.delete", env.ID, p, map[string]string{"name": env.Name, "namespace": env.Namespace}))
	if err := s.cfg.Store.DeleteEnvironment(actx, env.ID); err != nil && !capsule.IsNotFound(err) {
		return err
	}
	s.cfg.OnChange()
	return nil
}

// Sweep removes the pull-request environments whose time to live has
// passed (their pull request may never have been closed, or its close
// delivery was lost) and puts to sleep those idle for their project's
// sleepAfter, each change audited as the system's. It returns how many it
// removed. Run on several replicas at once it does the same work twice
// harmlessly: a removal of what is gone is no error, and a second sleep
// finds the environment's version changed.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	l, err := s.cfg.Store.ListEnvironments(ctx, capsule.EnvironmentFilter{Kind: capsule.EnvPreview, Page: capsule.Page{Limit: 500}})
	if err != nil {
		return 0, err
	}
	now := s.cfg.Now()
	n := 0
	for i := range l.Items {
		env := &l.Items[i]
		if env.Preview == nil {
			continue
		}
		p, err := s.cfg.Store.FindProject(ctx, env.ProjectID)
		if err != nil {
			continue
		}
		if env.Preview.ExpiresAt == nil || env.Preview.ExpiresAt.After(now) {
			if err := s.sleep(ctx, p, env, now); err != nil {
				return n, err
			}
			continue
		}
		if err := s.removePreview(ctx, "preview-ttl", p, env); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// SweepEvery runs Sweep every interval until ctx ends.
func (s *Service) SweepEvery(ctx context.Context, interval time.Duration, logErr func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.Sweep(ctx); err != nil && logErr != nil {
				logErr(err)
			}
		}
	}
}

// sleep scales the services of a preview idle for its project's
// sleepAfter to zero (the deployer's scale, audited as "preview-sleep")
// and marks it sleeping. A service with no running release yet is left for
// the next sweep.
func (s *Service) sleep(ctx context.Context, p *capsule.Project, env *capsule.Environment, now time.Time) error {
	settings, err := SettingsOf(p.Settings)
	if err != nil || settings.SleepAfter <= 0 || env.Preview.SleepingSince != nil || env.Preview.LastDeployedAt == nil ||
		env.Preview.LastDeployedAt.Add(settings.SleepAfter).After(now) || s.cfg.Deployer == nil {
		return nil
	}
	svcs, err := s.services(ctx, p.ID)
	if err != nil {
		return err
	}
	zero := 0
	for i := range svcs {
		actx := s.cfg.Audit(ctx, audit.Entry{Time: now, ActorType: audit.ActorSystem, ActorID: "preview-sleep", Action: "services.scale",
			TargetType: "service", TargetID: svcs[i].ID, OrganizationID: p.OrganizationID, Outcome: audit.OutcomeSuccess,
			After: map[string]string{"environmentId": env.ID, "replicas": "0"}})
		_, err := s.cfg.Deployer.Scale(actx, &svcs[i], deployer.ScaleRequest{EnvironmentID: env.ID, Replicas: &zero})
		switch {
		case err == nil:
		case capsule.ErrorCode(err) == capsule.CodeNothingDeployed:
			if svcs[i].Source.Image != "" {
				return nil // its first deploy is still under way: next sweep
			}
		case capsule.ErrorKind(err) == capsule.KindInternal:
			return err
		}
	}
	at := now.UTC()
	env.Preview.SleepingSince = &at
	actx := s.cfg.Audit(ctx, s.entry("preview-sleep", "environments.update", env.ID, p, map[string]string{"sleepingSince": at.Format(time.RFC3339)}))
	if err := s.cfg.Store.UpdateEnvironment(actx, env); err != nil && capsule.ErrorCode(err) != capsule.CodeVersionConflict {
		return err
	}
	s.cfg.OnChange()
	return nil
}
