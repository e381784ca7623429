package capsule

import (
	"context"
	"time"
)

// Cluster statuses.
const (
	// ClusterRegistered is a cluster without a write credential: Capsule
	// knows it but cannot deploy to it.
	ClusterRegistered = "registered"
	// ClusterConnected is a cluster whose write credential passed the
	// access check at CheckedAt.
	ClusterConnected = "connected"
)

// AgentNone is a cluster's agent status until an agent reports in.
const AgentNone = "none"

// Bounds of a cluster's metadata: free-form labels (team, cost centre)
// stored and returned on every read, so they are kept small.
const (
	MaxClusterMetadataKeys  = 64
	MaxClusterMetadataKey   = 63
	MaxClusterMetadataValue = 256
)

// Cluster is a Kubernetes cluster registered in an organization. Its write
// credential lives in the secret store; the record only says whether one is
// held. The JSON fields are snake_case, as the clusters API spells them.
type Cluster struct {
	ID             string            `json:"id"`
	OrganizationID string            `json:"organization_id"`
	Name           string            `json:"name"`
	CloudProvider  string            `json:"cloud_provider"`
	Region         string            `json:"region"`
	Metadata       map[string]string `json:"metadata"`
	Status         string            `json:"status"`
	AgentStatus    string            `json:"agent_status"`
	HasCredential  bool              `json:"has_credential"`
	// CredentialSecretID names the secret holding the write credential; it
	// is never shown.
	CredentialSecretID string     `json:"-"`
	ServerVersion      string     `json:"server_version,omitempty"`
	CheckedAt          *time.Time `json:"checked_at,omitempty"`
	Version            int64      `json:"version"`
	CreatedAt          time.Time  `json:"created_at"`
	UpdatedAt          time.Time  `json:"updated_at"`
}

// CloudProviders are the values cloud_provider accepts ("" = not said).
var CloudProviders = []string{"aws", "gcp", "azure", "digitalocean", "hetzner", "on-premises", "other"}

// Validate checks the cluster's fields and fills defaults: the name is a
// DNS label (so the CLI can name it), metadata is bounded, status and agent
// status follow the credential.
func (c *Cluster) Validate() error {
	var v Validation
	if c.OrganizationID == "" {
		v.Add("organization_id", "is required")
	}
	v.checkDNSLabel("name", c.Name)
	if c.CloudProvider != "" {
		v.checkOneOf("cloud_provider", c.CloudProvider, CloudProviders...)
	}
	if len(c.Region) > 63 {
		v.Add("region", "is longer than 63 characters")
	}
	if c.Metadata == nil {
		c.Metadata = map[string]string{}
	}
	if len(c.Metadata) > MaxClusterMetadataKeys {
		v.Add("metadata", "has %d keys, more than %d", len(c.Metadata), MaxClusterMetadataKeys)
	}
	for k, val := range c.Metadata {
		switch {
		case k == "" || len(k) > MaxClusterMetadataKey:
			v.Add("metadata", "key %q must be 1 to %d bytes", clipText(k, 80), MaxClusterMetadataKey)
		case len(val) > MaxClusterMetadataValue:
			v.Add("metadata."+k, "is longer than %d bytes", MaxClusterMetadataValue)
		}
	}
	c.HasCredential = c.CredentialSecretID != ""
	c.Status = ClusterRegistered
	if c.HasCredential {
		c.Status = ClusterConnected
	}
	if c.AgentStatus == "" {
		c.AgentStatus = AgentNone
	}
	return v.Err()
}

func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// ClusterFilter selects clusters.
type ClusterFilter struct {
	OrganizationID  string
	OrganizationIDs []string // when not nil, only clusters of these organizations
	Name            string
	Page
}

// ClusterCheck is the outcome of a successful access check of a cluster's
// write credential.
type ClusterCheck struct {
	SecretID      string
	ServerVersion string
	CheckedAt     time.Time
}

// ClusterStore persists clusters.
type ClusterStore interface {
	FindCluster(ctx context.Context, id string) (*Cluster, error)
	ListClusters(ctx context.Context, f ClusterFilter) (List[Cluster], error)
	CreateCluster(ctx context.Context, c *Cluster) error
	// UpdateCluster writes the descriptive fields (name, provider, region,
	// metadata) when c.Version is current, and increments it.
	UpdateCluster(ctx context.Context, c *Cluster) error
	// SetClusterCredential records that the cluster's credential is the
	// secret of chk (or, with a zero chk, that it has none).
	SetClusterCredential(ctx context.Context, id string, chk ClusterCheck) (*Cluster, error)
	// DeleteCluster removes the cluster; it refuses with CLUSTER_IN_USE,
	// naming them, while environments deploy to it.
	DeleteCluster(ctx context.Context, id string) error
}
