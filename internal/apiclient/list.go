package apiclient

import (
	"context"
	"net/http"
	"net/url"
)

// Page is one page of a list answer.
type Page struct {
	Items      []map[string]any `json:"items"`
	NextCursor string           `json:"nextCursor,omitempty"`
}

// List fetches pages of the collection at path with the query q. With all
// set it follows nextCursor until the last page; otherwise it returns one page.
func (c *Client) List(ctx context.Context, path string, q url.Values, all bool) (*Page, error) {
	out := &Page{Items: []map[string]any{}}
	q = cloneValues(q)
	for {
		var p Page
		target := path
		if enc := q.Encode(); enc != "" {
			target += "?" + enc
		}
		if err := c.Do(ctx, http.MethodGet, target, nil, &p); err != nil {
			return nil, err
		}
		out.Items = append(out.Items, p.Items...)
		out.NextCursor = p.NextCursor
		if !all || p.NextCursor == "" {
			return out, nil
		}
		q.Set("cursor", p.NextCursor)
	}
}

func cloneValues(q url.Values) url.Values {
	c := url.Values{}
	for k, v := range q {
		c[k] = append([]string(nil), v...)
	}
	return c
}
