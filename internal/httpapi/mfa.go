package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/identity"
	"github.com/usecapsule/capsule/internal/identity/totp"
)

// MFAStatus is the answer of GET /auth/mfa.
type MFAStatus struct {
	Enabled bool `json:"enabled"`
	Pending bool `json:"pending"` // enrolled but not confirmed with a first code
}

// MFAEnrollment is the answer of POST /auth/mfa/enroll: the secret to type
// or scan (otpauth URI as a QR code) into an authenticator app.
type MFAEnrollment struct {
	Secret string `json:"secret"`
	URI    string `json:"otpauthUri"`
}

// MFACodeRequest carries a one-time code or a recovery code.
type MFACodeRequest struct {
	Code         string `json:"code,omitempty"`
	RecoveryCode string `json:"recoveryCode,omitempty"`
}

// MFARecoveryCodes are shown once, when MFA is confirmed.
type MFARecoveryCodes struct {
	RecoveryCodes []string `json:"recoveryCodes"`
}

// selfUser returns the signed-in user's id; API keys have no second factor.
func selfUser(r *http.Request) (string, error) {
	p := principalFrom(r.Context())
	if p == nil || p.key != nil {
		return "", forbidden("two-factor authentication belongs to users, not API keys")
	}
	return p.caller.UserID, nil
}

func (ac *access) mfaStatus(w http.ResponseWriter, r *http.Request) error {
	uid, err := selfUser(r)
	if err != nil {
		return err
	}
	m, err := ac.ids.FindMFA(r.Context(), uid)
	if capsule.IsNotFound(err) {
		writeJSON(w, http.StatusOK, MFAStatus{})
		return nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, MFAStatus{Enabled: m.ConfirmedAt != nil, Pending: m.ConfirmedAt == nil})
	return nil
}

func (ac *access) mfaEnroll(w http.ResponseWriter, r *http.Request) error {
	uid, err := selfUser(r)
	if err != nil {
		return err
	}
	ring, err := ac.keyringOr501()
	if err != nil {
		return err
	}
	u, err := ac.store.FindUser(r.Context(), uid)
	if err != nil {
		return err
	}
	secret, err := totp.NewSecret()
	if err != nil {
		return err
	}
	sealed, err := ring.Seal([]byte(secret), identity.MFAAAD(uid))
	if err != nil {
		return err
	}
	if err := ac.ids.StartMFA(r.Context(), uid, sealed, ac.now()); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, MFAEnrollment{Secret: secret, URI: totp.URI("Capsule", u.Email, secret)})
	return nil
}

func (ac *access) mfaConfirm(w http.ResponseWriter, r *http.Request) error {
	uid, err := selfUser(r)
	if err != nil {
		return err
	}
	var req MFACodeRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	m, secret, err := ac.mfaSecret(r.Context(), uid)
	if err != nil {
		return err
	}
	if m.ConfirmedAt != nil {
		return capsule.Errorf(capsule.KindConflict, capsule.CodeMFAAlreadyEnabled, "two-factor authentication is already enabled")
	}
	step, err := totp.Verify(secret, req.Code, ac.now(), m.LastStep)
	if err != nil {
		return errBadMFACode
	}
	codes, hashes, err := totp.NewRecoveryCodes(totp.RecoveryCodeCount)
	if err != nil {
		return err
	}
	if err := ac.ids.ConfirmMFA(r.Context(), uid, step, hashes, ac.now()); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, MFARecoveryCodes{RecoveryCodes: codes})
	return nil
}

func (ac *access) mfaDisable(w http.ResponseWriter, r *http.Request) error {
	uid, err := selfUser(r)
	if err != nil {
		return err
	}
	var req MFACodeRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if err := ac.checkSecondFactor(r.Context(), uid, req); err != nil {
		return err
	}
	if err := ac.ids.DeleteMFA(r.Context(), uid); err != nil {
		return err
	}
	return noContent(w)
}

var (
	errMFARequired = capsule.Errorf(capsule.KindUnauthenticated, capsule.CodeMFARequired, "this account uses two-factor authentication: send \"otp\" (or \"recoveryCode\") with the password")
	errBadMFACode  = capsule.Errorf(capsule.KindUnauthenticated, capsule.CodeInvalidMFACode, "the one-time code is wrong, expired or already used")
)

func (ac *access) mfaSecret(ctx context.Context, uid string) (*identity.MFA, string, error) {
	m, err := ac.ids.FindMFA(ctx, uid)
	if err != nil {
		return nil, "", err
	}
	ring, err := ac.keyringOr501()
	if err != nil {
		return nil, "", err
	}
	plain, err := ring.Open(m.Secret, identity.MFAAAD(uid))
	if err != nil {
		return nil, "", capsule.Internal(err)
	}
	return m, string(plain), nil
}

// checkSecondFactor verifies a TOTP code (each time step once) or consumes
// a recovery code of a user with confirmed MFA; users without MFA pass.
func (ac *access) checkSecondFactor(ctx context.Context, uid string, req MFACodeRequest) error {
	m, secret, err := ac.mfaSecret(ctx, uid)
	if capsule.IsNotFound(err) || (err == nil && m.ConfirmedAt == nil) {
		return nil
	}
	if err != nil {
		return err
	}
	switch {
	case req.Code != "":
		step, err := totp.Verify(secret, req.Code, ac.now(), m.LastStep)
		if err != nil {
			return errBadMFACode
		}
		if ok, err := ac.ids.AdvanceMFAStep(ctx, uid, step); err != nil || !ok {
			return firstErr(err, errBadMFACode)
		}
		return nil
	case req.RecoveryCode != "":
		hashes, err := ac.ids.RecoveryCodeHashes(ctx, uid)
		if err != nil {
			return err
		}
		i := totp.MatchRecoveryCode(req.RecoveryCode, hashes)
		if i < 0 {
			return errBadMFACode
		}
		if ok, err := ac.ids.UseRecoveryCode(ctx, uid, hashes[i]); err != nil || !ok {
			return firstErr(err, errBadMFACode)
		}
		return nil
	}
	return errMFARequired
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// requireMFA enforces organization settings.mfaRequired: a user without
// confirmed MFA gets 403 MFA_ENROLMENT_REQUIRED in such an organization
// (lists simply leave it out), and may still use /auth routes to enrol.
func (ac *access) requireMFA(r *http.Request, rt Route, p *principal, t target) error {
	if p.key != nil || strings.HasPrefix(rt.Path, "/api/v1/auth/") {
		return nil
	}
	ctx := r.Context()
	enabled, err := cached(ac.cache, "mfa:"+p.caller.UserID, func() (bool, error) {
		return ac.ids.MFAEnabled(ctx, p.caller.UserID)
	})
	if err != nil || enabled {
		return err
	}
	requires := func(org string) (bool, error) {
		return cached(ac.cache, "orgmfa:"+org, func() (bool, error) {
			o, err := ac.store.FindOrganization(ctx, org)
			if capsule.IsNotFound(err) {
				return false, nil
			}
			return err == nil && o.Settings.MFARequired, err
		})
	}
	if t.scope.OrgID != "" {
		req, err := requires(t.scope.OrgID)
		if err != nil {
			return err
		}
		if req {
			return &capsule.Error{Kind: capsule.KindForbidden, Code: capsule.CodeMFAEnrolmentRequired,
				Message: "this organization requires two-factor authentication: enrol with POST /api/v1/auth/mfa/enroll"}
		}
		return nil
	}
	c := CallerFrom(ctx)
	kept := c.Memberships[:0:0]
	for _, m := range c.Memberships {
		req, err := requires(m.OrganizationID)
		if err != nil {
			return err
		}
		if !req {
			kept = append(kept, m)
		}
	}
	if len(kept) != len(c.Memberships) {
		narrowed := *c
		narrowed.Memberships = kept
		*r = *r.WithContext(withCaller(ctx, &narrowed))
	}
	return nil
}
