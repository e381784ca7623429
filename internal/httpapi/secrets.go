package httpapi

import (
	"net/http"
	"regexp"
	"strconv"
	"sync"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/identity"
	"github.com/usecapsule/capsule/internal/secretbox"
)

// SecretRequest is the body of POST /secrets (create, or a new version of
// the secret of that name in that scope) and PUT /secrets/{id} (rotate).
type SecretRequest struct {
	OrganizationID string `json:"organizationId,omitempty"`
	ProjectID      string `json:"projectId,omitempty"`
	EnvironmentID  string `json:"environmentId,omitempty"`
	Name           string `json:"name,omitempty"`
	Value          string `json:"value"`
}

// SecretValue is the answer of GET /secrets/{id}/value.
type SecretValue struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Version int    `json:"version"`
	Value   string `json:"value"`
}

// SecretList lists secrets' metadata, never values.
type SecretList struct {
	Items []identity.Secret `json:"items"`
}

// MaxSecretBytes bounds a secret value (a TLS bundle fits).
const MaxSecretBytes = 64 << 10

// secretName is compiled on first use: its bounded repetition makes a
// large program, and every capsule command would otherwise build it at start.
var secretName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]{0,127}$`) })

func (ac *access) keyringOr501() (*secretbox.Keyring, error) {
	if ac.keyring == nil {
		return nil, capsule.NotImplemented("the secret store (no master key configured)")
	}
	return ac.keyring, nil
}

func (ac *access) listSecrets(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	var org string
	if t, _ := r.Context().Value(targetKey{}).(target); t.scoped {
		if !CallerFrom(r.Context()).IsMember(t.scope.OrgID) {
			return capsule.NotFound(t.refEntity, t.refID)
		}
		org = t.scope.OrgID
	} else {
		var err error
		if org, err = auditOrg(r); err != nil {
			return err
		}
	}
	ss, err := ac.ids.ListSecrets(r.Context(), org, q.Get("projectId"), q.Get("environmentId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, SecretList{Items: ss})
	return nil
}

func (ac *access) createSecret(w http.ResponseWriter, r *http.Request) error {
	ring, err := ac.keyringOr501()
	if err != nil {
		return err
	}
	var req SecretRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	t, _ := r.Context().Value(targetKey{}).(target)
	var v capsule.Validation
	if t.scope.OrgID == "" {
		v.Add("organizationId", "is required (or projectId/environmentId)")
	}
	if !secretName().MatchString(req.Name) {
		v.Add("name", "%q must be letters, digits, '_', '.' or '-', starting with a letter or '_', at most 128", req.Name)
	}
	checkValue(&v, req.Value)
	if err := v.Err(); err != nil {
		return err
	}
	if err := sealedClusterSecret(req.Name); err != nil {
		return err
	}
	_, actor := principalFrom(r.Context()).actor()
	sec := &identity.Secret{OrganizationID: t.scope.OrgID, ProjectID: t.scope.ProjectID, EnvironmentID: t.scope.EnvironmentID,
		Name: req.Name, CreatedBy: actor}
	if err := ac.ids.PutSecret(r.Context(), sec, sealWith(ring, req.Value), ac.now()); err != nil {
		return err
	}
	return created(w, "/api/v1/secrets/"+sec.ID, int64(sec.CurrentVersion), sec)
}

func checkValue(v *capsule.Validation, value string) {
	if value == "" || len(value) > MaxSecretBytes {
		v.Add("value", "is required and at most %d bytes", MaxSecretBytes)
	}
}

func sealWith(ring *secretbox.Keyring, value string) identity.SealFunc {
	return func(id string, version int) (secretbox.Sealed, error) {
		return ring.Seal([]byte(value), identity.SecretAAD(id, version))
	}
}

func (ac *access) getSecret(w http.ResponseWriter, r *http.Request) error {
	sec, err := ac.ids.FindSecret(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return entity(w, int64(sec.CurrentVersion), sec)
}

// rotateSecret stores a new version of the secret's value.
func (ac *access) rotateSecret(w http.ResponseWriter, r *http.Request) error {
	ring, err := ac.keyringOr501()
	if err != nil {
		return err
	}
	var req SecretRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	var v capsule.Validation
	checkValue(&v, req.Value)
	if err := v.Err(); err != nil {
		return err
	}
	sec, err := ac.ids.FindSecret(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := sealedClusterSecret(sec.Name); err != nil {
		return err
	}
	_, actor := principalFrom(r.Context()).actor()
	next := &identity.Secret{OrganizationID: sec.OrganizationID, ProjectID: sec.ProjectID, EnvironmentID: sec.EnvironmentID,
		Name: sec.Name, CreatedBy: actor}
	if err := ac.ids.PutSecret(r.Context(), next, sealWith(ring, req.Value), ac.now()); err != nil {
		return err
	}
	return entity(w, int64(next.CurrentVersion), next)
}

// secretValue decrypts one version and writes an audit entry for the read,
// whatever its outcome.
func (ac *access) secretValue(w http.ResponseWriter, r *http.Request) error {
	ring, err := ac.keyringOr501()
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	t, _ := r.Context().Value(targetKey{}).(target)
	version := 0
	if s := r.URL.Query().Get("version"); s != "" {
		if version, err = strconv.Atoi(s); err != nil || version < 1 {
			return invalid(capsule.CodeInvalidParameter, "version", "%q is not a positive integer", s)
		}
	}
	rt := Route{Method: r.Method, Path: "/api/v1/secrets/{id}/value"}
	p := principalFrom(r.Context())
	sec, err := ac.ids.FindSecret(r.Context(), id)
	if err != nil {
		return err
	}
	if err := sealedClusterSecret(sec.Name); err != nil {
		ac.record(r, rt, p, t, audit.OutcomeDenied, map[string]string{"name": sec.Name})
		return err
	}
	sealed, v, err := ac.ids.SecretVersion(r.Context(), id, version)
	if err != nil {
		ac.record(r, rt, p, t, audit.OutcomeFailure, map[string]string{"version": strconv.Itoa(version)})
		return err
	}
	plain, err := ring.Open(sealed, identity.SecretAAD(id, v))
	if err != nil {
		ac.record(r, rt, p, t, audit.OutcomeFailure, map[string]string{"version": strconv.Itoa(v)})
		return capsule.Internal(err)
	}
	ac.record(r, rt, p, t, audit.OutcomeSuccess, map[string]string{"name": sec.Name, "version": strconv.Itoa(v)})
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, SecretValue{ID: id, Name: sec.Name, Version: v, Value: string(plain)})
	return nil
}

func (ac *access) deleteSecret(w http.ResponseWriter, r *http.Request) error {
	sec, err := ac.ids.FindSecret(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := sealedClusterSecret(sec.Name); err != nil {
		return err
	}
	if err := ac.ids.DeleteSecret(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return noContent(w)
}
