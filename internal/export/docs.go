package export

import (
	"fmt"
	"slices"
	"strings"

	capsule "github.com/usecapsule/capsule"
)

// docs writes docs/README.md (what is there, how to apply each format,
// which secrets to create), docs/MIGRATION.md (from Capsule to Argo CD,
// Flux or Terraform) and docs/ARCHITECTURE.md (services, dependencies and
// environments from the configuration).
func (p *prepared) docs(files map[string][]byte, format string) {
	has := func(f string) bool { return format == FormatAll || format == f }
	files["docs/README.md"] = []byte(p.readme(has))
	files["docs/MIGRATION.md"] = []byte(p.migration(has))
	files["docs/ARCHITECTURE.md"] = []byte(p.architecture())
}

func (p *prepared) readme(has func(string) bool) string {
	var b strings.Builder
	pr := p.in.Project
	fmt.Fprintf(&b, "# %s: exported from Capsule\n\n", pr.Name)
	fmt.Fprintf(&b, "These files run project %s (%d services, %d environments) without Capsule. They hold exactly\n", pr.Slug, len(p.svcs), len(p.envs))
	fmt.Fprintf(&b, "what Capsule renders for each environment. The reference environment, used for the Kustomize base\nand Docker Compose, is %s.\n\n", p.ref)
	b.WriteString("| path | what |\n|---|---|\n")
	if has(FormatKustomize) {
		b.WriteString("| `kubernetes/base` | the reference environment's objects, one file per service |\n")
		b.WriteString("| `kubernetes/overlays/<env>` | per environment: namespace, the Namespace object and only what differs from the base (JSON 6902 patches) |\n")
	}
	if has(FormatHelm) {
		b.WriteString("| `helm/charts/<project>` | one chart; per-environment parts (namespace, labels, image, replicas, resources, env) come from values |\n")
		b.WriteString("| `helm/values-<env>.yaml` | the values of each environment |\n")
	}
	if has(FormatTerraform) {
		b.WriteString("| `terraform/modules/<service>` | `kubernetes_manifest` resources for the service's objects in `var.environment` (`manifests/<env>/`) |\n")
		b.WriteString("| `terraform/environments/<env>` | provider, namespace and every module for one environment (`variables.tf`: kubeconfig, context) |\n")
	}
	if has(FormatCompose) {
		b.WriteString("| `docker-compose/docker-compose.yml` | every service on one machine, from the reference environment |\n")
	}
	b.WriteString("| `docs/` | this file, MIGRATION.md, ARCHITECTURE.md |\n\n")
	b.WriteString("## Secrets first\n\nNo secret value is in these files. Each service that has secrets reads them from a Kubernetes\n")
	b.WriteString("Secret `<service>-secrets` (Docker Compose: `docker-compose/secrets/<service>.env`) that you create:\n\n")
	secrets := false
	for _, sv := range p.svcs {
		if len(sv.Config.Secrets) == 0 {
			continue
		}
		secrets = true
		for _, e := range p.envs {
			fmt.Fprintf(&b, "    kubectl -n %s create secret generic %s-secrets", e.Namespace, sv.Name)
			for _, k := range sv.Config.Secrets {
				fmt.Fprintf(&b, " \\\n      --from-literal=%s=REPLACE_ME", k)
			}
			b.WriteString("\n")
		}
	}
	if !secrets {
		b.WriteString("    # no service has secrets\n")
	}
	b.WriteString("\nCapsule's secret store holds the current values (reading them needs the secrets:read permission and is audited).\n")
	b.WriteString("`capsule export --age-recipient age1...` writes them encrypted to that age key as `secrets/<env>/<service>.env.age`;\n")
	b.WriteString("decrypt and create the Secret with:\n\n")
	b.WriteString("    age -d -i key.txt secrets/<env>/<service>.env.age > service.env\n")
	b.WriteString("    kubectl -n <namespace> create secret generic <service>-secrets --from-env-file=service.env && rm service.env\n\n")
	if has(FormatKustomize) {
		b.WriteString("## Kustomize\n\n")
		for _, e := range p.envs {
			fmt.Fprintf(&b, "    kubectl apply --server-side -k kubernetes/overlays/%s\n", e.Name)
		}
		b.WriteString("\nPreview with `kubectl kustomize kubernetes/overlays/<env>` or `kubectl diff -k ...`.\n\n")
	}
	if has(FormatHelm) {
		b.WriteString("## Helm\n\n")
		for _, e := range p.envs {
			fmt.Fprintf(&b, "    helm upgrade --install %s helm/charts/%s -n %s --create-namespace -f helm/values-%s.yaml\n", p.in.Project.Slug, p.in.Project.Slug, e.Namespace, e.Name)
		}
		b.WriteString("\n")
	}
	if has(FormatTerraform) {
		b.WriteString("## Terraform\n\n")
		for _, e := range p.envs {
			fmt.Fprintf(&b, "    (cd terraform/environments/%s && terraform init && terraform apply)\n", e.Name)
		}
		b.WriteString("\nSet `kubeconfig` and `kube_context` (terraform.tfvars or `-var`) to the environment's cluster.\n\n")
	}
	if has(FormatCompose) {
		b.WriteString("## Docker Compose\n\n    mkdir -p docker-compose/secrets\n")
		for _, sv := range p.svcs {
			if len(sv.Config.Secrets) > 0 {
				fmt.Fprintf(&b, "    printf '%s=REPLACE_ME\\n' > docker-compose/secrets/%s.env\n", strings.Join(sv.Config.Secrets, "=REPLACE_ME\\n"), sv.Name)
			}
		}
		b.WriteString("    docker compose -f docker-compose/docker-compose.yml up\n\n")
		b.WriteString("Cron services have the profile `cron`: run one with `docker compose -f docker-compose/docker-compose.yml run --rm <name>`.\n")
		b.WriteString("Health checks run inside the containers: HTTP checks need `wget`, TCP checks `nc` in the image.\n")
	}
	return b.String()
}

func (p *prepared) migration(has func(string) bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Migrating %s from Capsule\n\n", p.in.Project.Name)
	b.WriteString("Capsule applies with server-side apply as field manager `capsule`. Moving to another tool is taking over\nthose objects; nothing needs to be deleted or recreated.\n\n")
	b.WriteString("1. Commit this directory to a Git repository your tool reads.\n")
	b.WriteString("2. Create the Secrets listed in README.md in every namespace (or manage them with Sealed Secrets, SOPS or External Secrets under the same names).\n")
	b.WriteString("3. Stop Capsule deploying the project (delete its environments in Capsule, or stop using `capsule deploy`), so two tools do not apply the same objects.\n")
	b.WriteString("4. Point your tool at the files (below), and check it reports no difference with what runs: `kubectl diff --server-side -k kubernetes/overlays/<env>`.\n")
	b.WriteString("5. Take over field ownership on the first apply: `kubectl apply --server-side --force-conflicts -k ...`, or the tool's equivalent.\n\n")
	if has(FormatKustomize) {
		b.WriteString("## Argo CD\n\nOne Application per environment:\n\n")
		for _, e := range p.envs {
			fmt.Fprintf(&b, "```yaml\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: %s-%s\n  namespace: argocd\nspec:\n  project: default\n  source:\n    repoURL: %s\n    targetRevision: %s\n    path: kubernetes/overlays/%s\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: %s\n  syncPolicy:\n    syncOptions: [ServerSideApply=true]\n```\n\n",
				p.in.Project.Slug, e.Name, repoURL(p.in.Project), branch(p.in.Project), e.Name, e.Namespace)
		}
		b.WriteString("## Flux\n\nA GitRepository for the repository, then one Kustomization per environment:\n\n")
		for _, e := range p.envs {
			fmt.Fprintf(&b, "```yaml\napiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: %s-%s\n  namespace: flux-system\nspec:\n  interval: 5m\n  path: ./kubernetes/overlays/%s\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: %s\n```\n\n", p.in.Project.Slug, e.Name, e.Name, p.in.Project.Slug)
		}
	}
	if has(FormatTerraform) {
		b.WriteString("## Terraform\n\nImport what runs before the first apply, so Terraform adopts it instead of failing on existing objects:\n`terraform import 'module.<service>.kubernetes_manifest.object[\"<file>\"]' 'apiVersion=...,kind=...,namespace=...,name=...'`.\n\n")
	}
	if has(FormatHelm) {
		b.WriteString("## Helm\n\nInstall the chart with each environment's values (README.md). Helm does not adopt objects it did not create:\n")
		b.WriteString("label and annotate each existing object first (`app.kubernetes.io/managed-by=Helm`, `meta.helm.sh/release-name`,\n")
		b.WriteString("`meta.helm.sh/release-namespace`), or let Argo CD or Flux's HelmRelease render the chart with server-side apply.\n")
	}
	return b.String()
}

func repoURL(p capsule.Project) string {
	if p.Repository.URL != "" {
		return p.Repository.URL
	}
	return "https://git.example.com/REPLACE_ME.git"
}

func branch(p capsule.Project) string {
	if p.Repository.Branch != "" {
		return p.Repository.Branch
	}
	return "main"
}

func (p *prepared) architecture() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: architecture\n\nGenerated from Capsule's configuration of project %s.\n\n## Services\n\n", p.in.Project.Name, p.in.Project.Slug)
	b.WriteString("| service | type | image | port | replicas | public on | strategy | secrets |\n|---|---|---|---|---|---|---|---|\n")
	for _, sv := range p.svcs {
		c := sv.Config
		image := sv.Source.Image
		if image == "" {
			image = sv.Name + ":latest"
		}
		replicas := fmt.Sprint(c.Scaling.MinReplicas)
		if c.Scaling.MaxReplicas > c.Scaling.MinReplicas {
			replicas = fmt.Sprintf("%d-%d (autoscaled)", c.Scaling.MinReplicas, c.Scaling.MaxReplicas)
		}
		if sv.Type == capsule.ServiceCron {
			replicas = "schedule " + c.Schedule
		}
		port := "-"
		if c.Networking.Port != 0 {
			port = fmt.Sprint(c.Networking.Port)
		}
		public := "-"
		if c.Networking.Public && len(c.Networking.Domains) > 0 {
			public = strings.Join(c.Networking.Domains, ", ")
		}
		secrets := "-"
		if len(c.Secrets) > 0 {
			secrets = strings.Join(c.Secrets, ", ")
		}
		fmt.Fprintf(&b, "| %s | %s | `%s` | %s | %s | %s | %s | %s |\n", sv.Name, sv.Type, image, port, replicas, public, c.Strategy.Type, secrets)
	}
	b.WriteString("\n## Dependencies\n\nInferred from env values that name another service as a host.\n\n```mermaid\nflowchart LR\n")
	for _, sv := range p.svcs {
		fmt.Fprintf(&b, "  %s[%s]\n", mermaidID(sv.Name), sv.Name)
		for _, d := range dependencies(sv, p.svcs) {
			fmt.Fprintf(&b, "  %s --> %s\n", mermaidID(sv.Name), mermaidID(d))
		}
	}
	b.WriteString("```\n\n## Environments\n\n| environment | kind | namespace | delivery |\n|---|---|---|---|\n")
	for _, e := range p.envs {
		ref := ""
		if e.Name == p.ref {
			ref = " (reference)"
		}
		fmt.Fprintf(&b, "| %s%s | %s | %s | %s |\n", e.Name, ref, e.Kind, e.Namespace, e.DeliveryMode)
	}
	return b.String()
}

func mermaidID(name string) string {
	return strings.Map(func(r rune) rune {
		if slices.Contains([]rune("-."), r) {
			return '_'
		}
		return r
	}, name)
}
