package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/usecapsule/capsule/internal/cost"
	"github.com/usecapsule/capsule/internal/diff"
	"github.com/usecapsule/capsule/internal/egress"
	"github.com/usecapsule/capsule/internal/explain"
	"github.com/usecapsule/capsule/internal/explain/openaichat"
	"github.com/usecapsule/capsule/internal/manifest"
	"github.com/usecapsule/capsule/internal/preview"
	"github.com/usecapsule/capsule/internal/risk"
)

// previewOptions are the flags of `capsule preview`.
type previewOptions struct {
	from, to, clusterState, kubeVersion, pricing, failOn, output string
	ignore                                                       string
	matchNamespace, failOnExisting                               bool
	llmURL, llmModel, llmKey, llmAPIVersion                      string
	llmTimeout                                                   time.Duration
}

func newPreviewCmd(s Streams) *cobra.Command {
	o := &previewOptions{}
	cmd := &cobra.Command{
		Use:   "preview --from CURRENT --to PROPOSED",
		Short: "Preview a promotion: diff, cost, risk and explanation",
		Long: `Compare the current set of Kubernetes objects with the proposed one and show, as one
artifact, what changes (semantic diff), what it costs per month, which risks it adds or removes,
and a plain-English explanation. CURRENT and PROPOSED are YAML/JSON files or directories.

--fail-on judges what the promotion introduces: the findings whose status is "new". A
promotion that changes nothing passes any threshold; --fail-on-existing counts the
unchanged findings too (resolved ones never count).

Exit codes: 0 success; 1 on errors; 2 on usage errors (an unknown flag or a bad value such
as --fail-on bogus); 3 when --fail-on is given and a counted finding reaches it.
The LLM key is read from --llm-key, else $CAPSULE_LLM_API_KEY.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPreview(cmd.Context(), s, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.from, "from", "", "current objects: file or directory (required)")
	f.StringVar(&o.to, "to", "", "proposed objects: file or directory (required)")
	f.StringVar(&o.clusterState, "cluster-state", "", "target cluster snapshot (Nodes, Pods, ResourceQuotas, LimitRanges, ConfigMaps, Secrets)")
	f.StringVar(&o.kubeVersion, "kube-version", "", "target Kubernetes version for deprecated APIs (default: the cluster state's, else "+risk.DefaultKubeVersion+")")
	f.StringVar(&o.pricing, "pricing", "", "pricing override file")
	f.StringVar(&o.failOn, "fail-on", "", "exit 3 when a new finding reaches low|medium|high|critical")
	f.BoolVar(&o.failOnExisting, "fail-on-existing", false, "let --fail-on count unchanged findings too, not only new ones")
	f.StringVar(&o.ignore, "ignore-differences", "", "YAML list of Argo CD style ignoreDifferences rules ({group, kind, name, namespace, jsonPointers})")
	f.BoolVar(&o.matchNamespace, "match-namespace", false, "match objects by namespace too (default: by group, kind and name)")
	f.StringVar(&o.llmURL, "llm-url", "", "OpenAI-compatible API base URL, e.g. https://api.openai.com/v1 (enables the LLM explainer)")
	f.StringVar(&o.llmModel, "llm-model", "", "model (or Azure deployment) name")
	f.StringVar(&o.llmKey, "llm-key", "", "API key (default $CAPSULE_LLM_API_KEY)")
	f.StringVar(&o.llmAPIVersion, "llm-azure-api-version", "", "Azure OpenAI api-version; selects the api-key header")
	f.DurationVar(&o.llmTimeout, "llm-timeout", explain.DefaultTimeout, "LLM timeout; the deterministic explanation is used after it")
	outputFlag(cmd, &o.output, "text", "json", "markdown")
	return cmd
}

func runPreview(ctx context.Context, s Streams, o *previewOptions) error {
	if err := o.validate(); err != nil {
		return err
	}
	in, err := o.input()
	if err != nil {
		return err
	}
	p, err := preview.Build(in)
	if err != nil {
		return withExitCode(ExitError, oneLine(err))
	}
	if o.llmURL != "" {
		c, err := o.llmClient()
		if err != nil {
			return withExitCode(ExitUsage, err)
		}
		llm := explain.NewLLM(c)
		llm.Timeout = o.llmTimeout
		p.Explain(ctx, llm)
		if r := p.ExplanationSource; r != nil && r.FallbackReason != "" {
			fmt.Fprintln(s.Err, "warning: LLM explanation not used: "+r.FallbackReason)
		}
	}
	if err := writePreview(s.Out, o.output, p); err != nil {
		return err
	}
	if o.failOn != "" {
		threshold, _ := risk.ParseLevel(o.failOn)
		if risk.Trips(gateFindings(p.Risks, o.failOnExisting), threshold) {
			what := "a new finding"
			if o.failOnExisting {
				what = "a new or unchanged finding"
			}
			return withExitCode(ExitPolicy, fmt.Errorf("risk level %s: %s reaches --fail-on %s", p.RiskLevel, what, threshold))
		}
	}
	return nil
}

// gateFindings are the findings --fail-on judges. A CI gate asks whether
// this promotion makes things worse, so by default only the findings it
// introduces count: an unchanged finding was already in the current
// environment and a promotion that changes nothing must pass. With
// existing, unchanged findings count too; resolved ones never do.
func gateFindings(fs []risk.Finding, existing bool) []risk.Finding {
	var out []risk.Finding
	for _, f := range fs {
		if f.Status == risk.StatusNew || existing && f.Status == risk.StatusUnchanged {
			out = append(out, f)
		}
	}
	return out
}

func (o *previewOptions) validate() error {
	if o.from == "" || o.to == "" {
		return usageError("--from and --to are required")
	}
	if err := checkFormat(o.output, "text", "json", "markdown"); err != nil {
		return err
	}
	if o.failOn != "" {
		if _, err := risk.ParseLevel(o.failOn); err != nil {
			return usageError("--fail-on: %v", err)
		}
	}
	if o.kubeVersion != "" {
		if _, err := risk.ParseVersion(o.kubeVersion); err != nil {
			return usageError("--kube-version: %v", err)
		}
	}
	if o.failOnExisting && o.failOn == "" {
		return usageError("--fail-on-existing needs --fail-on")
	}
	if o.llmURL != "" && o.llmModel == "" {
		return usageError("--llm-url needs --llm-model")
	}
	return nil
}

func (o *previewOptions) input() (preview.Input, error) {
	in := preview.Input{KubeVersion: o.kubeVersion}
	in.Diff.MatchNamespace = o.matchNamespace
	var err error
	if in.Current, err = loadSet("--from", o.from); err != nil {
		return in, err
	}
	if in.Proposed, err = loadSet("--to", o.to); err != nil {
		return in, err
	}
	if o.clusterState != "" {
		objs, err := loadSet("--cluster-state", o.clusterState)
		if err != nil {
			return in, err
		}
		if in.Cluster, err = preview.ClusterFromObjects(objs); err != nil {
			return in, withExitCode(ExitError, fmt.Errorf("--cluster-state: %w", oneLine(err)))
		}
	}
	if o.ignore != "" {
		if in.Diff.Ignore, err = loadIgnoreRules(o.ignore); err != nil {
			return in, withExitCode(ExitError, fmt.Errorf("--ignore-differences: %w", err))
		}
	}
	if o.pricing != "" {
		data, err := os.ReadFile(o.pricing)
		if err != nil {
			return in, withExitCode(ExitError, fmt.Errorf("--pricing: %w", err))
		}
		p, err := cost.ParsePricing(o.pricing, data)
		if err != nil {
			return in, withExitCode(ExitError, fmt.Errorf("--pricing: %w", err))
		}
		in.Pricing = &p
	}
	return in, nil
}

// loadIgnoreRules reads ignoreDifferences rules as an Argo CD Application
// spec writes them: a YAML list, strictly (a misspelt field is an error).
func loadIgnoreRules(path string) ([]diff.IgnoreRule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rules []diff.IgnoreRule
	if err := yaml.UnmarshalStrict(data, &rules); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rules, nil
}

func loadSet(flag, path string) ([]manifest.Object, error) {
	objs, err := manifest.Load(path)
	if err != nil {
		return nil, withExitCode(ExitError, fmt.Errorf("%s: %w", flag, oneLine(err)))
	}
	return objs, nil
}

// llmClient calls the LLM through the guarded client. On the command line
// loopback is allowed by default (a local Ollama or vLLM is the usual
// endpoint, and the person who typed the URL is the one it serves); other
// non-public networks need $CAPSULE_EGRESS_ALLOW, as on the server.
func (o *previewOptions) llmClient() (*openaichat.Client, error) {
	key := o.llmKey
	if key == "" {
		key = os.Getenv("CAPSULE_LLM_API_KEY")
	}
	allow, err := egress.ParseAllow(os.Getenv("CAPSULE_EGRESS_ALLOW"))
	if err != nil {
		return nil, fmt.Errorf("$CAPSULE_EGRESS_ALLOW: %w", err)
	}
	loopback, _ := egress.ParseAllow("127.0.0.0/8,::1")
	hc := egress.New(egress.Options{Allow: append(allow, loopback...)})
	return &openaichat.Client{URL: o.llmURL, Model: o.llmModel, Key: key, APIVersion: o.llmAPIVersion, HTTP: hc}, nil
}

func writePreview(w io.Writer, format string, p *preview.Preview) error {
	switch format {
	case "json":
		return p.WriteJSON(w)
	case "markdown":
		return p.WriteMarkdown(w)
	default:
		return p.WriteText(w)
	}
}

// oneLine folds a multi-line error (the loader lists every problem) into
// one line, as Main prints errors.
func oneLine(err error) error {
	msg := err.Error()
	if !strings.Contains(msg, "\n") {
		return err
	}
	parts := strings.Split(msg, "\n")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return errors.New(strings.Join(parts, "; "))
}
