package gitevents

import (
	"context"
	"fmt"
	"strings"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/deployer"
)

// outcome is what acting on a delivery did for one project. err is set
// only when something failed that a redelivery could get past (the
// database, the cluster); what a redelivery would meet again (no tracked
// branch, a service without an image) is a reason.
type outcome struct {
	outcome, reason string
	env             *capsule.Environment
	deployments     []capsule.Deployment
	commit          capsule.Commit
	pr              int
	err             error
}

func ignored(format string, args ...any) outcome {
	return outcome{outcome: capsule.HookIgnored, reason: fmt.Sprintf(format, args...)}
}

func (s *Service) act(ctx context.Context, provider string, p *capsule.Project, ev *Event) outcome {
	switch ev.Kind {
	case KindPing:
		return ignored("ping: the webhook reaches Capsule")
	case KindPush:
		return s.push(ctx, provider, p, ev.Pushes)
	case KindPullRequest:
		return s.pullRequest(ctx, provider, p, ev.PullRequest)
	}
	return ignored("event not acted on (only pushes and pull requests are)")
}

// push deploys the project to every environment tracking a pushed branch.
func (s *Service) push(ctx context.Context, provider string, p *capsule.Project, pushes []Push) outcome {
	if len(pushes) == 0 {
		return ignored("the push changed no ref")
	}
	envs, err := s.environments(ctx, p.ID)
	if err != nil {
		return outcome{err: err}
	}
	out := outcome{outcome: capsule.HookIgnored}
	var reasons []string
	for _, ps := range pushes {
		switch {
		case ps.Tag:
			reasons = append(reasons, fmt.Sprintf("tag push %s: tags deploy nothing", ps.Ref))
			continue
		case ps.Branch == "":
			reasons = append(reasons, fmt.Sprintf("push to %s, which is not a branch", ps.Ref))
			continue
		case ps.Deleted:
			reasons = append(reasons, fmt.Sprintf("branch %s deleted: nothing to deploy", ps.Branch))
			continue
		}
		tracked := false
		for i := range envs {
			e := &envs[i]
			if e.Branch != ps.Branch || e.Preview != nil {
				continue
			}
			tracked = true
			deps, why, err := s.deployAll(ctx, provider, p, e, ps.Commit, ps.Branch)
			if err != nil {
				return outcome{err: err}
			}
			out.deployments = append(out.deployments, deps...)
			reasons = append(reasons, why)
		}
		if !tracked {
			reasons = append(reasons, fmt.Sprintf("no environment tracks branch %s", ps.Branch))
		}
		out.commit = ps.Commit
	}
	if len(out.deployments) > 0 {
		out.outcome = capsule.HookActed
	}
	out.reason = strings.Join(reasons, "; ")
	return out
}

// deployAll deploys every service of p with a prebuilt image to env at
// commit, each deploy audited as the webhook's. It returns what it
// started and a reason naming what it did and skipped.
func (s *Service) deployAll(ctx context.Context, provider string, p *capsule.Project, env *capsule.Environment, commit capsule.Commit, branch string) ([]capsule.Deployment, string, error) {
	if s.cfg.Deployer == nil {
		return nil, "", capsule.NotImplemented("deploys in a process without a job runner")
	}
	settings, err := SettingsOf(p.Settings)
	if err != nil {
		return nil, fmt.Sprintf("environment %s: %v", env.Name, err), nil
	}
	tag, err := Tag(settings.TagTemplate, commit.SHA, branch)
	if err != nil {
		return nil, fmt.Sprintf("environment %s: %v", env.Name, err), nil
	}
	svcs, err := s.services(ctx, p.ID)
	if err != nil {
		return nil, "", err
	}
	var (
		deps           []capsule.Deployment
		started, notes []string
	)
	for i := range svcs {
		svc := &svcs[i]
		if svc.Source.Image == "" {
			notes = append(notes, fmt.Sprintf("service %s has no prebuilt image (source.image); webhooks do not build images", svc.Name))
			continue
		}
		image := WithTag(svc.Source.Image, tag)
		actx := s.cfg.Audit(ctx, audit.Entry{Time: s.cfg.Now(), ActorType: audit.ActorSystem, ActorID: "webhook:" + provider,
			Action: "services.deploy", TargetType: "service", TargetID: svc.ID, OrganizationID: p.OrganizationID,
			Outcome: audit.OutcomeSuccess, After: map[string]string{"environmentId": env.ID, "image": image, "commit": commit.SHA}})
		c := commit
		acc, err := s.cfg.Deployer.Deploy(actx, svc, deployer.DeployRequest{EnvironmentID: env.ID, Image: image, Commit: &c})
		switch {
		case err == nil:
			deps = append(deps, acc.Deployment)
			started = append(started, svc.Name)
		case capsule.ErrorKind(err) == capsule.KindInternal:
			return deps, "", err
		default:
			notes = append(notes, fmt.Sprintf("service %s: %v", svc.Name, err))
		}
	}
	why := fmt.Sprintf("environment %s: no service to deploy", env.Name)
	if len(started) > 0 {
		why = fmt.Sprintf("deploying %s to environment %s at %s", strings.Join(started, ", "), env.Name, tag)
	}
	if len(notes) > 0 {
		why += " (" + strings.Join(notes, "; ") + ")"
	}
	return deps, why, nil
}

func (s *Service) environments(ctx context.Context, projectID string) ([]capsule.Environment, error) {
	return capsule.ProjectEnvironments(ctx, s.cfg.Store, projectID)
}

func (s *Service) services(ctx context.Context, projectID string) ([]capsule.Service, error) {
	return capsule.ProjectServices(ctx, s.cfg.Store, projectID)
}
