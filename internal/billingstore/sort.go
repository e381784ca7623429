package billingstore

import "sort"

func sortAttributions(a []Attribution) {
	sort.Slice(a, func(i, j int) bool {
		if a[i].Cluster != a[j].Cluster {
			return a[i].Cluster < a[j].Cluster
		}
		return a[i].Day < a[j].Day
	})
}
