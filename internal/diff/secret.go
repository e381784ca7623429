package diff

import (
	"crypto/sha256"
	"encoding/base64"
	"strings"
)

// secretValue stands for a Secret value: equal values have equal digests,
// and every rendering of it is "(redacted)".
type secretValue struct{ digest [sha256.Size]byte }

// MarshalJSON renders the value as "(redacted)".
func (secretValue) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// String renders the value as "(redacted)".
func (secretValue) String() string { return Redacted }

// redactSecret merges stringData into data (as the API server does, so the
// same value written either way is equal) and replaces every value with a
// secretValue; annotations holding a copy of a value are redacted too.
func redactSecret(m map[string]any) {
	data, _ := m["data"].(map[string]any)
	plain := map[string]string{}
	for k, v := range data {
		s, _ := v.(string)
		if dec, err := base64.StdEncoding.DecodeString(s); err == nil {
			plain[k] = string(dec)
		} else {
			plain[k] = s
		}
	}
	if sd, ok := m["stringData"].(map[string]any); ok {
		for k, v := range sd {
			s, _ := v.(string)
			plain[k] = s
		}
		delete(m, "stringData")
	}
	if len(plain) == 0 {
		return
	}
	red := make(map[string]any, len(plain))
	for k, v := range plain {
		red[k] = secretValue{digest: sha256.Sum256([]byte(v))}
	}
	m["data"] = red
	redactAnnotations(m, plain)
}

// redactAnnotations replaces annotations that contain any secret value, in
// plain or base64 form (e.g. a hand-made last-applied copy).
func redactAnnotations(m map[string]any, plain map[string]string) {
	md, _ := m["metadata"].(map[string]any)
	ann, _ := md["annotations"].(map[string]any)
	for k, v := range ann {
		s, _ := v.(string)
		for _, p := range plain {
			if p == "" {
				continue
			}
			if strings.Contains(s, p) || strings.Contains(s, base64.StdEncoding.EncodeToString([]byte(p))) {
				ann[k] = secretValue{digest: sha256.Sum256([]byte(s))}
				break
			}
		}
	}
}

// display returns v as it may be shown: secret values become "(redacted)".
func display(v any) any {
	switch x := v.(type) {
	case secretValue:
		return Redacted
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = display(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = display(e)
		}
		return out
	}
	return v
}
