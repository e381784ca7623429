package billing

import "strings"

// focusFormat reads FOCUS 1.0, 1.1 and 1.2 files (CSV or Parquet): the
// columns are the record's own, by their spec names; unknown and x_
// provider columns are ignored.
type focusFormat struct{}

func init() { register(focusFormat{}) }

func (focusFormat) Name() string { return "focus" }

func (focusFormat) Detect(h *header) bool { return h.has("BilledCost", "ChargePeriodStart") }

func (focusFormat) Mapper(h *header) (mapper, error) {
	if err := missing("FOCUS", h, []string{"BilledCost"}, []string{"ChargePeriodStart"}); err != nil {
		return nil, err
	}
	return &focusMapper{
		billed: h.col("BilledCost"), effective: h.col("EffectiveCost"), list: h.col("ListCost"),
		contracted: h.col("ContractedCost"), pricingQty: h.col("PricingQuantity"), consumedQty: h.col("ConsumedQuantity"),
		start: h.col("ChargePeriodStart"), end: h.col("ChargePeriodEnd"),
		category: h.col("ChargeCategory", "ChargeType"), class: h.col("ChargeClass"), desc: h.col("ChargeDescription"),
		commitment: h.col("CommitmentDiscountCategory"),
		service:    h.col("ServiceName"), resourceID: h.col("ResourceId"), resourceName: h.col("ResourceName"),
		region: h.col("RegionId", "Region"), subAccount: h.col("SubAccountId"), billingAccount: h.col("BillingAccountId"),
		currency: h.col("BillingCurrency"), sku: h.col("SkuId"), tags: h.col("Tags"),
	}, nil
}

type focusMapper struct {
	billed, effective, list, contracted, pricingQty, consumedQty int
	start, end, category, class, desc                            int
	service, resourceID, resourceName, region, subAccount        int
	billingAccount, currency, sku, tags, commitment              int
	startCache, endCache                                         timeCache
	tagCache                                                     tagCache
}

// decimals names a money or quantity column and where its value goes.
type decimalCol struct {
	name string
	idx  int
	dst  *Amount
}

func readDecimals(fields []string, cols []decimalCol) *fieldError {
	for _, c := range cols {
		if c.idx < 0 {
			continue
		}
		v := field(fields, c.idx)
		a, err := ParseAmount(v)
		if err != nil {
			return badDecimal(c.name, v, err)
		}
		*c.dst = a
	}
	return nil
}

func (m *focusMapper) mapRow(f []string, r *Record) *fieldError {
	if fe := readDecimals(f, []decimalCol{
		{"BilledCost", m.billed, &r.BilledCost}, {"EffectiveCost", m.effective, &r.EffectiveCost},
		{"ListCost", m.list, &r.ListCost}, {"ContractedCost", m.contracted, &r.ContractedCost},
		{"PricingQuantity", m.pricingQty, &r.PricingQuantity}, {"ConsumedQuantity", m.consumedQty, &r.ConsumedQuantity},
	}); fe != nil {
		return fe
	}
	if m.effective < 0 {
		r.EffectiveCost = r.BilledCost
	}
	var ok bool
	if r.ChargePeriodStart, ok = m.startCache.parse(field(f, m.start)); !ok {
		return badTime("ChargePeriodStart", field(f, m.start))
	}
	if v := field(f, m.end); v != "" {
		if r.ChargePeriodEnd, ok = m.endCache.parse(v); !ok {
			return badTime("ChargePeriodEnd", v)
		}
	}
	r.ChargeCategory = focusCategory(field(f, m.category))
	r.ChargeClass = field(f, m.class)
	r.ChargeDescription = field(f, m.desc)
	r.CommitmentDiscountCategory = field(f, m.commitment)
	r.ServiceName = field(f, m.service)
	r.ResourceID = field(f, m.resourceID)
	r.ResourceName = field(f, m.resourceName)
	r.RegionID = field(f, m.region)
	r.SubAccountID = field(f, m.subAccount)
	r.BillingAccountID = field(f, m.billingAccount)
	r.BillingCurrency = field(f, m.currency)
	r.SkuID = field(f, m.sku)
	r.Tags = normalizeTags(field(f, m.tags))
	var c clusterFinder
	m.tagCache.fromJSON(r.Tags, &c)
	if c.prio == 0 {
		c.name = aksCluster(r.ResourceID)
	}
	r.Cluster, r.clusterSanitized = c.name, c.sanitized
	return nil
}

// focusCategory spells a ChargeCategory the spec's way whatever its case;
// an empty one is usage (FOCUS 1.0 previews left it out of some rows).
func focusCategory(s string) string {
	for _, c := range []string{CategoryUsage, CategoryPurchase, CategoryTax, CategoryCredit, CategoryAdjustment} {
		if s == c || strings.EqualFold(s, c) {
			return c
		}
	}
	if s == "" {
		return CategoryUsage
	}
	return s
}
