package cost

import (
	"math"
	"math/big"
	"math/bits"
)

// ratio is num/den in big integers.
type ratio struct{ num, den *big.Int }

// monthlyRate turns a price per unit (per hour, or per month when hourly is
// false) into micro-dollars per month per base unit, where unitsPer is the
// number of base units in the priced unit (1e9 nanocores per vCPU, 2^30
// bytes per GiB, 1 per device).
func monthlyRate(price Price, unitsPer int64, hourly bool) ratio {
	r := new(big.Rat).Mul(price.Rat(), big.NewRat(microsPerDollar, unitsPer))
	if hourly {
		r.Mul(r, big.NewRat(HoursPerMonth, 1))
	}
	// big.Rat keeps the fraction reduced, which keeps the default prices'
	// numerator and denominator small enough for the int64 path in money.
	return ratio{new(big.Int).Set(r.Num()), new(big.Int).Set(r.Denom())}
}

func (e *estimator) prepareRates() {
	e.cpuRate = monthlyRate(e.rates.CPU, 1_000_000_000, true)
	e.memRate = monthlyRate(e.rates.Memory, 1<<30, true)
	e.gpuRate = monthlyRate(e.rates.GPU, 1, true)
	e.lbRate = monthlyRate(e.rates.LoadBalancer, 1, true)
	e.storageRates = map[string]ratio{"": monthlyRate(e.rates.Storage, 1<<30, false)}
	for class, p := range e.rates.storageClasses {
		e.storageRates[class] = monthlyRate(p, 1<<30, false)
	}
}

func (e *estimator) storageRate(class string) ratio {
	if r, ok := e.storageRates[class]; ok {
		return r
	}
	return e.storageRates[""]
}

// money returns round(amount · count · f1 · f2 · rate) in micro-dollars,
// exactly, clamped like moneyFromRat.
func (e *estimator) money(amount, count int64, f1, f2 frac, rate ratio) Money {
	if amount == 0 || count == 0 || f1.num == 0 || f2.num == 0 {
		return 0
	}
	if m, ok := money64(amount, count, f1, f2, rate); ok {
		return m
	}
	x, y := &e.scratch[0], &e.scratch[1]
	x.SetInt64(amount)
	x.Mul(x, y.SetInt64(count))
	x.Mul(x, y.SetInt64(f1.num*f2.num))
	x.Mul(x, rate.num)
	y.SetInt64(f1.den * f2.den)
	y.Mul(y, rate.den)
	return moneyFromQuo(x, y)
}

// cost prices facts at a replica count under a scenario.
func (e *estimator) cost(f *facts, replicas int64, s scenario) Components {
	var c Components
	if f.pod != nil {
		share := mid.jobShare
		if f.job {
			share = s.jobShare
		}
		// firm + estimated·reqScale, over reqScale.den to stay integral.
		scaled := func(amount, est int64) int64 {
			return (amount-est)*s.reqScale.den + est*s.reqScale.num
		}
		per := frac{share.num * s.rateScale.num, share.den * s.rateScale.den * s.reqScale.den}
		c.CPU = e.money(scaled(f.pod.cpu, f.pod.cpuEst), replicas, per, frac{1, 1}, e.cpuRate)
		c.Memory = e.money(scaled(f.pod.mem, f.pod.memEst), replicas, per, frac{1, 1}, e.memRate)
		c.GPU = e.money(scaled(f.pod.gpu, f.pod.gpuEst), replicas, per, frac{1, 1}, e.gpuRate)
	}
	one := frac{1, 1}
	for _, cl := range f.claims {
		c.Storage += e.money(cl.bytes, 1, one, one, e.storageRate(cl.class))
	}
	for _, cl := range f.claimsPerReplica {
		c.Storage += e.money(cl.bytes, replicas, one, one, e.storageRate(cl.class))
	}
	c.LoadBalancer = e.money(f.loadBalancers, 1, one, one, e.lbRate)
	return c
}

// money64 is money in int64 arithmetic, for when no product overflows
// (always with the default prices and ordinary quantities); ok is false
// otherwise and the caller uses big integers.
func money64(amount, count int64, f1, f2 frac, rate ratio) (Money, bool) {
	if !rate.num.IsInt64() || !rate.den.IsInt64() || amount < 0 || count < 0 {
		return 0, false
	}
	num, ok := mul64(amount, count, f1.num, f2.num, rate.num.Int64())
	if !ok {
		return 0, false
	}
	den, ok := mul64(f1.den, f2.den, rate.den.Int64())
	if !ok || den <= 0 {
		return 0, false
	}
	q, r := num/den, num%den
	if 2*r >= den {
		q++
	}
	if Money(q) > MaxMonthly {
		return MaxMonthly + 1, true
	}
	return Money(q), true
}

// mul64 multiplies non-negative factors, reporting overflow.
func mul64(factors ...int64) (int64, bool) {
	p := uint64(1)
	for _, f := range factors {
		if f < 0 {
			return 0, false
		}
		hi, lo := bits.Mul64(p, uint64(f))
		if hi != 0 || lo > math.MaxInt64 {
			return 0, false
		}
		p = lo
	}
	return int64(p), true
}
