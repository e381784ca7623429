package web_test

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The end-to-end tests drive one headless Chromium (Debian's chromium
// package; hack/deps.sh installs it), shared by the package's tests, each
// in a tab of its own.

var updateScreenshot = flag.Bool("update-screenshot", false, "write the preview page's screenshot to docs/ui/preview.png")

const chromiumPath = "/usr/bin/chromium"

var (
	browserOnce   sync.Once
	browserCtx    context.Context
	browserCancel = func() {}
	browserErr    error
)

// chromium returns the shared browser's context, starting it on first use
// with a fresh user-data dir.
func chromium(t testing.TB) context.Context {
	t.Helper()
	browserOnce.Do(func() {
		if _, err := os.Stat(chromiumPath); err != nil {
			browserErr = errors.New(chromiumPath + " is missing: run hack/deps.sh (Debian package chromium)")
			return
		}
		dir, err := os.MkdirTemp("", "capsule-chromium-*")
		if err != nil {
			browserErr = err
			return
		}
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
			chromedp.ExecPath(chromiumPath), chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.Flag("disable-quic", true), chromedp.NoFirstRun, chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
			chromedp.UserDataDir(dir), chromedp.WindowSize(1280, 900))
		ctx, cancel := chromedp.NewContext(alloc)
		browserCtx = ctx
		browserCancel = func() { cancel(); cancelAlloc(); os.RemoveAll(dir) }
		// The first Do starts the browser; it lives as long as ctx.
		browserErr = chromedp.Do(ctx)
	})
	if browserErr != nil {
		t.Fatal(browserErr)
	}
	return browserCtx
}

func stopBrowser() { browserCancel() }

// tab opens a new tab (its own cookie jar is the browser's: tests that sign
// in as different users use separate browser contexts).
func tab(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(chromium(t), chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	tctx, tcancel := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(tcancel)
	return tctx
}

func do(t testing.TB, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	start := time.Now()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	t.Logf("%s: %v", what, time.Since(start).Round(time.Millisecond))
}

func eval[T any](t testing.TB, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// screenshot saves the tab's full page as name.png in the test's artifact
// directory and returns the image.
func screenshot(t *testing.T, ctx context.Context, name string) []byte {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(t.ArtifactDir(), name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	return png
}

func browserSignIn(t *testing.T, ctx context.Context, email, pw string) {
	t.Helper()
	do(t, ctx, "sign in",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), pw),
		chromedp.Click(chromedp.CSS("#sign-in")),
		chromedp.WaitVisible(chromedp.CSS("#approvals-h")))
}

func TestBrowserFlow(t *testing.T) {
	t.Parallel()
	f := shared(t)
	ctx := tab(t)
	browserSignIn(t, ctx, ownerEmail, ownerPW)
	screenshot(t, ctx, "dashboard")
	if got := eval[string](t, ctx, `document.querySelector('#billing').textContent`); !strings.Contains(got, "No billing data") {
		t.Errorf("cost section: %q", got)
	}

	// A project and a service, made through the forms.
	do(t, ctx, "new project",
		chromedp.Navigate(base+"/projects"),
		chromedp.WaitVisible(chromedp.CSS("#new-project")),
		chromedp.SendKeys(chromedp.CSS("#p-name"), "Browser Shop"),
		chromedp.Click(chromedp.CSS("#new-project button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#project-name")))
	screenshot(t, ctx, "project")
	if got := eval[string](t, ctx, `document.querySelector('#project-name').textContent`); got != "Browser Shop" {
		t.Errorf("project page shows %q", got)
	}
	do(t, ctx, "new environment",
		chromedp.SendKeys(chromedp.CSS("#n-name"), "dev"),
		chromedp.SendKeys(chromedp.CSS("#n-ns"), "browser-shop-dev"),
		chromedp.Click(chromedp.CSS("#new-environment button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("details.env")))
	do(t, ctx, "new service",
		chromedp.SendKeys(chromedp.CSS("#s-name"), "checkout"),
		chromedp.SendKeys(chromedp.CSS("#s-image"), "ghcr.io/acme/checkout:1.0"),
		chromedp.SendKeys(chromedp.CSS("#s-port"), "8080"),
		chromedp.Click(chromedp.CSS("#new-service button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS("#service-name")))
	screenshot(t, ctx, "service")
	if got := eval[string](t, ctx, `document.querySelector('#service-name').textContent`); got != "checkout" {
		t.Errorf("service page shows %q", got)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#deploy-form, #scale-form').length`); n != 2 {
		t.Errorf("owner sees %d of the deploy and scale forms", n)
	}
	// The page's script opened the cookie-authenticated events stream
	// (under the strict CSP, with no token in the page).
	live := eval[string](t, ctx, `new Promise(resolve => {
		const s = document.querySelector('.live-status'), end = Date.now() + 10000;
		const poll = () => (s.textContent || Date.now() > end) ? resolve(s.textContent) : setTimeout(poll, 50);
		poll();
	})`)
	if live != "Live updates on." {
		t.Errorf("live updates: %q", live)
	}

	// A stored preview: the cost and the risks are on the page.
	id := createPreview(t, f)
	do(t, ctx, "preview", chromedp.Navigate(base+"/previews/"+id), chromedp.WaitVisible(chromedp.CSS("#risks")))
	png := screenshot(t, ctx, "preview")
	if *updateScreenshot {
		if err := os.WriteFile("../../docs/ui/preview.png", png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got := eval[string](t, ctx, `document.querySelector('#cost-summary').textContent`); !strings.Contains(got, "$13.08 → $104.68") {
		t.Errorf("cost summary: %q", got)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('svg.chart rect.bar-proj').length`); n < 2 {
		t.Errorf("cost chart has %d projected bars", n)
	}
	risks := eval[string](t, ctx, `document.querySelector('#risks').textContent`)
	for _, want := range []string{"privileged", "new"} {
		if !strings.Contains(risks, want) {
			t.Errorf("risk table lacks %q", want)
		}
	}
	// A risk's link lands on its field in the diff.
	do(t, ctx, "risk link", chromedp.Click(chromedp.CSS(`#risks a[href*="securityContext"]`)))
	if got := eval[string](t, ctx, `location.hash`); !strings.Contains(got, "securityContext") {
		t.Errorf("risk link went to %q", got)
	}

	// The other pages render.
	for _, p := range []string{"/clusters", "/audit", "/settings"} {
		do(t, ctx, p, chromedp.Navigate(base+p), chromedp.WaitVisible(chromedp.CSS("main h1")))
		screenshot(t, ctx, strings.TrimPrefix(p, "/"))
		if p == "/audit" {
			if got := eval[string](t, ctx, `document.querySelector('#chain').textContent`); !strings.Contains(got, "verifies") {
				t.Errorf("audit chain: %q", got)
			}
		}
	}

	// Sign out through the user menu.
	do(t, ctx, "sign out",
		chromedp.Click(chromedp.CSS("details.menu summary")),
		chromedp.Click(chromedp.CSS("#sign-out")),
		chromedp.WaitVisible(chromedp.CSS("#email")))
	do(t, ctx, "after sign-out", chromedp.Navigate(base+"/projects"), chromedp.WaitVisible(chromedp.CSS("#email")))
}

func TestBrowserViewerSeesNoActions(t *testing.T) {
	t.Parallel()
	f := shared(t)
	ctx := tab(t)
	browserSignIn(t, ctx, viewer.email, viewer.pw)
	do(t, ctx, "service", chromedp.Navigate(base+"/services/"+f.service), chromedp.WaitVisible(chromedp.CSS("#service-name")))
	screenshot(t, ctx, "viewer-service")
	if n := eval[int](t, ctx, `document.querySelectorAll('form[action*="/deploy"], form[action*="/rollback"], form[action*="/scale"], #deploy-form').length`); n != 0 {
		t.Errorf("viewer sees %d action forms", n)
	}
	do(t, ctx, "projects", chromedp.Navigate(base+"/projects"), chromedp.WaitVisible(chromedp.CSS("#list-h")))
	if n := eval[int](t, ctx, `document.querySelectorAll('#new-project').length`); n != 0 {
		t.Error("viewer sees the new project form")
	}
}

// TestBrowserNarrowScreen: at 360 px nothing is wider than the screen
// (wide tables and the diff scroll inside their own boxes).
func TestBrowserNarrowScreen(t *testing.T) {
	t.Parallel()
	f := shared(t)
	ctx := tab(t)
	browserSignIn(t, ctx, ownerEmail, ownerPW)
	do(t, ctx, "viewport", chromedp.EmulateViewport(360, 740))
	id := createPreview(t, f)
	for _, p := range []string{"/", "/projects/" + f.project, "/services/" + f.service, "/previews/" + id, "/audit", "/settings"} {
		do(t, ctx, p, chromedp.Navigate(base+p), chromedp.WaitVisible(chromedp.CSS("main h1")))
		if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 360 {
			t.Errorf("%s is %d px wide at 360 px", p, w)
		}
	}
	screenshot(t, ctx, "preview-360")
}
