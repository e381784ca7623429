package billing

import (
	"encoding/json"
	"strings"
)

// curFormat reads AWS Cost and Usage Reports: CUR 2.0 column names
// (line_item_unblended_cost), and the legacy CUR names (lineItem/UnblendedCost)
// translated to them.
//
// EffectiveCost is the amortized cost, per line item type:
//
//	SavingsPlanCoveredUsage  savings_plan_savings_plan_effective_cost
//	DiscountedUsage          reservation_effective_cost
//	SavingsPlanRecurringFee  savings_plan_total_commitment_to_date − savings_plan_used_commitment (the unused part)
//	RIFee                    reservation_unused_amortized_upfront_fee_for_billing_period + reservation_unused_recurring_fee
//	SavingsPlanNegation, SavingsPlanUpfrontFee, Fee of a reservation   0 (already in the usage above)
//	anything else            line_item_unblended_cost
//
// When the report has net columns (line_item_net_unblended_cost, the net
// savings plan and reservation effective costs), they are used where not
// empty and the discount line items (EdpDiscount, BundledDiscount,
// PrivateRateDiscount, ...) count 0 in EffectiveCost, since the net figures
// already hold them. BilledCost is line_item_unblended_cost, which is what
// the invoice sums; ListCost pricing_public_on_demand_cost.
type curFormat struct{}

func init() { register(curFormat{}) }

func (curFormat) Name() string { return "aws-cur" }

func (curFormat) Detect(h *header) bool {
	return h.has("line_item_unblended_cost") || h.has("lineItem/UnblendedCost")
}

// curName turns a legacy CUR column (lineItem/UnblendedCost) into its CUR
// 2.0 name (line_item_unblended_cost); tag columns are left alone.
func curName(n string) string {
	cat, col, ok := strings.Cut(n, "/")
	if !ok || cat == "resourceTags" || cat == "costCategory" {
		return n
	}
	return snake(cat) + "_" + snake(col)
}

func snake(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

type curTagCol struct {
	key string
	idx int
}

func (curFormat) Mapper(raw *header) (mapper, error) {
	names := make([]string, len(raw.names))
	var tagCols []curTagCol
	for i, n := range raw.names {
		names[i] = curName(n)
		switch {
		case strings.HasPrefix(n, "resourceTags/"):
			tagCols = append(tagCols, curTagCol{key: n[len("resourceTags/"):], idx: i})
		case strings.HasPrefix(n, "resource_tags_"):
			tagCols = append(tagCols, curTagCol{key: n[len("resource_tags_"):], idx: i})
		}
	}
	h := newHeader(names)
	if err := missing("AWS CUR", h, []string{"line_item_unblended_cost"}, []string{"line_item_usage_start_date"}); err != nil {
		return nil, err
	}
	m := &curMapper{
		unblended: h.col("line_item_unblended_cost"), netUnblended: h.col("line_item_net_unblended_cost"),
		list: h.col("pricing_public_on_demand_cost"), typ: h.col("line_item_line_item_type"),
		spEff: h.col("savings_plan_savings_plan_effective_cost"), spNetEff: h.col("savings_plan_net_savings_plan_effective_cost"),
		spTotal: h.col("savings_plan_total_commitment_to_date"), spUsed: h.col("savings_plan_used_commitment"),
		riEff: h.col("reservation_effective_cost"), riNetEff: h.col("reservation_net_effective_cost"),
		riUnusedUpfront:   h.col("reservation_unused_amortized_upfront_fee_for_billing_period"),
		riUnusedRecurring: h.col("reservation_unused_recurring_fee"), riARN: h.col("reservation_reservation_a_r_n"),
		start: h.col("line_item_usage_start_date"), end: h.col("line_item_usage_end_date"),
		resource: h.col("line_item_resource_id"),
		service:  h.col("product_product_name", "product_servicecode", "line_item_product_code"),
		region:   h.col("product_region_code", "product_region"), account: h.col("line_item_usage_account_id"),
		payer: h.col("bill_payer_account_id"), currency: h.col("line_item_currency_code"), sku: h.col("product_sku"),
		qty: h.col("line_item_usage_amount"), desc: h.col("line_item_line_item_description"),
		tagsMap: h.col("resource_tags"), tagCols: tagCols,
	}
	m.hasNet = m.netUnblended >= 0
	return m, nil
}

type curMapper struct {
	unblended, netUnblended, list, typ, spEff, spNetEff, spTotal, spUsed int
	riEff, riNetEff, riUnusedUpfront, riUnusedRecurring, riARN           int
	start, end, resource, service, region, account, payer, currency      int
	sku, qty, desc, tagsMap                                              int
	tagCols                                                              []curTagCol
	hasNet                                                               bool
	startCache, endCache                                                 timeCache
	tagCache                                                             tagCache
}

// curCategory maps line_item_line_item_type onto a FOCUS ChargeCategory.
func curCategory(t string) string {
	switch t {
	case "Usage", "SavingsPlanCoveredUsage", "DiscountedUsage", "SavingsPlanNegation", "":
		return CategoryUsage
	case "Tax":
		return CategoryTax
	case "Credit", "Refund", "EdpDiscount", "BundledDiscount", "PrivateRateDiscount", "SppDiscount",
		"DistributorDiscount", "Discount", "SavingsBundleDiscount":
		return CategoryCredit
	case "Fee", "RIFee", "SavingsPlanRecurringFee", "SavingsPlanUpfrontFee":
		return CategoryPurchase
	}
	return CategoryAdjustment
}

func isCURDiscount(t string) bool {
	return strings.HasSuffix(t, "Discount")
}

// amount reads column idx (named for errors); "" is zero.
func (m *curMapper) amount(f []string, idx int, name string) (Amount, *fieldError) {
	v := field(f, idx)
	a, err := ParseAmount(v)
	if err != nil {
		return Amount{}, badDecimal(name, v, err)
	}
	return a, nil
}

// prefer reads the net column when it has a value, else the plain one.
func (m *curMapper) prefer(f []string, net int, netName string, plain int, plainName string) (Amount, *fieldError) {
	if net >= 0 && field(f, net) != "" {
		return m.amount(f, net, netName)
	}
	return m.amount(f, plain, plainName)
}

func (m *curMapper) effective(f []string, typ string, unblended Amount) (Amount, *fieldError) {
	switch {
	case typ == "SavingsPlanCoveredUsage":
		return m.prefer(f, m.spNetEff, "savings_plan_net_savings_plan_effective_cost", m.spEff, "savings_plan_savings_plan_effective_cost")
	case typ == "DiscountedUsage":
		return m.prefer(f, m.riNetEff, "reservation_net_effective_cost", m.riEff, "reservation_effective_cost")
	case typ == "SavingsPlanRecurringFee":
		total, fe := m.amount(f, m.spTotal, "savings_plan_total_commitment_to_date")
		if fe != nil {
			return Amount{}, fe
		}
		used, fe := m.amount(f, m.spUsed, "savings_plan_used_commitment")
		return total.Sub(used), fe
	case typ == "RIFee":
		up, fe := m.amount(f, m.riUnusedUpfront, "reservation_unused_amortized_upfront_fee_for_billing_period")
		if fe != nil {
			return Amount{}, fe
		}
		rec, fe := m.amount(f, m.riUnusedRecurring, "reservation_unused_recurring_fee")
		return up.Add(rec), fe
	case typ == "SavingsPlanNegation", typ == "SavingsPlanUpfrontFee",
		typ == "Fee" && field(f, m.riARN) != "":
		return Amount{}, nil
	case m.hasNet && isCURDiscount(typ):
		return Amount{}, nil
	case m.hasNet:
		return m.prefer(f, m.netUnblended, "line_item_net_unblended_cost", m.unblended, "line_item_unblended_cost")
	}
	return unblended, nil
}

func (m *curMapper) mapRow(f []string, r *Record) *fieldError {
	var fe *fieldError
	if r.BilledCost, fe = m.amount(f, m.unblended, "line_item_unblended_cost"); fe != nil {
		return fe
	}
	typ := field(f, m.typ)
	if r.EffectiveCost, fe = m.effective(f, typ, r.BilledCost); fe != nil {
		return fe
	}
	if r.ListCost, fe = m.amount(f, m.list, "pricing_public_on_demand_cost"); fe != nil {
		return fe
	}
	r.ContractedCost = r.BilledCost
	if r.ConsumedQuantity, fe = m.amount(f, m.qty, "line_item_usage_amount"); fe != nil {
		return fe
	}
	r.PricingQuantity = r.ConsumedQuantity
	var ok bool
	if r.ChargePeriodStart, ok = m.startCache.parse(field(f, m.start)); !ok {
		return badTime("line_item_usage_start_date", field(f, m.start))
	}
	if v := field(f, m.end); v != "" {
		if r.ChargePeriodEnd, ok = m.endCache.parse(v); !ok {
			return badTime("line_item_usage_end_date", v)
		}
	}
	r.ChargeCategory = curCategory(typ)
	switch typ {
	case "SavingsPlanCoveredUsage":
		r.CommitmentDiscountCategory = "Spend"
	case "DiscountedUsage":
		r.CommitmentDiscountCategory = "Usage"
	}
	r.ChargeDescription = field(f, m.desc)
	r.ServiceName = field(f, m.service)
	r.ResourceID = field(f, m.resource)
	r.RegionID = field(f, m.region)
	r.SubAccountID = field(f, m.account)
	r.BillingAccountID = field(f, m.payer)
	r.BillingCurrency = field(f, m.currency)
	r.SkuID = field(f, m.sku)
	var c clusterFinder
	r.Tags = normalizeTags(field(f, m.tagsMap))
	m.tagCache.fromJSON(r.Tags, &c)
	if len(m.tagCols) > 0 {
		var extra map[string]string
		for _, tc := range m.tagCols {
			if v := field(f, tc.idx); v != "" {
				c.add(tc.key, v)
				if extra == nil {
					extra = map[string]string{}
				}
				extra[tc.key] = v
			}
		}
		if extra != nil && r.Tags == "" {
			b, _ := json.Marshal(extra)
			r.Tags = string(b)
		}
	}
	r.Cluster, r.clusterSanitized = c.name, c.sanitized
	return nil
}
