package egress

import (
	"fmt"
	"net/netip"
	"strings"
)

// ranges are the non-public networks, most specific first so that the
// reason names the narrowest one (metadata before link-local).
var ranges = []struct {
	prefix netip.Prefix
	why    string
}{
	{netip.MustParsePrefix("169.254.169.254/32"), "a cloud metadata service"},
	{netip.MustParsePrefix("fd00:ec2::254/128"), "a cloud metadata service"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified (this host)"},
	{netip.MustParsePrefix("::/128"), "unspecified (this host)"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared address space (carrier-grade NAT)"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("fc00::/7"), "unique-local"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved"},
	{netip.MustParsePrefix("192.0.0.0/24"), "reserved (IETF protocol assignments)"},
	{netip.MustParsePrefix("198.18.0.0/15"), "reserved (benchmarking)"},
	{netip.MustParsePrefix("fec0::/10"), "site-local"},
}

// embedding are IPv6 networks whose low 32 bits are an IPv4 address that
// the packet ends up at (NAT64 and IPv4-compatible addresses): they are
// judged by that IPv4 address. IPv4-mapped addresses (::ffff:a.b.c.d) are
// unmapped before anything else.
var embedding = []netip.Prefix{
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("::/96"),
}

// Classify returns why ip is not a public address ("loopback", "private",
// ...), or "" for a public one.
func Classify(ip netip.Addr) string {
	if !ip.IsValid() {
		return "invalid"
	}
	ip = ip.WithZone("").Unmap()
	for _, r := range ranges {
		if r.prefix.Contains(ip) {
			return r.why
		}
	}
	if ip.Is6() {
		for _, p := range embedding {
			if p.Contains(ip) {
				b := ip.As16()
				v4 := netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
				if why := Classify(v4); why != "" {
					return why + " (embedded in " + ip.String() + ")"
				}
			}
		}
	}
	return ""
}

// ParseAllow parses a comma-separated list of CIDRs ("10.0.0.0/8,
// fd00::/8"); a bare address stands for itself (/32 or /128). Empty input
// is an empty list. A prefix with bits set past its length (10.1.2.3/8) is
// refused rather than silently widened, since it is usually a typo.
func ParseAllow(s string) ([]netip.Prefix, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []netip.Prefix
	for i, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			return nil, fmt.Errorf("entry %d is empty", i+1)
		}
		p, err := parsePrefix(item)
		if err != nil {
			return nil, fmt.Errorf("entry %d %q: %s", i+1, clip(item), err)
		}
		out = append(out, p)
	}
	return out, nil
}

func parsePrefix(item string) (netip.Prefix, error) {
	if !strings.Contains(item, "/") {
		a, err := netip.ParseAddr(item)
		if err != nil || a.Zone() != "" {
			return netip.Prefix{}, fmt.Errorf("is neither an IP address nor a CIDR such as 10.0.0.0/8")
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(item)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("is not a CIDR such as 10.0.0.0/8 or fd00::/8")
	}
	if m := p.Masked(); m != p {
		return netip.Prefix{}, fmt.Errorf("has bits set past the prefix length (did you mean %s?)", m)
	}
	return p, nil
}

// clip keeps error messages about bad input short.
func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}
