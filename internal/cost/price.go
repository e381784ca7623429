package cost

import "math/big"

// ratio is num/den in big integers.
type ratio struct{ num, den *big.Int }

// monthlyRate turns a price per unit (per hour, or per month when hourly is
// false) into micro-dollars per month per base unit, where unitsPer is the
// number of base units in the priced unit (1e9 nanocores per vCPU, 2^30
// bytes per GiB, 1 per device).
func monthlyRate(price Price, unitsPer int64, hourly bool) ratio {
	r := price.Rat()
	num := new(big.Int).Mul(r.Num(), big.NewInt(microsPerDollar))
	if hourly {
		num.Mul(num, big.NewInt(HoursPerMonth))
	}
	den := new(big.Int).Mul(r.Denom(), big.NewInt(unitsPer))
	return ratio{num, den}
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
