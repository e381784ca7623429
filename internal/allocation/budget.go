package allocation

import (
	"fmt"
	"math/big"
	"slices"
	"time"
)

// BudgetScopes are what a budget may cover: a label value of the rows.
var BudgetScopes = []string{"team", "project", "environment"}

// DefaultThresholds are a budget's alert levels when none are given.
var DefaultThresholds = []int{50, 80, 100}

// Budget is a monthly amount for the cost of one team, project or
// environment.
type Budget struct {
	ID             string    `json:"id"`
	OrganizationID string    `json:"organization_id"`
	Scope          string    `json:"scope"`
	Name           string    `json:"name"`
	MonthlyAmount  string    `json:"monthly_amount"`
	Thresholds     []int     `json:"thresholds"`
	CreatedAt      time.Time `json:"created_at"`
}

// Validate names what is wrong with a budget, and fills the default
// thresholds.
func (b *Budget) Validate() error {
	if !slices.Contains(BudgetScopes, b.Scope) {
		return fmt.Errorf("scope %q is not one of team, project, environment", b.Scope)
	}
	if b.Name == "" || len(b.Name) > 253 {
		return fmt.Errorf("name must be 1 to 253 characters")
	}
	if _, err := ParseDollars(b.MonthlyAmount); err != nil {
		return fmt.Errorf("monthly_amount: %w", err)
	}
	if len(b.Thresholds) == 0 {
		b.Thresholds = append([]int(nil), DefaultThresholds...)
	}
	if len(b.Thresholds) > 10 {
		return fmt.Errorf("thresholds: at most 10")
	}
	for i, t := range b.Thresholds {
		if t < 1 || t > 1000 || (i > 0 && t <= b.Thresholds[i-1]) {
			return fmt.Errorf("thresholds must be ascending percentages from 1 to 1000, got %v", b.Thresholds)
		}
	}
	return nil
}

// ParseDollars reads a positive decimal amount of dollars ("1500",
// "99.95") into nano-dollars.
func ParseDollars(s string) (int64, error) {
	r, ok := new(big.Rat).SetString(s)
	if !ok || s == "" || s[0] == '-' || s[0] == '+' || len(s) > 24 {
		return 0, fmt.Errorf("%q is not a decimal amount of dollars", s)
	}
	r.Mul(r, big.NewRat(1_000_000_000, 1))
	if r.Sign() <= 0 || !r.IsInt() || r.Num().BitLen() > 62 {
		return 0, fmt.Errorf("%q must be positive, below 4 billion dollars, with at most 9 decimals", s)
	}
	return r.Num().Int64(), nil
}

// BudgetStatus is a budget against the month so far and its forecast.
type BudgetStatus struct {
	Budget
	Month       string `json:"month"`
	MonthToDate string `json:"month_to_date"`
	Forecast    string `json:"forecast"`
	// Breached are the thresholds the month to date reached;
	// ForecastBreached those the forecast reaches and the month to date
	// not yet.
	Breached         []int `json:"breached"`
	ForecastBreached []int `json:"forecast_breached"`
}

// Forecast projects a month's cost. days are the scope's daily costs
// (nano-dollars) from first up to and including today (today partial).
// The forecast is the month's complete days, plus for today and each
// remaining day its expected cost: the mean of the same weekday over the
// last four weeks once two such complete days exist (weekday
// seasonality), else the mean of the last seven complete days; today
// counts at least what it already cost.
func Forecast(first time.Time, days []int64, today time.Time) (monthToDate, forecast int64) {
	today = today.UTC().Truncate(24 * time.Hour)
	monthStart := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	monthEnd := monthStart.AddDate(0, 1, 0)
	idx := func(d time.Time) int { return int(d.Sub(first).Hours() / 24) }
	at := func(d time.Time) int64 {
		if i := idx(d); i >= 0 && i < len(days) {
			return days[i]
		}
		return 0
	}
	complete := idx(today) // days before today in the series
	expected := func(d time.Time) int64 {
		// The last four complete days of d's weekday before today.
		last := today.AddDate(0, 0, -1)
		for last.Weekday() != d.Weekday() {
			last = last.AddDate(0, 0, -1)
		}
		var same []int64
		for k := 0; k < 4; k++ {
			if i := idx(last.AddDate(0, 0, -7*k)); i >= 0 && i < complete && i < len(days) {
				same = append(same, days[i])
			}
		}
		if len(same) < 2 {
			same = same[:0]
			for i := max(0, complete-7); i < complete && i < len(days); i++ {
				same = append(same, days[i])
			}
		}
		if len(same) == 0 {
			return 0
		}
		var sum int64
		for _, v := range same {
			sum += v
		}
		return sum / int64(len(same))
	}
	for d := monthStart; d.Before(monthEnd); d = d.AddDate(0, 0, 1) {
		switch {
		case d.Before(today):
			monthToDate += at(d)
			forecast += at(d)
		case d.Equal(today):
			monthToDate += at(d)
			forecast += max(at(d), expected(d))
		default:
			forecast += expected(d)
		}
	}
	return monthToDate, forecast
}

// Status judges b against a month to date and a forecast.
func (b Budget) Status(month string, monthToDate, forecast int64) BudgetStatus {
	st := BudgetStatus{Budget: b, Month: month, MonthToDate: USD(monthToDate), Forecast: USD(forecast),
		Breached: []int{}, ForecastBreached: []int{}}
	amount, _ := ParseDollars(b.MonthlyAmount)
	for _, t := range b.Thresholds {
		limit := new(big.Int).Mul(big.NewInt(amount), big.NewInt(int64(t)))
		switch {
		case new(big.Int).Mul(big.NewInt(monthToDate), big.NewInt(100)).Cmp(limit) >= 0:
			st.Breached = append(st.Breached, t)
		case new(big.Int).Mul(big.NewInt(forecast), big.NewInt(100)).Cmp(limit) >= 0:
			st.ForecastBreached = append(st.ForecastBreached, t)
		}
	}
	return st
}
