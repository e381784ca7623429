package billingstore

import (
	"context"
	"strings"
	"sync"

	"github.com/usecapsule/capsule/internal/billing"
	"github.com/usecapsule/capsule/internal/database"
)

// batchRows is how many records one INSERT carries. A month of a large
// account is millions of rows; one statement per row spends most of the
// import in statement overhead. 256 rows × 19 columns stays far below
// SQLite's (32766) and PostgreSQL's (65535) bound on parameters.
const batchRows = 256

// insertColumns is the number of columns insertSQL lists.
const insertColumns = 19

const insertSQL = `INSERT INTO billing_records (import_id, line, account_id, organization_id, day, charge_period_start,
	charge_category, commitment, service_name, resource_id, region_id, sub_account_id, cluster, currency,
	billed_cost, effective_cost, list_cost, contracted_cost, tags) VALUES `

// recordBatch collects the arguments of up to batchRows records; the
// statement text of a full batch is built once.
type recordBatch struct {
	args []any
	rows int
}

// fullBatchSQL is built on first use: at init it would cost every capsule
// command, `capsule version` included, its tens of kilobytes.
var fullBatchSQL = sync.OnceValue(func() string { return batchSQL(batchRows) })

func batchSQL(rows int) string {
	var b strings.Builder
	b.WriteString(insertSQL)
	tuple := "(" + strings.Repeat("?, ", insertColumns-1) + "?)"
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(tuple)
	}
	return b.String()
}

func (b *recordBatch) add(im *Import, rec billing.Record) {
	b.args = append(b.args, im.ID, rec.Line, im.AccountID, im.OrganizationID, rec.ChargePeriodStart.Format("2006-01-02"),
		database.TimeOf(rec.ChargePeriodStart), rec.ChargeCategory, rec.CommitmentDiscountCategory, clean(rec.ServiceName),
		clean(rec.ResourceID), clean(rec.RegionID), clean(rec.SubAccountID), clean(rec.Cluster), clean(rec.BillingCurrency),
		rec.BilledCost.String(), rec.EffectiveCost.String(), rec.ListCost.String(), rec.ContractedCost.String(), clean(rec.Tags))
	b.rows++
}

// flush inserts the collected records and empties the batch.
func (b *recordBatch) flush(ctx context.Context, tx *database.Tx) error {
	if b.rows == 0 {
		return nil
	}
	query := fullBatchSQL()
	if b.rows != batchRows {
		query = batchSQL(b.rows)
	}
	_, err := tx.Exec(ctx, query, b.args...)
	clear(b.args) // drop references to the batch's strings before reuse
	b.args, b.rows = b.args[:0], 0
	return err
}
