package billing

import (
	"strings"
)

// azureFormat reads Azure Cost Management exports, actual or amortized
// (the same columns; the amounts differ): BilledCost and EffectiveCost are
// both CostInBillingCurrency (an amortized export therefore gives amortized
// effective costs, an actual export actual ones), ListCost is PayGPrice ×
// Quantity, ContractedCost UnitPrice × Quantity. ChargeType Usage,
// UnusedReservation and UnusedSavingsPlan are usage, Purchase a purchase,
// Refund a credit, Tax a tax, anything else an adjustment. Dates are
// YYYY-MM-DD or the month-first MM/DD/YYYY Azure writes.
type azureFormat struct{}

func init() { register(azureFormat{}) }

func (azureFormat) Name() string { return "azure" }

var (
	azureCost = []string{"CostInBillingCurrency", "costInBillingCurrency", "PreTaxCost", "Cost", "CostInUsd"}
	azureDate = []string{"Date", "date", "UsageDateTime", "UsageDate"}
)

func (azureFormat) Detect(h *header) bool {
	return h.col(azureCost...) >= 0 && h.col(azureDate...) >= 0
}

func (azureFormat) Mapper(h *header) (mapper, error) {
	if err := missing("Azure cost export", h, azureCost, azureDate); err != nil {
		return nil, err
	}
	return &azureMapper{
		costName: h.names[h.col(azureCost...)], dateName: h.names[h.col(azureDate...)], cost: h.col(azureCost...), date: h.col(azureDate...),
		resource: h.col("ResourceId", "InstanceId", "InstanceName"), resourceName: h.col("ResourceName"),
		group: h.col("ResourceGroup", "ResourceGroupName"), tags: h.col("Tags"), chargeType: h.col("ChargeType"),
		payg: h.col("PayGPrice"), unit: h.col("UnitPrice", "EffectivePrice"), qty: h.col("Quantity", "UsageQuantity"),
		currency: h.col("BillingCurrency", "BillingCurrencyCode", "Currency"), location: h.col("ResourceLocation"),
		meter: h.col("MeterCategory"), meterID: h.col("MeterId"), sub: h.col("SubscriptionId", "SubscriptionGuid"),
		account: h.col("BillingAccountId"), product: h.col("ProductName", "Product"), pricingModel: h.col("PricingModel"),
	}, nil
}

type azureMapper struct {
	costName, dateName                                     string
	cost, date, resource, resourceName, group, tags        int
	chargeType, payg, unit, qty, currency, location, meter int
	meterID, sub, account, product, pricingModel           int
	dateCache                                              timeCache
	tagCache                                               tagCache
}

func (m *azureMapper) mapRow(f []string, r *Record) *fieldError {
	var payg, unit Amount
	if fe := readDecimals(f, []decimalCol{
		{m.costName, m.cost, &r.BilledCost}, {"PayGPrice", m.payg, &payg},
		{"UnitPrice", m.unit, &unit}, {"Quantity", m.qty, &r.ConsumedQuantity},
	}); fe != nil {
		return fe
	}
	r.EffectiveCost = r.BilledCost
	r.PricingQuantity = r.ConsumedQuantity
	r.ListCost, r.ContractedCost = r.BilledCost, r.BilledCost
	if m.payg >= 0 && field(f, m.payg) != "" {
		if v, ok := payg.Mul(r.ConsumedQuantity); ok {
			r.ListCost = v
		}
	}
	if m.unit >= 0 && field(f, m.unit) != "" {
		if v, ok := unit.Mul(r.ConsumedQuantity); ok {
			r.ContractedCost = v
		}
	}
	var ok bool
	if r.ChargePeriodStart, ok = m.dateCache.parse(field(f, m.date)); !ok {
		return badTime(m.dateName, field(f, m.date))
	}
	switch strings.ToLower(field(f, m.chargeType)) {
	case "", "usage", "unusedreservation", "unusedsavingsplan":
		r.ChargeCategory = CategoryUsage
	case "purchase":
		r.ChargeCategory = CategoryPurchase
	case "refund":
		r.ChargeCategory = CategoryCredit
	case "tax":
		r.ChargeCategory = CategoryTax
	default:
		r.ChargeCategory = CategoryAdjustment
	}
	if r.ChargeCategory == CategoryUsage {
		switch strings.ToLower(field(f, m.pricingModel)) {
		case "savingsplan":
			r.CommitmentDiscountCategory = "Spend"
		case "reservation":
			r.CommitmentDiscountCategory = "Usage"
		}
	}
	r.ResourceID = field(f, m.resource)
	r.ResourceName = field(f, m.resourceName)
	r.ServiceName = field(f, m.meter)
	r.ChargeDescription = field(f, m.product)
	r.SkuID = field(f, m.meterID)
	r.RegionID = field(f, m.location)
	r.SubAccountID = field(f, m.sub)
	r.BillingAccountID = field(f, m.account)
	r.BillingCurrency = field(f, m.currency)
	r.Tags = normalizeTags(field(f, m.tags))
	var c clusterFinder
	m.tagCache.fromJSON(r.Tags, &c)
	if c.prio == 0 {
		c.name = aksCluster(r.ResourceID)
	}
	if c.name == "" {
		if g := field(f, m.group); len(g) > 3 && strings.EqualFold(g[:3], "MC_") {
			c.name = aksGroupCluster(g[3:])
		}
	}
	r.Cluster, r.clusterSanitized = c.name, c.sanitized
	return nil
}
