package allocation

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MaxWindowDays is the longest window a query may ask for: the retention.
const MaxWindowDays = 400

// ParseWindow reads a window of whole days ("30d", "7d", "1d"): samples
// are kept per day, so a window is the last n UTC days, today included,
// from the start of the first day to the start of tomorrow.
func ParseWindow(s string, now time.Time) (Window, error) {
	num, ok := strings.CutSuffix(s, "d")
	n, err := strconv.Atoi(num)
	if !ok || err != nil || num == "" || num[0] == '+' || num[0] == '-' {
		return Window{}, fmt.Errorf("window %q is not a number of days such as 30d", s)
	}
	if n < 1 || n > MaxWindowDays {
		return Window{}, fmt.Errorf("window %q must be between 1d and %dd", s, MaxWindowDays)
	}
	end := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, 1)
	return Window{Start: end.AddDate(0, 0, -n), End: end}, nil
}

// Days returns the window's first and last day as YYYY-MM-DD.
func (w Window) Days() (from, to string) {
	return w.Start.Format("2006-01-02"), w.End.AddDate(0, 0, -1).Format("2006-01-02")
}
