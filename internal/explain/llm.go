package explain

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Message is one chat message.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Provider sends a chat to a language model and returns its answer. The
// adapter for OpenAI-compatible endpoints is package openaichat.
type Provider interface {
	Complete(ctx context.Context, messages []Message) (string, error)
}

// Result is an explanation and where it came from.
type Result struct {
	Text string `json:"text"`
	// Source is "llm" or "deterministic".
	Source string `json:"source"`
	// FallbackReason says why an LLM answer was not used; empty otherwise.
	FallbackReason string `json:"fallback_reason,omitempty"`
	// Cached is true when the answer came from the cache.
	Cached bool `json:"cached,omitempty"`
}

// DefaultTimeout bounds one LLM call.
const DefaultTimeout = 20 * time.Second

// LLM explains through a Provider and falls back to Deterministic.
type LLM struct {
	Provider Provider
	Timeout  time.Duration // DefaultTimeout when zero

	// CacheSize bounds the answers kept (DefaultCacheSize when zero); the
	// oldest answer is dropped first, so a long-running server's memory stays
	// bounded however many distinct previews it explains.
	CacheSize int

	mu    sync.Mutex
	cache map[string]Result
	order []string // insertion order of cache keys, oldest first
}

// DefaultCacheSize is how many answers an LLM explainer keeps by default.
const DefaultCacheSize = 1024

// NewLLM returns an LLM explainer over p.
func NewLLM(p Provider) *LLM { return &LLM{Provider: p, cache: map[string]Result{}} }

const systemPrompt = `You explain Kubernetes promotion previews to engineers in 2 to 4 plain sentences.
Use ONLY the facts given as JSON. Resource names and namespaces are placeholders such as R1 or NS1:
keep them exactly as written, never invent others. Do not state any number, price or percentage
that is not in the facts. Mention the cost change and its largest drivers and the new risks of
severity 7 or more. No preamble, no lists, no markdown.`

// Explain asks the model; on any failure it returns the deterministic text
// with the reason.
func (l *LLM) Explain(ctx context.Context, f Facts) Result {
	m := newMasker(f)
	facts := maskedFacts(f, m)
	key := hash(facts)
	if r, ok := l.cached(key); ok {
		r.Cached = true
		return r
	}
	r := l.ask(ctx, f, facts, m)
	if r.Source == "llm" {
		l.store(key, r) // failures are not cached: the next call may succeed
	}
	return r
}

func (l *LLM) ask(ctx context.Context, f Facts, facts string, m *masker) Result {
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	answer, err := l.Provider.Complete(ctx, []Message{
		{Role: "system", Content: systemPrompt},
		{Role: "user", Content: "Facts:\n" + facts},
	})
	if err != nil {
		reason := "LLM request failed: " + err.Error()
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			reason = fmt.Sprintf("LLM did not answer within %s", timeout)
		}
		return fallback(f, reason)
	}
	answer = strings.TrimSpace(answer)
	if why := check(answer, facts, m, kindsOf(f)); why != "" {
		return fallback(f, why)
	}
	return Result{Text: m.restore(answer), Source: "llm"}
}

func fallback(f Facts, reason string) Result {
	return Result{Text: Deterministic(f), Source: "deterministic", FallbackReason: reason}
}

func (l *LLM) cached(key string) (Result, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.cache[key]
	return r, ok
}

func (l *LLM) store(key string, r Result) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cache == nil {
		l.cache = map[string]Result{}
	}
	if _, ok := l.cache[key]; ok {
		l.cache[key] = r
		return
	}
	limit := l.CacheSize
	if limit <= 0 {
		limit = DefaultCacheSize
	}
	for len(l.order) >= limit {
		delete(l.cache, l.order[0])
		l.order = l.order[1:]
	}
	l.cache[key] = r
	l.order = append(l.order, key)
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// maskedFacts renders the facts as the JSON the model sees: names masked,
// money as formatted strings so numbers can be checked literally.
func maskedFacts(f Facts, m *masker) string {
	type risk struct {
		Rule     string  `json:"rule"`
		Category string  `json:"category"`
		Severity float64 `json:"severity"`
		Status   string  `json:"status"`
		Resource string  `json:"resource"`
		Message  string  `json:"message"`
	}
	type driver struct {
		Resource string `json:"resource"`
		Delta    string `json:"monthly_delta"`
	}
	out := struct {
		Added      []string `json:"added"`
		Removed    []string `json:"removed"`
		Modified   []string `json:"modified"`
		Changes    int      `json:"field_changes"`
		Namespaces []string `json:"namespaces,omitempty"`
		Baseline   string   `json:"monthly_cost_before"`
		Projected  string   `json:"monthly_cost_after"`
		Delta      string   `json:"monthly_cost_delta"`
		Percent    string   `json:"monthly_cost_change_percent,omitempty"`
		Drivers    []driver `json:"largest_cost_drivers"`
		Level      string   `json:"risk_level"`
		Risks      []risk   `json:"risks"`
	}{
		Added: maskAll(f.Added, m), Removed: maskAll(f.Removed, m), Modified: maskAll(f.Modified, m),
		Changes: f.Changes, Namespaces: maskAll(f.Namespaces, m),
		Baseline: Money(f.BaselineCents, f.Currency), Projected: Money(f.ProjectedCents, f.Currency),
		Delta: signedMoney(f.DeltaCents(), f.Currency), Level: f.RiskLevel,
		Drivers: []driver{}, Risks: []risk{},
	}
	if f.BaselineCents > 0 {
		out.Percent = fmt.Sprintf("%+.1f%%", float64(f.DeltaCents())*100/float64(f.BaselineCents))
	}
	for _, d := range f.topDrivers() {
		out.Drivers = append(out.Drivers, driver{Resource: m.mask(d.Resource), Delta: signedMoney(d.DeltaCents, f.Currency)})
	}
	for _, r := range f.Risks {
		if r.Status == "resolved" {
			continue
		}
		out.Risks = append(out.Risks, risk{r.Rule, r.Category, r.Severity, r.Status, m.mask(r.Resource), m.mask(r.Message)})
	}
	b, err := json.MarshalIndent(out, "", " ")
	if err != nil {
		panic(err) // only strings and numbers: cannot fail
	}
	return string(b)
}

func maskAll(in []string, m *masker) []string {
	out := make([]string, len(in))
	for i, s := range in {
		out[i] = m.mask(s)
	}
	return out
}
