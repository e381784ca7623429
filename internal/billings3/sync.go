// Package billings3 imports cloud billing exports from S3-compatible
// storage on a schedule: each billing account with an S3 source is synced
// every interval, under a lease in the store so that one replica syncs it.
//
// Design decisions:
//   - A sync lists the objects under the source's prefix and groups them by
//     the month their folders name (PeriodOf); objects in no month folder,
//     manifests (`*Manifest.json`) and the exports' metadata folders are not
//     billing rows and are skipped.
//   - A month is imported again, whole, when the set of its objects (key and
//     ETag) differs from the one remembered for it: an object is new,
//     changed (the export rewrote it) or gone while others of the month remain (a month whose objects are all gone keeps its import). Its parts are read one after
//     the other into one import (billingstore.ReplaceImportObjects), and the
//     objects are remembered in that import's transaction, so a failure
//     anywhere leaves the month and the remembered objects as they were and
//     the next sync tries again: a sync is idempotent per account and month.
//   - Every request goes through the guarded egress client's transport: the
//     endpoint is an outbound destination like any other, so a private or
//     loopback endpoint needs --egress-allow.
//   - A legacy CUR that keeps every assembly of a month in its own folder
//     would be imported as the sum of its assemblies; such exports must be
//     configured to overwrite (the AWS default for CUR 2.0 and FOCUS exports).
package billings3

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/usecapsule/capsule/internal/billingstore"
)

// Client returns an S3 client for src with the secret access key, making
// its requests through hc's transport (the guarded egress client).
func Client(src *billingstore.S3Source, secretKey string, hc *http.Client) (*minio.Client, error) {
	u, err := url.Parse(src.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("s3 endpoint %q: %w", src.Endpoint, err)
	}
	return minio.New(u.Host, &minio.Options{
		Creds:     credentials.NewStaticV4(src.AccessKeyID, secretKey, ""),
		Secure:    u.Scheme == "https",
		Region:    src.Region,
		Transport: hc.Transport,
	})
}

// listPeriods lists the source's export objects by month, each month's in
// key order.
func listPeriods(ctx context.Context, c *minio.Client, src *billingstore.S3Source) (map[string][]billingstore.Object, error) {
	out := map[string][]billingstore.Object{}
	for o := range c.ListObjects(ctx, src.Bucket, minio.ListObjectsOptions{Prefix: src.Prefix, Recursive: true}) {
		if o.Err != nil {
			return nil, fmt.Errorf("listing s3://%s/%s: %w", src.Bucket, src.Prefix, o.Err)
		}
		if !isBillingData(o.Key) {
			continue
		}
		p, ok := PeriodOf(o.Key)
		if !ok {
			continue
		}
		out[p] = append(out[p], billingstore.Object{Key: o.Key, ETag: strings.Trim(o.ETag, `"`)})
	}
	for _, objs := range out {
		slices.SortFunc(objs, func(a, b billingstore.Object) int { return strings.Compare(a.Key, b.Key) })
	}
	return out, nil
}

// isBillingData is false for folder markers, manifests and metadata.
func isBillingData(key string) bool {
	if strings.HasSuffix(key, "/") || strings.HasSuffix(strings.ToLower(key), "manifest.json") {
		return false
	}
	return !slices.Contains(strings.Split(key, "/"), "metadata")
}

// SyncAccount imports the months of acct's source whose objects changed
// since they were last imported, and returns them in order. open gives the
// secret access key of the source.
func SyncAccount(ctx context.Context, st *billingstore.Store, hc *http.Client, acct *billingstore.Account, secretKey string,
	audited func(ctx context.Context, period string) context.Context) ([]string, error) {
	if acct.Source == nil || acct.Source.S3 == nil {
		return nil, nil
	}
	src := acct.Source.S3
	c, err := Client(src, secretKey, hc)
	if err != nil {
		return nil, err
	}
	listed, err := listPeriods(ctx, c, src)
	if err != nil {
		return nil, err
	}
	known, err := st.ImportedObjects(ctx, acct.ID)
	if err != nil {
		return nil, err
	}
	var months []string
	for p, objs := range listed {
		if !slices.Equal(objs, known[p]) {
			months = append(months, p)
		}
	}
	slices.Sort(months)
	var done []string
	for _, p := range months {
		if err := importMonth(audited(ctx, p), st, c, acct, p, listed[p]); err != nil {
			return done, fmt.Errorf("month %s: %w", p, err)
		}
		done = append(done, p)
	}
	return done, nil
}

func importMonth(ctx context.Context, st *billingstore.Store, c *minio.Client, acct *billingstore.Account, period string, objs []billingstore.Object) error {
	rd, err := newParts(ctx, c, acct.Source.S3.Bucket, acct.Format, objs)
	if err != nil {
		return err
	}
	defer rd.Close()
	_, err = st.ReplaceImportObjects(ctx, acct, period, rd, objs)
	return err
}
