package web_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

var manyOnce sync.Once

// seedServices gives the shared server a project with n services (through
// the API), once.
func seedServices(b *testing.B, n int) {
	b.Helper()
	f := shared(b)
	manyOnce.Do(func() {
		var p struct {
			ID string `json:"id"`
		}
		mustAPI(b, f.token, "POST", "/api/v1/projects", map[string]any{"name": "Many", "slug": "many", "organizationId": f.org}, &p)
		for i := range n {
			mustAPI(b, f.token, "POST", "/api/v1/services", map[string]any{"projectId": p.ID, "name": fmt.Sprintf("svc-%04d", i), "type": "api",
				"source": map[string]any{"image": "ghcr.io/acme/api:1"}}, nil)
		}
	})
}

// BenchmarkDashboardFirstPaint loads the dashboard of an installation with
// 1,000 services on the embedded SQLite in Chromium and reports the first
// contentful paint the browser measured (Performance API), in ms.
func BenchmarkDashboardFirstPaint(b *testing.B) {
	seedServices(b, 1000)
	ctx := tab(b)
	do(b, ctx, "sign in",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), ownerEmail),
		chromedp.SendKeys(chromedp.CSS("#password"), ownerPW),
		chromedp.Click(chromedp.CSS("#sign-in")),
		chromedp.WaitVisible(chromedp.CSS("#approvals-h")))
	var total float64
	b.ResetTimer()
	for b.Loop() {
		do(b, ctx, "dashboard", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#projects-h")))
		fcp, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`new Promise(resolve => {
			const find = () => { const e = performance.getEntriesByName('first-contentful-paint')[0]; if (e) resolve(e.startTime); else setTimeout(find, 20); };
			find();
		})`, chromedp.EvalAwaitPromise))
		if err != nil {
			b.Fatal(err)
		}
		total += fcp
	}
	b.ReportMetric(total/float64(b.N), "fcp-ms")
}
