package export

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/usecapsule/capsule/internal/render"
	"github.com/zclconf/go-cty/cty"
)

// terraform writes one module per service, terraform/modules/<service>,
// whose kubernetes_manifest resources apply the objects Capsule renders
// for the environment the caller names (manifests/<env>/, one object per
// file, namespace set), and one root per environment,
// terraform/environments/<env>, that configures the kubernetes provider,
// creates the namespace and calls every module. Keeping the rendered
// objects as YAML files the module reads makes the applied objects exactly
// Capsule's, for every kind, without translating each to typed resources.
func (p *prepared) terraform(files map[string][]byte) error {
	var envNames []string
	for _, e := range p.envs {
		envNames = append(envNames, e.Name)
	}
	for _, sv := range p.svcs {
		dir := "terraform/modules/" + sv.Name + "/"
		for _, e := range p.envs {
			objs, err := RenderService(p.in.Project, e, sv, e.Namespace)
			if err != nil {
				return err
			}
			for j, o := range objs {
				b, err := render.Marshal([]render.Object{o}, "yaml")
				if err != nil {
					return err
				}
				name := fmt.Sprintf("%02d-%s-%s.yaml", j, strings.ToLower(o.GetObjectKind().GroupVersionKind().Kind), o.GetName())
				files[dir+"manifests/"+e.Name+"/"+name] = b
			}
		}
		files[dir+"main.tf"] = moduleMain()
		files[dir+"variables.tf"] = moduleVariables(envNames)
	}
	for _, e := range p.envs {
		dir := "terraform/environments/" + e.Name + "/"
		ns, err := render.Marshal([]render.Object{render.Namespace(e.Namespace)}, "yaml")
		if err != nil {
			return err
		}
		files[dir+"namespace.yaml"] = ns
		files[dir+"main.tf"] = p.environmentMain(e.Name)
		files[dir+"variables.tf"] = environmentVariables()
	}
	return nil
}

func moduleMain() []byte {
	f := hclwrite.NewEmptyFile()
	b := f.Body()
	b.AppendUnstructuredTokens(comment("The objects Capsule renders for var.environment, one per file."))
	l := b.AppendNewBlock("locals", nil).Body()
	l.SetAttributeRaw("dir", expr(`"${path.module}/manifests/${var.environment}"`))
	b.AppendNewline()
	r := b.AppendNewBlock("resource", []string{"kubernetes_manifest", "object"}).Body()
	r.SetAttributeRaw("for_each", expr(`fileset(local.dir, "*.yaml")`))
	r.SetAttributeRaw("manifest", expr(`yamldecode(file("${local.dir}/${each.value}"))`))
	return hclwrite.Format(f.Bytes())
}

func moduleVariables(envs []string) []byte {
	f := hclwrite.NewEmptyFile()
	v := f.Body().AppendNewBlock("variable", []string{"environment"}).Body()
	v.SetAttributeRaw("type", expr("string"))
	v.SetAttributeValue("description", cty.StringVal("Environment whose rendered objects to apply: "+strings.Join(envs, ", ")))
	vals := make([]cty.Value, len(envs))
	for i, e := range envs {
		vals[i] = cty.StringVal(e)
	}
	val := v.AppendNewBlock("validation", nil).Body()
	val.SetAttributeRaw("condition", expr("contains("+string(hclwrite.TokensForValue(cty.ListVal(vals)).Bytes())+", var.environment)"))
	val.SetAttributeValue("error_message", cty.StringVal("The environment must be one of: "+strings.Join(envs, ", ")+"."))
	return hclwrite.Format(f.Bytes())
}

func (p *prepared) environmentMain(env string) []byte {
	f := hclwrite.NewEmptyFile()
	b := f.Body()
	tf := b.AppendNewBlock("terraform", nil).Body()
	rp := tf.AppendNewBlock("required_providers", nil).Body()
	rp.SetAttributeValue("kubernetes", cty.ObjectVal(map[string]cty.Value{
		"source":  cty.StringVal("hashicorp/kubernetes"),
		"version": cty.StringVal(">= 2.23.0"),
	}))
	b.AppendNewline()
	pr := b.AppendNewBlock("provider", []string{"kubernetes"}).Body()
	pr.SetAttributeRaw("config_path", expr("var.kubeconfig"))
	pr.SetAttributeRaw("config_context", expr("var.kube_context"))
	b.AppendNewline()
	ns := b.AppendNewBlock("resource", []string{"kubernetes_manifest", "namespace"}).Body()
	ns.SetAttributeRaw("manifest", expr(`yamldecode(file("${path.module}/namespace.yaml"))`))
	for _, sv := range p.svcs {
		b.AppendNewline()
		m := b.AppendNewBlock("module", []string{sv.Name}).Body()
		m.SetAttributeValue("source", cty.StringVal("../../modules/"+sv.Name))
		m.SetAttributeValue("environment", cty.StringVal(env))
		m.SetAttributeRaw("depends_on", expr("[kubernetes_manifest.namespace]"))
	}
	return hclwrite.Format(f.Bytes())
}

func environmentVariables() []byte {
	f := hclwrite.NewEmptyFile()
	b := f.Body()
	k := b.AppendNewBlock("variable", []string{"kubeconfig"}).Body()
	k.SetAttributeRaw("type", expr("string"))
	k.SetAttributeValue("description", cty.StringVal("Path of the kubeconfig file of the cluster."))
	k.SetAttributeValue("default", cty.StringVal("~/.kube/config"))
	b.AppendNewline()
	c := b.AppendNewBlock("variable", []string{"kube_context"}).Body()
	c.SetAttributeRaw("type", expr("string"))
	c.SetAttributeValue("description", cty.StringVal("Context of the kubeconfig to use (null: its current context)."))
	c.SetAttributeRaw("default", expr("null"))
	return hclwrite.Format(f.Bytes())
}

// expr returns the tokens of an HCL expression written as source; the
// sources are constants of this file, so a parse error is a bug.
func expr(src string) hclwrite.Tokens {
	f, diags := hclwrite.ParseConfig([]byte("x = "+src+"\n"), "expr.tf", hclPos)
	if diags.HasErrors() {
		panic(fmt.Sprintf("export: bad HCL expression %q: %v", src, diags))
	}
	return f.Body().GetAttribute("x").Expr().BuildTokens(nil)
}

func comment(text string) hclwrite.Tokens {
	return hclwrite.Tokens{{Type: hclComment, Bytes: []byte("# " + text + "\n")}}
}
