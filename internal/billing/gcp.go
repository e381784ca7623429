package billing

import (
	"encoding/json"
	"strings"
)

// gcpFormat reads the GCP Cloud Billing export, as CSV out of BigQuery
// (nested fields as service.description or service_description; labels,
// system_labels and credits as JSON text) or newline-delimited JSON.
// BilledCost is cost; EffectiveCost is cost plus the credits' amounts
// (negative); ListCost is cost_at_list when present. cost_type regular is
// usage, tax a tax, adjustment and rounding_error adjustments.
type gcpFormat struct{}

func init() { register(gcpFormat{}) }

func (gcpFormat) Name() string { return "gcp" }

func (gcpFormat) Detect(h *header) bool {
	return h.col("cost") >= 0 && h.col("usage_start_time") >= 0
}

func (gcpFormat) Mapper(h *header) (mapper, error) {
	if err := missing("GCP billing export", h, []string{"cost"}, []string{"usage_start_time"}); err != nil {
		return nil, err
	}
	c := func(n string) int { return h.col(n, strings.ReplaceAll(n, ".", "_")) }
	return &gcpMapper{
		cost: c("cost"), credits: c("credits"), listCost: c("cost_at_list"), start: c("usage_start_time"),
		end: c("usage_end_time"), service: c("service.description"), sku: c("sku.id"), skuDesc: c("sku.description"),
		project: c("project.id"), account: c("billing_account_id"), labels: c("labels"), system: c("system_labels"),
		resource: c("resource.name"), resourceGlobal: c("resource.global_name"), costType: c("cost_type"),
		currency: c("currency"), region: c("location.region"), usage: c("usage.amount"),
		pricingUsage: c("usage.amount_in_pricing_units"),
	}, nil
}

type gcpMapper struct {
	cost, credits, listCost, start, end, service, sku, skuDesc int
	project, account, labels, system, resource, resourceGlobal int
	costType, currency, region, usage, pricingUsage            int
	startCache, endCache                                       timeCache
	tagCache                                                   tagCache
}

func (m *gcpMapper) mapRow(f []string, r *Record) *fieldError {
	if fe := readDecimals(f, []decimalCol{
		{"cost", m.cost, &r.BilledCost}, {"cost_at_list", m.listCost, &r.ListCost},
		{"usage.amount", m.usage, &r.ConsumedQuantity}, {"usage.amount_in_pricing_units", m.pricingUsage, &r.PricingQuantity},
	}); fe != nil {
		return fe
	}
	if m.listCost < 0 || field(f, m.listCost) == "" {
		r.ListCost = r.BilledCost
	}
	r.ContractedCost = r.BilledCost
	credits, fe := gcpCredits(field(f, m.credits))
	if fe != nil {
		return fe
	}
	r.EffectiveCost = r.BilledCost.Add(credits)
	var ok bool
	if r.ChargePeriodStart, ok = m.startCache.parse(field(f, m.start)); !ok {
		return badTime("usage_start_time", field(f, m.start))
	}
	if v := field(f, m.end); v != "" {
		if r.ChargePeriodEnd, ok = m.endCache.parse(v); !ok {
			return badTime("usage_end_time", v)
		}
	}
	switch strings.ToLower(field(f, m.costType)) {
	case "", "regular":
		r.ChargeCategory = CategoryUsage
	case "tax":
		r.ChargeCategory = CategoryTax
	default:
		r.ChargeCategory = CategoryAdjustment
	}
	r.ServiceName = field(f, m.service)
	r.SkuID = field(f, m.sku)
	r.ChargeDescription = field(f, m.skuDesc)
	r.SubAccountID = field(f, m.project)
	r.BillingAccountID = field(f, m.account)
	r.ResourceID = field(f, m.resourceGlobal)
	r.ResourceName = field(f, m.resource)
	if r.ResourceID == "" {
		r.ResourceID = r.ResourceName
	}
	r.RegionID = field(f, m.region)
	r.BillingCurrency = field(f, m.currency)
	labels, system := field(f, m.labels), field(f, m.system)
	var c clusterFinder
	m.tagCache.fromJSON(labels, &c)
	m.tagCache.fromJSON(system, &c)
	r.Cluster, r.clusterSanitized = c.name, c.sanitized
	r.Tags = normalizeTags(labels)
	return nil
}

// gcpCredits sums the amounts of a credits cell:
// [{"name":..,"amount":-1.5,"type":..},...].
func gcpCredits(s string) (Amount, *fieldError) {
	s = strings.TrimSpace(s)
	if s == "" || s == "[]" {
		return Amount{}, nil
	}
	var cs []struct {
		Amount json.Number `json:"amount"`
	}
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	if err := dec.Decode(&cs); err != nil {
		return Amount{}, &fieldError{column: "credits", message: "is not a JSON list of credits: " + strings.TrimPrefix(err.Error(), "json: ")}
	}
	var sum Amount
	for _, c := range cs {
		a, err := ParseAmount(string(c.Amount))
		if err != nil {
			return Amount{}, badDecimal("credits", string(c.Amount), err)
		}
		sum = sum.Add(a)
	}
	return sum, nil
}
