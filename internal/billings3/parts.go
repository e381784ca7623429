package billings3

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/minio/minio-go/v7"

	"github.com/usecapsule/capsule/internal/billing"
	"github.com/usecapsule/capsule/internal/billingstore"
)

// parts reads the objects of one month's export as one stream of records,
// one object after the other, each through its own billing.Reader (every
// part has its header). Lines continue across parts (the second part's
// first row follows the first part's last line), so a record's line is
// unique within the import and a bad row can still be found: its part is
// the one whose lines contain it.
type parts struct {
	ctx    context.Context
	client *minio.Client
	bucket string
	format string
	objs   []billingstore.Object
	i      int
	cur    *billing.Reader
	body   io.ReadCloser
	offset int // lines of the parts already read
	last   int // the current part's highest line so far
}

// newParts opens the first object, so Format is known before any record
// is read (the import row is written first).
func newParts(ctx context.Context, c *minio.Client, bucket, format string, objs []billingstore.Object) (*parts, error) {
	p := &parts{ctx: ctx, client: c, bucket: bucket, format: format, objs: objs}
	if err := p.open(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *parts) open() error {
	key := p.objs[p.i].Key
	obj, err := p.client.GetObject(p.ctx, p.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return fmt.Errorf("s3://%s/%s: %w", p.bucket, key, err)
	}
	rd, err := billing.NewReader(obj, p.format)
	if err != nil {
		obj.Close()
		return fmt.Errorf("s3://%s/%s: %w", p.bucket, key, err)
	}
	p.cur, p.body, p.last = rd, obj, 0
	if p.format == "" {
		// Every part of one export has the first part's format; a part
		// detected differently is reported by its reader as bad rows.
		p.format = rd.Format()
	}
	return nil
}

// Format is the first part's format.
func (p *parts) Format() string { return p.format }

// Next returns the next record of the month.
func (p *parts) Next() (billing.Record, error) {
	for {
		if p.cur == nil {
			if p.i >= len(p.objs) {
				return billing.Record{}, io.EOF
			}
			if err := p.open(); err != nil {
				return billing.Record{}, err
			}
		}
		rec, err := p.cur.Next()
		var re *billing.RowError
		switch {
		case err == io.EOF:
			p.closeCurrent()
			p.offset += max(p.last, 1) // at least the header line
			p.i++
			continue
		case errors.As(err, &re):
			p.last = max(p.last, re.Line)
			re.Line += p.offset
			return rec, err
		case err != nil:
			return rec, fmt.Errorf("s3://%s/%s: %w", p.bucket, p.objs[p.i].Key, err)
		}
		p.last = max(p.last, rec.Line)
		rec.Line += p.offset
		return rec, nil
	}
}

func (p *parts) closeCurrent() {
	if p.cur != nil {
		p.cur.Close()
		p.body.Close()
		p.cur, p.body = nil, nil
	}
}

// Close releases the part being read.
func (p *parts) Close() { p.closeCurrent() }
