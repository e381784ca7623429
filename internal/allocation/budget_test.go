package allocation_test

import (
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/allocation"
)

const dollar = 1_000_000_000

// TestForecastWeekdaySeasonality: weekdays cost $10 and weekends $2 for
// five weeks; on Wednesday 2026-12-09 (today's $4 so far) the forecast is
// the month's complete days + today at least its weekday's $10 + each
// remaining day at its weekday's mean.
func TestForecastWeekdaySeasonality(t *testing.T) {
	today := time.Date(2026, 12, 9, 15, 0, 0, 0, time.UTC)
	first := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var days []int64
	for d := first; !d.After(today); d = d.AddDate(0, 0, 1) {
		v := int64(10 * dollar)
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			v = 2 * dollar
		}
		days = append(days, v)
	}
	days[len(days)-1] = 4 * dollar
	mtd, fc := allocation.Forecast(first, days, today)
	// Dec 1-8: Tue-Fri (4×10) + Sat, Sun (2×2) + Mon, Tue (2×10) = 64; + today 4.
	if mtd != 68*dollar {
		t.Fatalf("month to date %s", allocation.USD(mtd))
	}
	// December 2026: 23 weekdays, 8 weekend days = 246 at full cost.
	if fc != 246*dollar {
		t.Fatalf("forecast %s, want 246.00", allocation.USD(fc))
	}
	// Without two same weekdays of history, the trailing week's mean.
	mtd, fc = allocation.Forecast(today.Truncate(24*time.Hour).AddDate(0, 0, -3), []int64{10 * dollar, 10 * dollar, 10 * dollar, 0}, today)
	if mtd != 30*dollar || fc != 260*dollar { // Dec 1-5 unknown (0), 6-8 30, today and 22 days at 10
		t.Fatalf("trailing: %s %s", allocation.USD(mtd), allocation.USD(fc))
	}
}

func TestBudgetStatusAndValidation(t *testing.T) {
	b := allocation.Budget{Scope: "team", Name: "payments", MonthlyAmount: "200"}
	if err := b.Validate(); err != nil || len(b.Thresholds) != 3 {
		t.Fatalf("%v %v", err, b.Thresholds)
	}
	st := b.Status("2026-12", 120*dollar, 230*dollar)
	if len(st.Breached) != 1 || st.Breached[0] != 50 || len(st.ForecastBreached) != 2 || st.Forecast != "230.00" {
		t.Fatalf("%+v", st)
	}
	for _, bad := range []struct {
		b    allocation.Budget
		want string
	}{
		{allocation.Budget{Scope: "cluster", Name: "x", MonthlyAmount: "1"}, "scope"},
		{allocation.Budget{Scope: "team", MonthlyAmount: "1"}, "name"},
		{allocation.Budget{Scope: "team", Name: "x", MonthlyAmount: "-5"}, "monthly_amount"},
		{allocation.Budget{Scope: "team", Name: "x", MonthlyAmount: "1e400"}, "monthly_amount"},
		{allocation.Budget{Scope: "team", Name: "x", MonthlyAmount: "1", Thresholds: []int{80, 50}}, "thresholds"},
	} {
		if err := bad.b.Validate(); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%+v: %v", bad.b, err)
		}
	}
}

func FuzzParseDollars(f *testing.F) {
	for _, s := range []string{"1500", "99.95", "0", "-1", "1e3", "1/3", "0.0000000001", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := allocation.ParseDollars(s)
		if err != nil {
			if !strings.Contains(err.Error(), "dollars") && !strings.Contains(err.Error(), "positive") {
				t.Fatalf("error does not say what is wrong: %v", err)
			}
			return
		}
		if n <= 0 {
			t.Fatalf("%q gave %d", s, n)
		}
	})
}
