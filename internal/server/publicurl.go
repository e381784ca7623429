package server

import (
	"fmt"
	"net/url"
)

// validatePublicURL accepts an empty --public-url (messages then carry no
// link) or an absolute http(s) URL without query or fragment, under which
// the UI's paths are appended.
func validatePublicURL(s string) error {
	if s == "" {
		return nil
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("--public-url %q is not an absolute http or https URL without credentials, query or fragment", s)
	}
	return nil
}
