package httpapi

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/usecapsule/capsule"
)

// genStore decorates a Store with a generation counter that every write
// bumps after it returns. Read caches tag entries with the generation they
// read before querying, so an entry is never served after a write through
// this store has completed. Writes that bypass it (another process on the
// same database) are covered only by the cache TTL, which is why the server
// enables caching for SQLite alone.
//
// Every mutating method of capsule.Store must be overridden here; the
// embedded Store forwards the rest.
//
// Memberships have their own generation, bumped only by the writes that can
// change them, so a burst of service writes does not make every request
// re-read the caller's memberships.
type genStore struct {
	capsule.Store
	gen    atomic.Uint64
	member atomic.Uint64
}

func (s *genStore) generation() uint64 { return s.gen.Load() }

func (s *genStore) memberGeneration() uint64 { return s.member.Load() }

func (s *genStore) bump(err error) error {
	s.gen.Add(1)
	return err
}

// bumpMembers invalidates the memberships as well as everything else.
func (s *genStore) bumpMembers(err error) error {
	s.member.Add(1)
	return s.bump(err)
}

func (s *genStore) CreateOrganization(ctx context.Context, o *capsule.Organization, owner string) error {
	return s.bumpMembers(s.Store.CreateOrganization(ctx, o, owner))
}
func (s *genStore) UpdateOrganization(ctx context.Context, o *capsule.Organization) error {
	return s.bump(s.Store.UpdateOrganization(ctx, o))
}
func (s *genStore) DeleteOrganization(ctx context.Context, id string) error {
	return s.bumpMembers(s.Store.DeleteOrganization(ctx, id))
}
func (s *genStore) CreateProject(ctx context.Context, p *capsule.Project) error {
	return s.bump(s.Store.CreateProject(ctx, p))
}
func (s *genStore) UpdateProject(ctx context.Context, p *capsule.Project) error {
	return s.bump(s.Store.UpdateProject(ctx, p))
}
func (s *genStore) DeleteProject(ctx context.Context, id string) error {
	return s.bump(s.Store.DeleteProject(ctx, id))
}
func (s *genStore) CreateEnvironment(ctx context.Context, e *capsule.Environment) error {
	return s.bump(s.Store.CreateEnvironment(ctx, e))
}
func (s *genStore) UpdateEnvironment(ctx context.Context, e *capsule.Environment) error {
	return s.bump(s.Store.UpdateEnvironment(ctx, e))
}
func (s *genStore) DeleteEnvironment(ctx context.Context, id string) error {
	return s.bump(s.Store.DeleteEnvironment(ctx, id))
}
func (s *genStore) CreateCluster(ctx context.Context, c *capsule.Cluster) error {
	return s.bump(s.Store.CreateCluster(ctx, c))
}
func (s *genStore) UpdateCluster(ctx context.Context, c *capsule.Cluster) error {
	return s.bump(s.Store.UpdateCluster(ctx, c))
}
func (s *genStore) SetClusterCredential(ctx context.Context, id string, chk capsule.ClusterCheck) (*capsule.Cluster, error) {
	c, err := s.Store.SetClusterCredential(ctx, id, chk)
	return c, s.bump(err)
}
func (s *genStore) DeleteCluster(ctx context.Context, id string) error {
	return s.bump(s.Store.DeleteCluster(ctx, id))
}
func (s *genStore) CreateService(ctx context.Context, sv *capsule.Service, actor string) error {
	return s.bump(s.Store.CreateService(ctx, sv, actor))
}
func (s *genStore) UpdateService(ctx context.Context, sv *capsule.Service, actor string) error {
	return s.bump(s.Store.UpdateService(ctx, sv, actor))
}
func (s *genStore) DeleteService(ctx context.Context, id string) error {
	return s.bump(s.Store.DeleteService(ctx, id))
}
func (s *genStore) CreateDeployment(ctx context.Context, d *capsule.Deployment) error {
	return s.bump(s.Store.CreateDeployment(ctx, d))
}
func (s *genStore) UpdateDeploymentStatus(ctx context.Context, id, status, msg string) (*capsule.Deployment, error) {
	d, err := s.Store.UpdateDeploymentStatus(ctx, id, status, msg)
	return d, s.bump(err)
}
func (s *genStore) CreateUser(ctx context.Context, u *capsule.User) error {
	return s.bumpMembers(s.Store.CreateUser(ctx, u))
}
func (s *genStore) UpdateUser(ctx context.Context, u *capsule.User) error {
	return s.bump(s.Store.UpdateUser(ctx, u))
}
func (s *genStore) AddMember(ctx context.Context, m *capsule.Member) error {
	return s.bumpMembers(s.Store.AddMember(ctx, m))
}
func (s *genStore) RemoveMember(ctx context.Context, orgID, userID string) error {
	return s.bumpMembers(s.Store.RemoveMember(ctx, orgID, userID))
}

// TouchUserLogin changes only lastLoginAt, which /auth/me reads uncached,
// so it does not invalidate the caches (logins would otherwise flush them).
func (s *genStore) TouchUserLogin(ctx context.Context, id string, at time.Time) error {
	return s.Store.TouchUserLogin(ctx, id, at)
}

// SetUserDisabled changes what user lists show.
func (s *genStore) SetUserDisabled(ctx context.Context, id string, disabled bool, at time.Time) error {
	return s.bump(s.Store.SetUserDisabled(ctx, id, disabled, at))
}

// DeleteUser removes the user's memberships with them.
func (s *genStore) DeleteUser(ctx context.Context, id string) error {
	return s.bumpMembers(s.Store.DeleteUser(ctx, id))
}

func (s *genStore) CreatePromotion(ctx context.Context, p *capsule.Promotion, a *capsule.PromotionArtifact) error {
	return s.bump(s.Store.CreatePromotion(ctx, p, a))
}

func (s *genStore) UpdatePromotion(ctx context.Context, id string, version int64, u capsule.PromotionUpdate) (*capsule.Promotion, error) {
	p, err := s.Store.UpdatePromotion(ctx, id, version, u)
	return p, s.bump(err)
}
