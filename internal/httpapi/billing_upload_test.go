package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/rbac"
)

// focusGen writes a FOCUS CSV month (2026-11) of at least size bytes, and
// counts what it wrote: rows and the billed and effective totals in cents.
type focusGen struct {
	rows              int
	billed, effective int64
}

const focusHeader = "BillingAccountId,SubAccountId,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ServiceName,ResourceId," +
	"RegionId,BillingCurrency,ListCost,ContractedCost,BilledCost,EffectiveCost,Tags\n"

// nodeTags are the tags a Kubernetes node's instance carries (a real CUR
// row is long: most of it is tags).
const nodeTags = `""aws:autoscaling:groupName"":""eks-prod-general-20261101-a1b2c3d4e5f6"",""aws:ec2launchtemplate:id"":""lt-0a1b2c3d4e5f67890"",` +
	`""aws:ec2launchtemplate:version"":""17"",""eks:nodegroup-name"":""general-purpose-spot"",""k8s.io/cluster-autoscaler/enabled"":""true"",` +
	`""k8s.io/cluster-autoscaler/prod"":""owned"",""karpenter.sh/nodepool"":""general"",""karpenter.k8s.aws/ec2nodeclass"":""default"",` +
	`""kubernetes.io/cluster/prod"":""owned"",""Name"":""prod-general-node"",""environment"":""production"",""owner"":""platform-team@example.com"",` +
	`""application"":""shared-compute"",""managed-by"":""terraform"",""repository"":""github.com/example/infrastructure-live"",` +
	`""data-classification"":""internal"",""backup-policy"":""none"",""compliance-scope"":""soc2-pci""`

func (g *focusGen) write(w io.Writer, size int64) error {
	var n int64
	var line []byte
	c, err := io.WriteString(w, focusHeader)
	n += int64(c)
	for ; err == nil && n < size; n += int64(c) {
		i := g.rows
		day := 1 + i%30
		billed := int64(i%997) + 1
		effective := billed + int64(i%7)
		line = fmt.Appendf(line[:0], "123456789012,sub-%04d,2026-11-%02dT00:00:00Z,2026-11-%02dT01:00:00Z,Usage,Amazon Elastic Compute Cloud,"+
			"arn:aws:ec2:eu-west-1:123456789012:instance/i-%017x,eu-west-1,USD,%d.%02d,%d.%02d,%d.%02d,%d.%02d,"+
			"\"{\"\"eks:cluster-name\"\":\"\"prod-%d\"\",\"\"team\"\":\"\"payments\"\",\"\"cost-center\"\":\"\"cc-%06d\"\","+nodeTags+"}\"\n",
			i%50, day, day, i, (billed+10)/100, (billed+10)%100, billed/100, billed%100, billed/100, billed%100,
			effective/100, effective%100, i%3, i%1000)
		c, err = w.Write(line)
		g.rows++
		g.billed += billed
		g.effective += effective
	}
	return err
}

// cents prints a non-negative amount of cents as billing.Amount does.
func cents(v int64) string { return fmt.Sprintf("%d.%02d", v/100, v%100) }

// importStream posts body to the import route of the month and decodes
// the answer.
func importStream(t *testing.T, e *env, token, query, contentType string, body io.Reader) (int, map[string]any, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v1/billing/imports?"+query, body)
	must(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", contentType)
	resp, err := e.srv.Client().Do(req)
	must(t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	must(t, err)
	var v map[string]any
	_ = json.Unmarshal(out, &v)
	return resp.StatusCode, v, out
}

func billingAccount(t *testing.T, e *env, token string) string {
	t.Helper()
	st, out := send(t, e, "POST", "/api/v1/billing/accounts", bearer(token),
		map[string]string{"organizationId": e.orgID, "name": "aws-payer", "provider": "aws"})
	if st != http.StatusCreated {
		t.Fatalf("account: %d %s", st, out)
	}
	var acct struct{ ID string }
	must(t, json.Unmarshal(out, &acct))
	return acct.ID
}

// TestBillingImportStreams300MB: a 300 MB FOCUS month, generated while it
// is sent, is imported through the real server: every row is stored, the
// totals are exact, and the server's heap does not grow with the file
// (it would by the file's size if anything buffered it whole).
func TestBillingImportStreams300MB(t *testing.T) {
	e := newEnv(t, sqliteDSN(t))
	acct := billingAccount(t, e, e.token)
	query := "organizationId=" + e.orgID + "&accountId=" + acct + "&period=2026-11&format=focus"

	var peak atomic.Uint64
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(100 * time.Millisecond):
			}
			runtime.ReadMemStats(&m)
			if m.HeapAlloc > peak.Load() {
				peak.Store(m.HeapAlloc)
			}
		}
	}()

	pr, pw := io.Pipe()
	var gen focusGen
	go func() { pw.CloseWithError(gen.write(pw, 300<<20)) }()
	st, res, out := importStream(t, e, e.token, query, "text/csv", pr)
	close(stop)
	<-sampled
	if st != http.StatusCreated {
		t.Fatalf("import: %d %.500s", st, out)
	}
	if res["rows"] != float64(gen.rows) || res["rowsRejected"] != float64(0) ||
		res["billedCostTotal"] != cents(gen.billed) || res["effectiveCostTotal"] != cents(gen.effective) {
		t.Fatalf("import answered %.300s; wrote %d rows, billed %s, effective %s", out, gen.rows, cents(gen.billed), cents(gen.effective))
	}
	var stored int
	must(t, e.st.Database().QueryRow(context.Background(), "SELECT COUNT(*) FROM billing_records").Scan(&stored))
	if stored != gen.rows {
		t.Fatalf("%d rows stored, %d written", stored, gen.rows)
	}
	if grow := int64(peak.Load()) - int64(base); grow > 200<<20 {
		t.Fatalf("the heap grew by %d MB during a 300 MB upload", grow>>20)
	}
	t.Logf("%d rows; heap peak %d MB over a base of %d MB", gen.rows, (peak.Load()-base)>>20, base>>20)
}

// TestBillingImportTruncatedGzipKeepsMonth: a gzip file cut off mid-stream
// (after several insert batches) fails with a named error, and the month
// keeps its previous import, whole.
func TestBillingImportTruncatedGzipKeepsMonth(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		e, owner := tm.e, tm.tokens[rbac.Owner]
		acct := billingAccount(t, e, owner)
		query := "organizationId=" + e.orgID + "&accountId=" + acct + "&period=2026-11"

		var first focusGen
		var buf bytes.Buffer
		must(t, first.write(&buf, 20<<10))
		st, res, out := importStream(t, e, owner, query, "text/csv", &buf)
		if st != http.StatusCreated {
			t.Fatalf("first import: %d %s", st, out)
		}

		var second focusGen
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		must(t, second.write(zw, 2<<20))
		must(t, zw.Close())
		cut := gz.Bytes()[:gz.Len()*3/4]
		st, _, out = importStream(t, e, owner, query, "application/gzip", bytes.NewReader(cut))
		if st != http.StatusBadRequest || !strings.Contains(string(out), "unexpected EOF") {
			t.Fatalf("truncated gzip: %d %s", st, out)
		}
		var stored int
		must(t, e.st.Database().QueryRow(context.Background(), "SELECT COUNT(*) FROM billing_records").Scan(&stored))
		if stored != first.rows || res["rows"] != float64(first.rows) {
			t.Fatalf("after the failed re-import %d rows are stored; the first import had %d", stored, first.rows)
		}
		st, out = send(t, e, "GET", "/api/v1/audit/logs?organizationId="+e.orgID+"&action=billing.imports.create", bearer(owner), nil)
		if st != http.StatusOK || strings.Count(string(out), `"action":"billing.imports.create"`) != 2 ||
			!strings.Contains(string(out), `"period":"2026-11"`) || strings.Count(string(out), `"outcome":"failure"`) != 1 {
			t.Fatalf("audit: %d %s", st, out)
		}
	})
}

// TestBillingImportUploadLimit: the import route takes bodies over the API's
// body limit up to its own, and refuses larger ones with 413, announced or
// not; other routes keep the API's limit.
func TestBillingImportUploadLimit(t *testing.T) {
	e := newEnv(t, sqliteDSN(t), func(c *httpapi.Config) { c.MaxBodyBytes, c.MaxUploadBytes = 4096, 256<<10 })
	acct := billingAccount(t, e, e.token)
	query := "organizationId=" + e.orgID + "&accountId=" + acct + "&period=2026-11"
	var gen focusGen
	var buf bytes.Buffer
	must(t, gen.write(&buf, 100<<10))
	st, res, out := importStream(t, e, e.token, query, "text/csv", bytes.NewReader(buf.Bytes()))
	if st != http.StatusCreated || res["rows"] != float64(gen.rows) {
		t.Fatalf("100 KB import under a 4 KB body limit: %d %s", st, out)
	}
	buf.Reset()
	must(t, gen.write(&buf, 300<<10))
	st, _, out = importStream(t, e, e.token, query, "text/csv", bytes.NewReader(buf.Bytes()))
	if st != http.StatusRequestEntityTooLarge {
		t.Fatalf("300 KB import (announced): %d %s", st, out)
	}
	st, _, out = importStream(t, e, e.token, query, "text/csv", io.MultiReader(&buf)) // chunked: no Content-Length
	if st != http.StatusRequestEntityTooLarge {
		t.Fatalf("300 KB import (chunked): %d %s", st, out)
	}
	big := map[string]string{"organizationId": e.orgID, "name": strings.Repeat("x", 8000), "provider": "aws"}
	if st, out := send(t, e, "POST", "/api/v1/billing/accounts", bearer(e.token), big); st != http.StatusRequestEntityTooLarge {
		t.Fatalf("8 KB account body: %d %s", st, out)
	}
}
