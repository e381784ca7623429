package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/usecapsule/capsule/internal/explain"
	"github.com/usecapsule/capsule/internal/explain/openaichat"
	"github.com/usecapsule/capsule/internal/preview"
)

// LLM explanations of previews: with --llm-url and --llm-model
// the previews API explains through an OpenAI-compatible chat-completions
// endpoint, with the same explainer as `capsule preview --llm-url`: only the
// computed facts are sent, names masked, and an answer that invents a name
// or number falls back to the deterministic text.
//
// Design decisions: one explainer per server, so its
// cache (by the SHA-256 of the facts) is shared by every request and user;
// the key comes only from $CAPSULE_LLM_API_KEY (a flag would show it in ps
// and shell history); the endpoint and model are logged at start, the key
// never; --llm-url without --llm-model is refused at start rather than
// failing on every preview.

// LLMOptions configure the LLM explainer; an empty URL disables it.
type LLMOptions struct {
	URL, Model string
	// Key is sent as a bearer token (api-key header for Azure).
	Key string
	// AzureAPIVersion selects Azure OpenAI's dialect.
	AzureAPIVersion string
	// Timeout bounds one call (explain.DefaultTimeout when 0).
	Timeout time.Duration
}

// complete fills unset fields from $CAPSULE_LLM_URL, $CAPSULE_LLM_MODEL and
// $CAPSULE_LLM_API_KEY.
func (l *LLMOptions) complete(getenv func(string) string) {
	for _, f := range []struct {
		v   *string
		env string
	}{{&l.URL, "CAPSULE_LLM_URL"}, {&l.Model, "CAPSULE_LLM_MODEL"}, {&l.Key, "CAPSULE_LLM_API_KEY"}} {
		if *f.v == "" {
			*f.v = getenv(f.env)
		}
	}
	if l.Timeout == 0 {
		l.Timeout = explain.DefaultTimeout
	}
}

func (l *LLMOptions) validate() error {
	if l.URL == "" {
		if l.Model != "" || l.AzureAPIVersion != "" {
			return errors.New("--llm-model and --llm-azure-api-version need --llm-url")
		}
		return nil
	}
	var errs []error
	if u, err := url.Parse(l.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		errs = append(errs, fmt.Errorf("--llm-url %q is not an http(s) URL", l.URL))
	}
	if l.Model == "" {
		errs = append(errs, errors.New("--llm-url needs --llm-model ($CAPSULE_LLM_MODEL)"))
	}
	if l.Timeout < 0 {
		errs = append(errs, fmt.Errorf("--llm-timeout %s must not be negative", l.Timeout))
	}
	return errors.Join(errs...)
}

// explainer returns the server's one LLM explainer, or nil without a URL.
func (l *LLMOptions) explainer(log *slog.Logger, hc *http.Client) preview.Explainer {
	if l.URL == "" {
		return nil
	}
	llm := explain.NewLLM(&openaichat.Client{URL: l.URL, Model: l.Model, Key: l.Key, APIVersion: l.AzureAPIVersion, HTTP: hc})
	llm.Timeout = l.Timeout
	log.Info("preview explanations use an LLM", "url", l.URL, "model", l.Model, "azure", l.AzureAPIVersion != "", "timeout", l.Timeout.String())
	return llm
}
