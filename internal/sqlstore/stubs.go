package sqlstore

import (
	"context"
	"time"

	capsule "github.com/usecapsule/capsule"
)

// These methods are filled in entity by entity; until then they answer
// NOT_IMPLEMENTED so that the API can be wired against the signatures.

func (s *Store) FindOrganization(ctx context.Context, id string) (*capsule.Organization, error) {
	return nil, capsule.NotImplemented("FindOrganization")
}
func (s *Store) ListOrganizations(ctx context.Context, f capsule.OrganizationFilter) (capsule.List[capsule.Organization], error) {
	return capsule.List[capsule.Organization]{}, capsule.NotImplemented("ListOrganizations")
}
func (s *Store) CreateOrganization(ctx context.Context, o *capsule.Organization, ownerUserID string) error {
	return capsule.NotImplemented("CreateOrganization")
}
func (s *Store) UpdateOrganization(ctx context.Context, o *capsule.Organization) error {
	return capsule.NotImplemented("UpdateOrganization")
}
func (s *Store) DeleteOrganization(ctx context.Context, id string) error {
	return capsule.NotImplemented("DeleteOrganization")
}
func (s *Store) FindProject(ctx context.Context, id string) (*capsule.Project, error) {
	return nil, capsule.NotImplemented("FindProject")
}
func (s *Store) ListProjects(ctx context.Context, f capsule.ProjectFilter) (capsule.List[capsule.Project], error) {
	return capsule.List[capsule.Project]{}, capsule.NotImplemented("ListProjects")
}
func (s *Store) CreateProject(ctx context.Context, p *capsule.Project) error {
	return capsule.NotImplemented("CreateProject")
}
func (s *Store) UpdateProject(ctx context.Context, p *capsule.Project) error {
	return capsule.NotImplemented("UpdateProject")
}
func (s *Store) DeleteProject(ctx context.Context, id string) error {
	return capsule.NotImplemented("DeleteProject")
}
func (s *Store) FindEnvironment(ctx context.Context, id string) (*capsule.Environment, error) {
	return nil, capsule.NotImplemented("FindEnvironment")
}
func (s *Store) ListEnvironments(ctx context.Context, f capsule.EnvironmentFilter) (capsule.List[capsule.Environment], error) {
	return capsule.List[capsule.Environment]{}, capsule.NotImplemented("ListEnvironments")
}
func (s *Store) CreateEnvironment(ctx context.Context, e *capsule.Environment) error {
	return capsule.NotImplemented("CreateEnvironment")
}
func (s *Store) UpdateEnvironment(ctx context.Context, e *capsule.Environment) error {
	return capsule.NotImplemented("UpdateEnvironment")
}
func (s *Store) DeleteEnvironment(ctx context.Context, id string) error {
	return capsule.NotImplemented("DeleteEnvironment")
}
func (s *Store) FindService(ctx context.Context, id string) (*capsule.Service, error) {
	return nil, capsule.NotImplemented("FindService")
}
func (s *Store) ListServices(ctx context.Context, f capsule.ServiceFilter) (capsule.List[capsule.Service], error) {
	return capsule.List[capsule.Service]{}, capsule.NotImplemented("ListServices")
}
func (s *Store) CreateService(ctx context.Context, sv *capsule.Service, actor string) error {
	return capsule.NotImplemented("CreateService")
}
func (s *Store) UpdateService(ctx context.Context, sv *capsule.Service, actor string) error {
	return capsule.NotImplemented("UpdateService")
}
func (s *Store) DeleteService(ctx context.Context, id string) error {
	return capsule.NotImplemented("DeleteService")
}
func (s *Store) ListServiceRevisions(ctx context.Context, serviceID string, p capsule.Page) (capsule.List[capsule.ServiceRevision], error) {
	return capsule.List[capsule.ServiceRevision]{}, capsule.NotImplemented("ListServiceRevisions")
}
func (s *Store) FindServiceRevision(ctx context.Context, serviceID string, number int) (*capsule.ServiceRevision, error) {
	return nil, capsule.NotImplemented("FindServiceRevision")
}
func (s *Store) FindDeployment(ctx context.Context, id string) (*capsule.Deployment, error) {
	return nil, capsule.NotImplemented("FindDeployment")
}
func (s *Store) ListDeployments(ctx context.Context, f capsule.DeploymentFilter) (capsule.List[capsule.Deployment], error) {
	return capsule.List[capsule.Deployment]{}, capsule.NotImplemented("ListDeployments")
}
func (s *Store) CreateDeployment(ctx context.Context, d *capsule.Deployment) error {
	return capsule.NotImplemented("CreateDeployment")
}
func (s *Store) UpdateDeploymentStatus(ctx context.Context, id, status, message string) (*capsule.Deployment, error) {
	return nil, capsule.NotImplemented("UpdateDeploymentStatus")
}
func (s *Store) FindUser(ctx context.Context, id string) (*capsule.User, error) {
	return nil, capsule.NotImplemented("FindUser")
}
func (s *Store) FindUserByEmail(ctx context.Context, email string) (*capsule.User, error) {
	return nil, capsule.NotImplemented("FindUserByEmail")
}
func (s *Store) CreateUser(ctx context.Context, u *capsule.User) error {
	return capsule.NotImplemented("CreateUser")
}
func (s *Store) UpdateUser(ctx context.Context, u *capsule.User) error {
	return capsule.NotImplemented("UpdateUser")
}
func (s *Store) TouchUserLogin(ctx context.Context, id string, at time.Time) error {
	return capsule.NotImplemented("TouchUserLogin")
}
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	return 0, capsule.NotImplemented("CountUsers")
}
func (s *Store) AddMember(ctx context.Context, m *capsule.Member) error {
	return capsule.NotImplemented("AddMember")
}
func (s *Store) FindMember(ctx context.Context, orgID, userID string) (*capsule.Member, error) {
	return nil, capsule.NotImplemented("FindMember")
}
func (s *Store) ListMembers(ctx context.Context, orgID string, p capsule.Page) (capsule.List[capsule.Member], error) {
	return capsule.List[capsule.Member]{}, capsule.NotImplemented("ListMembers")
}
func (s *Store) ListMemberships(ctx context.Context, userID string) ([]capsule.Member, error) {
	return nil, capsule.NotImplemented("ListMemberships")
}
func (s *Store) RemoveMember(ctx context.Context, orgID, userID string) error {
	return capsule.NotImplemented("RemoveMember")
}
func (s *Store) CreateSession(ctx context.Context, ss *capsule.Session) error {
	return capsule.NotImplemented("CreateSession")
}
func (s *Store) FindSessionByTokenHash(ctx context.Context, tokenHash string) (*capsule.Session, error) {
	return nil, capsule.NotImplemented("FindSessionByTokenHash")
}
func (s *Store) RotateSession(ctx context.Context, oldID string, next *capsule.Session) error {
	return capsule.NotImplemented("RotateSession")
}
func (s *Store) RevokeSession(ctx context.Context, id string) error {
	return capsule.NotImplemented("RevokeSession")
}
func (s *Store) RevokeSessionFamily(ctx context.Context, familyID string) error {
	return capsule.NotImplemented("RevokeSessionFamily")
}
