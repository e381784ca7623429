package capsule

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
