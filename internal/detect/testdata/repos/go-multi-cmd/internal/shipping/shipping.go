package shipping

// Rate is a shipping rate.
type Rate struct{ Cents int }
