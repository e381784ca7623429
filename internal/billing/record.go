// Package billing reads cloud billing files (FOCUS 1.x CSV and Parquet, AWS
// CUR 2.0, GCP billing export, Azure cost exports) as FOCUS records, one
// row at a time, attributes usage to Kubernetes clusters by the providers'
// own tags, and finds cost anomalies per cluster. It is pure: readers take
// an io.Reader, nothing here opens a network connection or a database.
package billing

import (
	"fmt"
	"time"
)

// FOCUS charge categories.
const (
	CategoryUsage      = "Usage"
	CategoryPurchase   = "Purchase"
	CategoryTax        = "Tax"
	CategoryCredit     = "Credit"
	CategoryAdjustment = "Adjustment"
)

// A Record is one billing row expressed in FOCUS 1.x columns, whatever the
// file's own format.
type Record struct {
	// Line is where the row starts in its file (the header is line 1);
	// in a Parquet file it is the row's number, from 1.
	Line int `json:"line"`

	BilledCost       Amount `json:"BilledCost"`
	EffectiveCost    Amount `json:"EffectiveCost"`
	ListCost         Amount `json:"ListCost"`
	ContractedCost   Amount `json:"ContractedCost"`
	PricingQuantity  Amount `json:"PricingQuantity"`
	ConsumedQuantity Amount `json:"ConsumedQuantity"`

	ChargePeriodStart time.Time `json:"ChargePeriodStart"`
	ChargePeriodEnd   time.Time `json:"ChargePeriodEnd,omitzero"`
	ChargeCategory    string    `json:"ChargeCategory"`
	ChargeClass       string    `json:"ChargeClass,omitempty"`
	ChargeDescription string    `json:"ChargeDescription,omitempty"`
	// CommitmentDiscountCategory is Spend (savings plans) or Usage
	// (reservations) on usage a commitment covered.
	CommitmentDiscountCategory string `json:"CommitmentDiscountCategory,omitempty"`

	ServiceName      string `json:"ServiceName,omitempty"`
	ResourceID       string `json:"ResourceId,omitempty"`
	ResourceName     string `json:"ResourceName,omitempty"`
	RegionID         string `json:"RegionId,omitempty"`
	SubAccountID     string `json:"SubAccountId,omitempty"`
	BillingAccountID string `json:"BillingAccountId,omitempty"`
	BillingCurrency  string `json:"BillingCurrency,omitempty"`
	SkuID            string `json:"SkuId,omitempty"`
	// Tags is a JSON object of the row's tags or labels ("" when none),
	// kept as text: most rows never need it decoded.
	Tags string `json:"Tags,omitempty"`

	// Cluster is the Kubernetes cluster the row's usage belongs to, from
	// the providers' cluster tags; empty for rows that are not usage.
	Cluster string `json:"cluster,omitempty"`
	// clusterSanitized marks a cluster name recovered from a tag key whose
	// punctuation the provider replaced by underscores (CUR 2.0 tag keys).
	clusterSanitized bool
}

// A RowError is one bad row: where and what. Reading goes on after it.
type RowError struct {
	Line    int    `json:"line"`
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

func (e *RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Message)
	}
	return fmt.Sprintf("line %d, column %s: %s", e.Line, e.Column, e.Message)
}

// fieldError is a mapper's complaint about one field; the reader adds the line.
type fieldError struct {
	column, message string
}

func badDecimal(column, value string, err error) *fieldError {
	return &fieldError{column: column, message: fmt.Sprintf("%q %v", clip(value), err)}
}

func badTime(column, value string) *fieldError {
	return &fieldError{column: column, message: fmt.Sprintf("%q is not a date or timestamp", clip(value))}
}

// clip keeps error messages one short line whatever a field holds.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// ClusterSanitized reports whether Cluster comes from a tag key whose
// punctuation the provider replaced by underscores (CUR 2.0), so that it
// may be the sanitized spelling of a cluster named elsewhere.
func (r *Record) ClusterSanitized() bool { return r.clusterSanitized }

// SanitizedMerges maps each sanitized cluster name among sanitized that is
// the spelling of a name among real (prod_eu_1 → prod-eu-1).
func SanitizedMerges(sanitized, real map[string]bool) map[string]string {
	out := map[string]string{}
	for name := range real {
		if s := sanitizeName(name); s != name && sanitized[s] {
			out[s] = name
		}
	}
	return out
}
