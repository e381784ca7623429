package capsule

import "context"

// DefaultPageSize and MaxPageSize bound list queries.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

// Page asks for one page of a list. Cursor is opaque to clients: the store
// returns NextCursor with each page and accepts it back to continue after it.
type Page struct {
	Limit  int    `json:"limit,omitempty"`
	Cursor string `json:"cursor,omitempty"`
}

// Normalize applies the default and maximum page sizes.
func (p Page) Normalize() Page {
	if p.Limit <= 0 {
		p.Limit = DefaultPageSize
	}
	if p.Limit > MaxPageSize {
		p.Limit = MaxPageSize
	}
	return p
}

// List is one page of results. NextCursor is empty on the last page.
type List[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// All reads every page of a list: list is called with successive pages of
// MaxPageSize until one comes back without a NextCursor. For internal
// walks (delivery, drift, export), never for answering a client, which
// pages itself.
func All[T any](list func(Page) (List[T], error)) ([]T, error) {
	var out []T
	p := Page{Limit: MaxPageSize}
	for {
		l, err := list(p)
		if err != nil {
			return nil, err
		}
		out = append(out, l.Items...)
		if l.NextCursor == "" {
			return out, nil
		}
		p.Cursor = l.NextCursor
	}
}

// ProjectEnvironments reads every environment of a project.
func ProjectEnvironments(ctx context.Context, st interface {
	ListEnvironments(context.Context, EnvironmentFilter) (List[Environment], error)
}, projectID string) ([]Environment, error) {
	return All(func(p Page) (List[Environment], error) {
		return st.ListEnvironments(ctx, EnvironmentFilter{ProjectID: projectID, Page: p})
	})
}

// ProjectServices reads every service of a project.
func ProjectServices(ctx context.Context, st interface {
	ListServices(context.Context, ServiceFilter) (List[Service], error)
}, projectID string) ([]Service, error) {
	return All(func(p Page) (List[Service], error) {
		return st.ListServices(ctx, ServiceFilter{ProjectID: projectID, Page: p})
	})
}
