package cost

import (
	"fmt"
	"math/big"
	"strconv"
)

// Money is an amount of US dollars in micro-dollars (1e-6 USD). Integer
// units keep sums exact; shown with two decimals.
type Money int64

// microsPerDollar is the number of Money units in one dollar.
const microsPerDollar = 1_000_000

// moneyFromRat rounds a dollar amount to the nearest micro-dollar, halves
// away from zero.
//
// Amounts beyond ±MaxMonthly are clamped to one unit past it, so that
// callers can detect them (see checkRange) without int64 overflow.
func moneyFromRat(r *big.Rat) Money {
	return clampMoney(roundRat(new(big.Rat).Mul(r, big.NewRat(microsPerDollar, 1))))
}

// moneyFromQuo rounds num/den micro-dollars (den > 0); num is overwritten.
func moneyFromQuo(num, den *big.Int) Money {
	neg := num.Sign() < 0
	var rem big.Int
	num.QuoRem(num, den, &rem)
	rem.Abs(&rem)
	rem.Lsh(&rem, 1)
	if rem.Cmp(den) >= 0 {
		if neg {
			num.Sub(num, big.NewInt(1))
		} else {
			num.Add(num, big.NewInt(1))
		}
	}
	return clampMoney(num)
}

func clampMoney(i *big.Int) Money {
	switch {
	case i.Cmp(big.NewInt(int64(MaxMonthly))) > 0:
		return MaxMonthly + 1
	case i.Cmp(big.NewInt(-int64(MaxMonthly))) < 0:
		return -MaxMonthly - 1
	}
	return Money(i.Int64())
}

// MaxMonthly is the largest monthly cost of one object Capsule accepts (one
// billion dollars): anything above comes from a typo in a quantity or a
// replica count, and the bound keeps sums of many objects exact in int64.
const MaxMonthly Money = 1_000_000_000 * microsPerDollar

// inRange reports whether every component is within ±MaxMonthly.
func (c Components) inRange() bool {
	for _, m := range []Money{c.CPU, c.Memory, c.Storage, c.GPU, c.LoadBalancer, c.Total()} {
		if m > MaxMonthly || m < -MaxMonthly {
			return false
		}
	}
	return true
}

// roundRat rounds to the nearest integer, halves away from zero.
func roundRat(r *big.Rat) *big.Int {
	num, den := r.Num(), r.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	m.Abs(m)
	m.Lsh(m, 1)
	if m.Cmp(den) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

// Cents returns the amount rounded to whole cents (halves away from zero).
func (m Money) Cents() int64 {
	c := int64(m) / 10_000
	rem := int64(m) % 10_000
	switch {
	case rem >= 5_000:
		c++
	case rem <= -5_000:
		c--
	}
	return c
}

// shownDelta is to − from as people check it: the difference of the two
// amounts rounded to cents, so that baseline + delta = projected holds for
// the printed figures (29.12 → 81.31 is +52.19, never +52.18).
func shownDelta(from, to Money) Money { return Money((to.Cents() - from.Cents()) * 10_000) }

// String renders the amount as dollars with two decimals, e.g. "125.40" or
// "-3.05".
func (m Money) String() string {
	c := m.Cents()
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

// Signed renders the amount with an explicit sign, e.g. "+17.20".
func (m Money) Signed() string {
	if m.Cents() >= 0 {
		return "+" + m.String()
	}
	return m.String()
}

// MarshalJSON writes the amount as a JSON number with two decimals (125.40).
func (m Money) MarshalJSON() ([]byte, error) { return []byte(m.String()), nil }

// UnmarshalJSON reads a JSON number of dollars exactly.
func (m *Money) UnmarshalJSON(b []byte) error {
	r, ok := new(big.Rat).SetString(string(b))
	if !ok {
		return fmt.Errorf("cost: %s is not an amount of dollars", strconv.Quote(string(b)))
	}
	*m = moneyFromRat(r)
	return nil
}
