package cost

import "math/big"

var hoursPerMonth = big.NewRat(HoursPerMonth, 1)

// cost prices facts at a replica count under a scenario.
func (e *estimator) cost(f *facts, replicas int64, s scenario) Components {
	var c Components
	reps := big.NewRat(replicas, 1)
	if f.pod != nil {
		hours := new(big.Rat).Mul(hoursPerMonth, s.jobShare)
		if !f.job {
			hours = hoursPerMonth
		}
		perMonth := func(amount, estimated *big.Rat, rate Price) Money {
			firm := new(big.Rat).Sub(amount, estimated)
			firm.Add(firm, new(big.Rat).Mul(estimated, s.reqScale))
			firm.Mul(firm, reps)
			firm.Mul(firm, rate.Rat())
			firm.Mul(firm, s.rateScale)
			return moneyFromRat(firm.Mul(firm, hours))
		}
		c.CPU = perMonth(f.pod.cpu, f.pod.cpuEst, e.rates.CPU)
		c.Memory = perMonth(f.pod.mem, f.pod.memEst, e.rates.Memory)
		c.GPU = perMonth(f.pod.gpu, f.pod.gpuEst, e.rates.GPU)
	}
	storage := new(big.Rat)
	for _, cl := range f.claims {
		storage.Add(storage, new(big.Rat).Mul(cl.gib, e.rates.storageRate(cl.class)))
	}
	for _, cl := range f.claimsPerReplica {
		x := new(big.Rat).Mul(cl.gib, e.rates.storageRate(cl.class))
		storage.Add(storage, x.Mul(x, reps))
	}
	c.Storage = moneyFromRat(storage)
	if f.loadBalancers > 0 {
		lb := new(big.Rat).Mul(big.NewRat(f.loadBalancers, 1), e.rates.LoadBalancer.Rat())
		c.LoadBalancer = moneyFromRat(lb.Mul(lb, hoursPerMonth))
	}
	return c
}
