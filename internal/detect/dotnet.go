package detect

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"path"
	"strings"
)

// dotnetDetector recognises .NET projects (*.csproj, *.fsproj).
type dotnetDetector struct{}

var _ Detector = dotnetDetector{}

// Name implements Detector.
func (dotnetDetector) Name() string { return "dotnet" }

// csproj is the part of an MSBuild project file detection reads.
type csproj struct {
	Sdk            string `xml:"Sdk,attr"`
	PropertyGroups []struct {
		TargetFramework  string `xml:"TargetFramework"`
		TargetFrameworks string `xml:"TargetFrameworks"`
		AssemblyName     string `xml:"AssemblyName"`
		OutputType       string `xml:"OutputType"`
		IsTestProject    string `xml:"IsTestProject"`
	} `xml:"PropertyGroup"`
	Packages []struct {
		Include string `xml:"Include,attr"`
	} `xml:"ItemGroup>PackageReference"`
	Projects []struct {
		Include string `xml:"Include,attr"`
	} `xml:"ItemGroup>ProjectReference"`
}

var dotnetURLRe = lazyRegexp(`(?:UseUrls|Urls\.Add|Run)\(\s*"https?://[^":]+:(\d{2,5})"`)

// Detect implements Detector.
func (dotnetDetector) Detect(a *App) (*Match, error) {
	file := dotnetProject(a)
	if file == "" {
		return nil, nil
	}
	m := &Match{Score: scoreManifest}
	m.Language, m.PackageManager, m.Framework = "dotnet", "dotnet", "dotnet"
	p, err := parseCsproj(a.Path(file), []byte(a.ReadString(file)))
	if err != nil {
		// Still a .NET project named for its file; the target framework,
		// SDK and packages are unknown.
		m.Signals = append(m.Signals, ignoredManifest(err), "whether "+file+" is a web app, a worker or a library is unknown")
		return m, nil
	}
	name := strings.TrimSuffix(strings.TrimSuffix(file, ".csproj"), ".fsproj")
	var tfm, outType string
	test := false
	for _, g := range p.PropertyGroups {
		tfm = firstNonEmpty(tfm, g.TargetFramework, strings.Split(g.TargetFrameworks, ";")[0])
		name = orDefault(g.AssemblyName, name)
		outType = orDefault(g.OutputType, outType)
		test = test || g.IsTestProject == "true"
	}
	for _, pk := range p.Packages {
		test = test || pk.Include == "Microsoft.NET.Test.Sdk"
	}
	m.PackageName = name
	m.Signals = append(m.Signals, file+" (SDK "+p.Sdk+")")
	dotnetVersion(a, tfm, m)
	raw := a.ReadString(file)
	switch {
	case test:
		m.Signals = append(m.Signals, "a test project")
		return m, nil
	case containsAny(raw, []string{"Aspire.AppHost.Sdk", "<IsAspireHost>true", "Aspire.Hosting.AppHost"}):
		// The AppHost starts the other projects on a developer's machine.
		m.Signals = append(m.Signals, ".NET Aspire AppHost: a local orchestrator, not a service")
		return m, nil
	case containsAny(raw, []string{"<UseMaui>true", "<UseWPF>true", "<UseWindowsForms>true"}):
		m.Signals = append(m.Signals, "a desktop or mobile app (MAUI, WPF, Windows Forms), not a service")
		return m, nil
	case p.Sdk == "Microsoft.NET.Sdk.Web":
		m.Framework, m.Type = "aspnetcore", dotnetWebType(a, m)
		dotnetGRPC(a, m)
		dotnetPort(a, m)
	case p.Sdk == "Microsoft.NET.Sdk.Worker" || strings.EqualFold(outType, "Exe"):
		m.Type = "worker"
	default:
		m.Signals = append(m.Signals, "class library (no Exe output)")
		return m, nil
	}
	m.Deployable, m.Score = true, scoreRunnable
	if m.Framework == "aspnetcore" || m.Framework == "grpc" {
		m.Score = scoreFramework
	}
	m.BuildCommand = "dotnet publish " + file + " -c Release -o out"
	m.StartCommand = "dotnet out/" + name + ".dll"
	dotnetSiblings(a, p, file, m)
	return m, nil
}

// dotnetSiblings builds a project that references projects outside its
// directory (src/Shop.Api -> ../Shop.Domain, the Clean Architecture
// layout) from the repository root: with the project's directory as the
// Docker context, restore could not see the referenced projects.
func dotnetSiblings(a *App, p *csproj, file string, m *Match) {
	if a.Dir == "." || (a.Workspace != nil && a.Workspace.Root != a.Dir) {
		return
	}
	for _, ref := range p.Projects {
		inc := strings.ReplaceAll(ref.Include, `\`, "/")
		if !strings.HasPrefix(path.Clean(inc), "../") {
			continue
		}
		target := path.Clean(path.Join(a.Dir, inc))
		if strings.HasPrefix(target, "../") {
			return // outside the repository: nothing capsule can build
		}
		m.Workspace = "."
		m.BuildCommand = "dotnet publish " + a.Path(file) + " -c Release -o out"
		m.Signals = append(m.Signals, file+" references "+target+": built from the repository root")
		return
	}
}

// parseCsproj parses an MSBuild project file; errors name the line.
func parseCsproj(file string, b []byte) (*csproj, error) {
	var p csproj
	if err := xml.Unmarshal(b, &p); err != nil {
		var syn *xml.SyntaxError
		if errors.As(err, &syn) {
			return nil, &ManifestError{File: file, Line: syn.Line, Err: errors.New("invalid XML: " + syn.Msg)}
		}
		return nil, &ManifestError{File: file, Err: err}
	}
	return &p, nil
}

// dotnetVersion prefers the TargetFramework (the runtime the app runs on)
// over global.json (the SDK that builds it).
func dotnetVersion(a *App, tfm string, m *Match) {
	var global struct{ Sdk struct{ Version string } }
	gj := a.ReadString("global.json")
	if gj == "" {
		gj = a.ix.ReadString(rootIfMember(a, "global.json"))
	}
	_ = json.Unmarshal([]byte(gj), &global)
	v, s := versionFrom(2, [2]string{"TargetFramework", strings.TrimPrefix(tfm, "net")}, [2]string{"global.json sdk.version", global.Sdk.Version})
	if v != "" {
		m.RuntimeVersion = v
		m.Signals = append(m.Signals, s)
	}
}

// dotnetPort is 8080 (the ASP.NET Core image default since .NET 8), 80
// before, unless Program.cs sets a URL.
func dotnetPort(a *App, m *Match) {
	m.Port = 8080
	if strings.HasPrefix(m.RuntimeVersion, "6") || strings.HasPrefix(m.RuntimeVersion, "7") {
		m.Port = 80
		m.Signals = append(m.Signals, ".NET 6/7 images listen on 80 (8080 from .NET 8)")
	}
	if port, sig := scanPort(a, []string{"Program.cs"}, []portRule{{re: dotnetURLRe, what: "a listen URL"}}); port != 0 {
		m.Port = port
		m.Signals = append(m.Signals, sig)
	}
}

// rootIfMember is the repository-root path of name for a monorepo member
// (shared files such as global.json live there), else "".
func rootIfMember(a *App, name string) string {
	if a.Dir == "." {
		return ""
	}
	return name
}

// dotnetProject returns the first project file directly in the app
// directory, or "".
func dotnetProject(a *App) string {
	for _, e := range a.List(".") {
		if strings.HasSuffix(e, ".csproj") || strings.HasSuffix(e, ".fsproj") {
			return e
		}
	}
	return ""
}

// dotnetWebUIMarks in Program.cs/Startup.cs mean the app renders pages or
// answers on "/": MVC views, Razor Pages, Blazor or a root route.
var dotnetWebUIMarks = []string{"MapRazorPages", "MapControllerRoute", "MapDefaultControllerRoute", "AddRazorComponents",
	"MapRazorComponents", "MapBlazorHub", "UseStaticFiles", "MapStaticAssets", `MapGet("/",`, `MapGet("/")`}

// dotnetWebType tells an ASP.NET Core web app (pages, views, Blazor, static
// files or a root route: probed on "/") from an API (`dotnet new webapi`:
// controllers or minimal endpoints only, where "/" answers 404 and an HTTP
// probe on it would keep every pod unready).
func dotnetWebType(a *App, m *Match) string {
	for _, d := range []string{"Pages", "Views", "Components", "wwwroot"} {
		if a.HasDir(d) {
			m.Signals = append(m.Signals, d+"/ present: a web app")
			return "web"
		}
	}
	src := a.ReadString("Program.cs") + a.ReadString("Startup.cs")
	for _, mark := range dotnetWebUIMarks {
		if strings.Contains(src, mark) {
			if strings.HasPrefix(mark, "MapGet") {
				mark = `MapGet("/")`
			}
			m.Signals = append(m.Signals, "Program.cs calls "+mark+": a web app")
			return "web"
		}
	}
	m.Signals = append(m.Signals, "no pages, views or root route: an API")
	return "api"
}

// dotnetGRPC types an ASP.NET Core app that maps gRPC services and renders
// no pages as a gRPC api: the `dotnet new grpc` template's MapGet("/")
// only tells browsers to use a gRPC client.
func dotnetGRPC(a *App, m *Match) {
	src := a.ReadString("Program.cs") + a.ReadString("Startup.cs")
	if !strings.Contains(src, "MapGrpcService<") {
		return
	}
	for _, d := range []string{"Pages", "Views", "Components", "wwwroot"} {
		if a.HasDir(d) {
			return
		}
	}
	m.Framework, m.Type = "grpc", "api"
	m.Signals = append(m.Signals, "Program.cs maps gRPC services (Grpc.AspNetCore): a gRPC api")
}
