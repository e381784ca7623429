package cost

// Components splits a monthly cost by what is paid for.
type Components struct {
	CPU          Money `json:"cpu"`
	Memory       Money `json:"memory"`
	Storage      Money `json:"storage"`
	GPU          Money `json:"gpu"`
	LoadBalancer Money `json:"load_balancer"`
}

// Total is the sum of the components.
func (c Components) Total() Money { return c.CPU + c.Memory + c.Storage + c.GPU + c.LoadBalancer }

func (c Components) plus(o Components) Components {
	return Components{c.CPU + o.CPU, c.Memory + o.Memory, c.Storage + o.Storage, c.GPU + o.GPU, c.LoadBalancer + o.LoadBalancer}
}

// Usage is what a set of objects reserves: requests times replicas.
type Usage struct {
	CPUMillicores int64 `json:"cpu_millicores"`
	MemoryBytes   int64 `json:"memory_bytes"`
	GPUs          int64 `json:"gpus"`
	StorageBytes  int64 `json:"storage_bytes"`
	LoadBalancers int64 `json:"load_balancers"`
}

func (u Usage) plus(o Usage) Usage {
	return Usage{u.CPUMillicores + o.CPUMillicores, u.MemoryBytes + o.MemoryBytes, u.GPUs + o.GPUs,
		u.StorageBytes + o.StorageBytes, u.LoadBalancers + o.LoadBalancers}
}

// Band is the range a cost may fall in when some inputs were estimated.
type Band struct {
	Low     Money    `json:"low"`
	High    Money    `json:"high"`
	Reasons []string `json:"reasons,omitempty"`
}

// AtMax is the cost when an HPA scales the workload to maxReplicas.
type AtMax struct {
	Replicas int64 `json:"replicas"`
	Monthly  Money `json:"monthly"`
}

// Item is the monthly cost of one object.
type Item struct {
	Resource   string     `json:"resource"`
	Namespace  string     `json:"namespace,omitempty"`
	Replicas   int64      `json:"replicas,omitempty"`
	Monthly    Money      `json:"monthly"`
	Components Components `json:"components"`
	Usage      Usage      `json:"usage"`
	Max        *AtMax     `json:"max,omitempty"`
	Confidence *Band      `json:"confidence,omitempty"`
}

// low and high return the band, or the point estimate when firm.
func (it Item) low() Money {
	if it.Confidence != nil {
		return it.Confidence.Low
	}
	return it.Monthly
}

func (it Item) high() Money {
	if it.Confidence != nil {
		return it.Confidence.High
	}
	return it.Monthly
}

func (it Item) maxMonthly() Money {
	if it.Max != nil {
		return it.Max.Monthly
	}
	return it.Monthly
}

// Report is the monthly cost of one set of objects.
type Report struct {
	Currency   string     `json:"currency"`
	Monthly    Money      `json:"monthly"`
	Components Components `json:"components"`
	Usage      Usage      `json:"usage"`
	// Max is the monthly cost with every HPA at maxReplicas.
	Max        Money  `json:"max"`
	Confidence *Band  `json:"confidence,omitempty"`
	Rates      Rates  `json:"rates"`
	Items      []Item `json:"items"`
	// Notes say what was left out and why.
	Notes []string `json:"notes,omitempty"`
}
