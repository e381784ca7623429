package billing

import (
	"errors"
	"math/big"
	"math/bits"
	"strings"
)

// Scale is the number of decimal places an Amount keeps: costs in provider
// files carry up to ten or so (CUR rates, GCP micro-credits), and 18 keeps
// every one of them exact while a sum still has room for 1.7e20 units.
const Scale = 18

// maxMagnitude bounds one parsed value (a quadrillion), so that a sum of
// more than a hundred thousand of the largest values still fits.
const maxMagnitude = 1e15

// An Amount is an exact decimal: a signed 128-bit integer count of 10^-18
// units. Sums of costs are exact (no float64 accumulation) and cheap: two
// machine words, no allocation.
type Amount struct {
	hi int64
	lo uint64
}

var (
	errNotDecimal  = errors.New("is not a decimal")
	errOutOfRange  = errors.New("is out of range")
	pow10Unit      = func() *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(Scale), nil) }()
	maxMagnitudeBI = func() *big.Int { return new(big.Int).Mul(big.NewInt(maxMagnitude), pow10Unit) }()
)

// ParseAmount reads a decimal such as "12.5", "-0.000123", "1.2E-5" or
// "+3". Digits beyond the 18th decimal place are rounded half away from
// zero. The empty string is zero: providers leave cost columns empty where
// a line has no such cost.
func ParseAmount(s string) (Amount, error) {
	if s == "" {
		return Amount{}, nil
	}
	neg := false
	switch s[0] {
	case '-':
		neg, s = true, s[1:]
	case '+':
		s = s[1:]
	}
	mant, exp := s, 0
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		e, ok := parseExponent(s[i+1:])
		if !ok {
			return Amount{}, errNotDecimal
		}
		exp = e
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if intPart == "" && frac == "" {
		return Amount{}, errNotDecimal
	}
	digits := intPart + frac
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return Amount{}, errNotDecimal
		}
	}
	digits = strings.TrimLeft(digits, "0")
	// keep is how many leading digits land at or above 10^-18.
	keep := len(digits) - len(frac) + exp + Scale
	var hi, lo uint64
	ok := true
	n := min(keep, len(digits))
	for i := 0; i < n && ok; i++ {
		hi, lo, ok = mulAdd10(hi, lo, uint64(digits[i]-'0'))
	}
	if keep > len(digits) {
		for i := len(digits); i < keep && ok; i++ {
			hi, lo, ok = mulAdd10(hi, lo, 0)
		}
	} else if keep >= 0 && keep < len(digits) && digits[keep] >= '5' {
		var c uint64
		lo, c = bits.Add64(lo, 1, 0)
		hi += c
	}
	if !ok || hi>>63 != 0 {
		return Amount{}, errOutOfRange
	}
	a := Amount{hi: int64(hi), lo: lo}
	if a.bigAbsCmp(maxMagnitudeBI) > 0 {
		return Amount{}, errOutOfRange
	}
	if neg {
		a = a.Neg()
	}
	return a, nil
}

func parseExponent(s string) (int, bool) {
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg, s = s[0] == '-', s[1:]
	}
	if s == "" || len(s) > 4 {
		return 0, false
	}
	e := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		e = e*10 + int(s[i]-'0')
	}
	if neg {
		e = -e
	}
	return e, true
}

// mulAdd10 returns (hi,lo)*10+d and whether it fits in 128 bits.
func mulAdd10(hi, lo, d uint64) (uint64, uint64, bool) {
	c1, h := bits.Mul64(hi, 10)
	c2, l := bits.Mul64(lo, 10)
	h, c3 := bits.Add64(h, c2, 0)
	l, c4 := bits.Add64(l, d, 0)
	h, c5 := bits.Add64(h, c4, 0)
	return h, l, c1 == 0 && c3 == 0 && c5 == 0
}

// MustAmount parses s or panics; for constants in code and tests.
func MustAmount(s string) Amount {
	a, err := ParseAmount(s)
	if err != nil {
		panic("billing: bad amount " + s)
	}
	return a
}

// Add returns a+b.
func (a Amount) Add(b Amount) Amount {
	lo, c := bits.Add64(a.lo, b.lo, 0)
	return Amount{hi: a.hi + b.hi + int64(c), lo: lo}
}

// Neg returns -a.
func (a Amount) Neg() Amount {
	lo, b := bits.Sub64(0, a.lo, 0)
	return Amount{hi: -a.hi - int64(b), lo: lo}
}

// Sub returns a-b.
func (a Amount) Sub(b Amount) Amount { return a.Add(b.Neg()) }

// Half returns a/2, truncated towards minus infinity at 10^-18.
func (a Amount) Half() Amount {
	return Amount{hi: a.hi >> 1, lo: a.lo>>1 | uint64(a.hi)<<63}
}

// IsZero reports whether a is zero.
func (a Amount) IsZero() bool { return a.hi == 0 && a.lo == 0 }

// Sign returns -1, 0 or 1.
func (a Amount) Sign() int {
	switch {
	case a.hi < 0:
		return -1
	case a.hi == 0 && a.lo == 0:
		return 0
	}
	return 1
}

// Cmp compares a and b: -1, 0 or 1.
func (a Amount) Cmp(b Amount) int {
	switch {
	case a.hi < b.hi:
		return -1
	case a.hi > b.hi:
		return 1
	case a.lo < b.lo:
		return -1
	case a.lo > b.lo:
		return 1
	}
	return 0
}

// Abs returns |a|.
func (a Amount) Abs() Amount {
	if a.hi < 0 {
		return a.Neg()
	}
	return a
}

// Float64 approximates a, for statistics that need no exactness (z-scores).
func (a Amount) Float64() float64 {
	return (float64(a.hi)*18446744073709551616 + float64(a.lo)) / 1e18
}

func (a Amount) bigAbsCmp(x *big.Int) int {
	b := a.Abs().bigUnsigned()
	return b.Cmp(x)
}

// bigUnsigned is a as a non-negative big.Int; a must not be negative.
func (a Amount) bigUnsigned() *big.Int {
	b := new(big.Int).SetUint64(uint64(a.hi))
	b.Lsh(b, 64)
	return b.Add(b, new(big.Int).SetUint64(a.lo))
}

func fromBig(b *big.Int) (Amount, bool) {
	neg := b.Sign() < 0
	m := new(big.Int).Abs(b)
	if m.BitLen() > 127 {
		return Amount{}, false
	}
	lo := new(big.Int).And(m, new(big.Int).SetUint64(^uint64(0))).Uint64()
	hi := new(big.Int).Rsh(m, 64).Uint64()
	a := Amount{hi: int64(hi), lo: lo}
	if neg {
		a = a.Neg()
	}
	return a, true
}

// Mul returns a×b rounded half away from zero at 10^-18 (unit price ×
// quantity), and false when the product does not fit.
func (a Amount) Mul(b Amount) (Amount, bool) {
	p := new(big.Int).Mul(a.signedBig(), b.signedBig())
	neg := p.Sign() < 0
	p.Abs(p)
	q, r := new(big.Int).QuoRem(p, pow10Unit, new(big.Int))
	if r.Lsh(r, 1).Cmp(pow10Unit) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return fromBig(q)
}

func (a Amount) signedBig() *big.Int {
	if a.hi < 0 {
		return new(big.Int).Neg(a.Neg().bigUnsigned())
	}
	return a.bigUnsigned()
}

// String prints a as a plain decimal with at least two and at most 18
// decimal places, trailing zeros dropped: "12.50", "-0.000123", "0.00".
// Never an exponent.
func (a Amount) String() string {
	neg := a.hi < 0
	m := a.Abs().bigUnsigned()
	q, r := new(big.Int).QuoRem(m, pow10Unit, new(big.Int))
	frac := r.String()
	frac = strings.Repeat("0", Scale-len(frac)) + frac
	frac = strings.TrimRight(frac, "0")
	for len(frac) < 2 {
		frac += "0"
	}
	s := q.String() + "." + frac
	if neg {
		s = "-" + s
	}
	return s
}

// MarshalText writes the decimal string, so JSON carries "12.50".
func (a Amount) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText reads a decimal string.
func (a *Amount) UnmarshalText(b []byte) error {
	v, err := ParseAmount(string(b))
	if err != nil {
		return err
	}
	*a = v
	return nil
}
