package webhook

import (
	"math/rand/v2"
	"time"
)

// DefaultSchedule is the base delay before each retry: the Svix schedule
// (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) stretched to about three days
// with 24 h and 20 h, so a receiver that is down over a weekend day still
// gets its messages. After the last one a delivery is failed; it can be
// redelivered by hand.
var DefaultSchedule = []time.Duration{
	5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour,
	10 * time.Hour, 10 * time.Hour, 24 * time.Hour, 20 * time.Hour,
}

// retryDelay is the wait before retry n (1-based) with full jitter: a
// uniform draw from [0, base], so receivers that failed together (an
// outage) are not retried together. ok is false when the schedule is
// exhausted.
func retryDelay(schedule []time.Duration, n int) (d time.Duration, ok bool) {
	if n < 1 || n > len(schedule) {
		return 0, false
	}
	base := schedule[n-1]
	if base <= 0 {
		return 0, true
	}
	return time.Duration(rand.Int64N(int64(base) + 1)), true
}
