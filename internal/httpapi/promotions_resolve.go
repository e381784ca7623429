package httpapi

import (
	"context"
	"encoding/json"

	"github.com/usecapsule/capsule"
)

// PromotionPreviewRequest is the body of POST /api/v1/promotions/preview.
// Each reference may be an ID or a name (workload_name, *_namespace), in
// snake_case or camelCase; a pair given in both spellings must agree.
type PromotionPreviewRequest struct {
	ServiceID       string `json:"service_id,omitempty"`
	WorkloadName    string `json:"workload_name,omitempty"`
	SourceEnvID     string `json:"source_env_id,omitempty"`
	SourceNamespace string `json:"source_namespace,omitempty"`
	TargetEnvID     string `json:"target_env_id,omitempty"`
	TargetNamespace string `json:"target_namespace,omitempty"`
	ClusterID       string `json:"cluster_id,omitempty"`
	GitCommit       string `json:"git_commit,omitempty"`

	ServiceIDCamel   string `json:"serviceId,omitempty"`
	SourceEnvIDCamel string `json:"sourceEnvId,omitempty"`
	TargetEnvIDCamel string `json:"targetEnvId,omitempty"`
	ClusterIDCamel   string `json:"clusterId,omitempty"`
	GitCommitCamel   string `json:"gitCommit,omitempty"`
	// ProjectID narrows a workload_name to one project.
	ProjectID string `json:"projectId,omitempty"`
}

// promotionRefs are a preview request's references, resolved.
type promotionRefs struct {
	svc            *capsule.Service
	source, target *capsule.Environment
	clusterID      string
	gitCommit      string
}

// merge folds the two spellings, naming a disagreement.
func (q *PromotionPreviewRequest) merge() error {
	var v capsule.Validation
	pick := func(field string, snake *string, camel string) {
		switch {
		case camel == "":
		case *snake == "":
			*snake = camel
		case *snake != camel:
			v.Add(field, "%q and its camelCase spelling %q disagree", clip(*snake, 80), clip(camel, 80))
		}
	}
	pick("service_id", &q.ServiceID, q.ServiceIDCamel)
	pick("source_env_id", &q.SourceEnvID, q.SourceEnvIDCamel)
	pick("target_env_id", &q.TargetEnvID, q.TargetEnvIDCamel)
	pick("cluster_id", &q.ClusterID, q.ClusterIDCamel)
	pick("git_commit", &q.GitCommit, q.GitCommitCamel)
	if q.ServiceID == "" && q.WorkloadName == "" {
		v.Add("service_id", "is required (or workload_name)")
	}
	if q.SourceEnvID == "" && q.SourceNamespace == "" {
		v.Add("source_env_id", "is required (or source_namespace)")
	}
	if q.TargetEnvID == "" && q.TargetNamespace == "" {
		v.Add("target_env_id", "is required (or target_namespace)")
	}
	return v.Err()
}

// resolvePromotionRequest finds the service and both environments a
// preview request names, among the organizations in orgs.
func resolvePromotionRequest(ctx context.Context, st capsule.Store, orgs []string, q PromotionPreviewRequest) (*promotionRefs, error) {
	if err := q.merge(); err != nil {
		return nil, err
	}
	refs := &promotionRefs{clusterID: q.ClusterID, gitCommit: q.GitCommit}
	var err error
	if refs.svc, err = promotionService(ctx, st, orgs, q); err != nil {
		return nil, err
	}
	if refs.source, err = promotionEnv(ctx, st, refs.svc, q.SourceEnvID, q.SourceNamespace, "", "source"); err != nil {
		return nil, err
	}
	if refs.target, err = promotionEnv(ctx, st, refs.svc, q.TargetEnvID, q.TargetNamespace, q.ClusterID, "target"); err != nil {
		return nil, err
	}
	return refs, nil
}

func promotionService(ctx context.Context, st capsule.Store, orgs []string, q PromotionPreviewRequest) (*capsule.Service, error) {
	if q.ServiceID != "" {
		return st.FindService(ctx, q.ServiceID)
	}
	f := capsule.ServiceFilter{ProjectID: q.ProjectID, OrganizationIDs: orgs, Page: capsule.Page{Limit: capsule.MaxPageSize}}
	var found []capsule.Service
	for {
		l, err := st.ListServices(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, s := range l.Items {
			if s.Name == q.WorkloadName {
				found = append(found, s)
			}
		}
		if l.NextCursor == "" {
			break
		}
		f.Cursor = l.NextCursor
	}
	switch len(found) {
	case 0:
		return nil, capsule.NotFound("service", q.WorkloadName)
	case 1:
		return &found[0], nil
	}
	var v capsule.Validation
	v.Add("workload_name", "%q names services in %d projects: give projectId or service_id", clip(q.WorkloadName, 80), len(found))
	return nil, v.Err()
}

func promotionEnv(ctx context.Context, st capsule.Store, svc *capsule.Service, id, namespace, cluster, role string) (*capsule.Environment, error) {
	if id != "" {
		e, err := st.FindEnvironment(ctx, id)
		if err == nil && e.ProjectID != svc.ProjectID {
			return nil, capsule.NotFound("environment", id)
		}
		return e, err
	}
	l, err := st.ListEnvironments(ctx, capsule.EnvironmentFilter{ProjectID: svc.ProjectID, Page: capsule.Page{Limit: capsule.MaxPageSize}})
	if err != nil {
		return nil, err
	}
	var found []capsule.Environment
	for _, e := range l.Items {
		if e.Namespace == namespace && (cluster == "" || e.ClusterID == cluster) {
			found = append(found, e)
		}
	}
	switch len(found) {
	case 0:
		return nil, capsule.NotFound("environment", namespace)
	case 1:
		return &found[0], nil
	}
	var v capsule.Validation
	v.Add(role+"_namespace", "%q is the namespace of %d environments of the project: give %s_env_id or cluster_id", clip(namespace, 80), len(found), role)
	return nil, v.Err()
}

// promotionTarget is the guard's scope of a preview request: its target
// environment, so promotion:create is decided where the change would land.
func promotionTarget(ctx context.Context, st capsule.Store, c *Caller, body []byte) (string, error) {
	var q PromotionPreviewRequest
	if err := json.Unmarshal(body, &q); err != nil {
		return "", nil // the handler reports malformed JSON
	}
	var orgs []string
	if c != nil {
		orgs = c.OrgIDs()
	}
	refs, err := resolvePromotionRequest(ctx, st, orgs, q)
	if err != nil {
		return "", err
	}
	return refs.target.ID, nil
}
