package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// header starts every canonical encoding, so a future format can be told apart.
const header = "capsule-audit/v1\n"

// GenesisHash is the PrevHash of the first entry of a chain.
var GenesisHash = strings.Repeat("0", 64)

// Canonical returns the canonical encoding of e: every field except Hash, in
// a fixed order, each as <name>=<byte length>:<value>\n, with before/after
// maps in sorted key order. Length prefixes make the encoding unambiguous
// whatever bytes the values hold, so two different entries never share an
// encoding.
func Canonical(e *Entry) []byte {
	var b strings.Builder
	b.WriteString(header)
	field := func(name, v string) {
		b.WriteString(name)
		b.WriteByte('=')
		b.WriteString(strconv.Itoa(len(v)))
		b.WriteByte(':')
		b.WriteString(v)
		b.WriteByte('\n')
	}
	field("seq", strconv.FormatInt(e.Seq, 10))
	field("time", e.Time.UTC().Format(time.RFC3339Nano))
	field("actorType", e.ActorType)
	field("actorId", e.ActorID)
	field("action", e.Action)
	field("targetType", e.TargetType)
	field("targetId", e.TargetID)
	field("organizationId", e.OrganizationID)
	field("requestId", e.RequestID)
	field("ip", e.IP)
	field("userAgent", e.UserAgent)
	field("outcome", e.Outcome)
	summary := func(name string, m map[string]string) {
		keys := slices.Sorted(maps.Keys(m))
		field(name, strconv.Itoa(len(keys)))
		for _, k := range keys {
			field("k", k)
			field("v", m[k])
		}
	}
	summary("before", e.Before)
	summary("after", e.After)
	field("prevHash", e.PrevHash)
	return []byte(b.String())
}

// ComputeHash returns the hex SHA-256 of e's canonical encoding.
func ComputeHash(e *Entry) string {
	sum := sha256.Sum256(Canonical(e))
	return hex.EncodeToString(sum[:])
}

// Seal links e after the entry with sequence number prevSeq and hash
// prevHash (0 and GenesisHash for the first entry): it sets Seq, PrevHash and
// Hash. The time is truncated to microseconds, the precision both databases keep.
func Seal(e *Entry, prevSeq int64, prevHash string) {
	e.Seq = prevSeq + 1
	e.PrevHash = prevHash
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	e.Hash = ComputeHash(e)
}

// ErrCanonical is wrapped by Decode errors.
var ErrCanonical = errors.New("malformed canonical audit entry")

// Decode parses a canonical encoding back into an entry (without Hash). It
// exists so the encoding can be fuzzed for unambiguity and is used by tools
// that re-check exported entries.
func Decode(data []byte) (*Entry, error) {
	d := decoder{s: string(data)}
	if !strings.HasPrefix(d.s, header) {
		return nil, fmt.Errorf("%w: missing header", ErrCanonical)
	}
	d.s = d.s[len(header):]
	e := &Entry{}
	seq := d.field("seq")
	ts := d.field("time")
	for _, p := range []*string{&e.ActorType, &e.ActorID, &e.Action, &e.TargetType, &e.TargetID,
		&e.OrganizationID, &e.RequestID, &e.IP, &e.UserAgent, &e.Outcome} {
		*p = d.next()
	}
	e.Before = d.summary("before")
	e.After = d.summary("after")
	e.PrevHash = d.field("prevHash")
	if d.err == nil && d.s != "" {
		d.err = fmt.Errorf("%w: %d trailing bytes", ErrCanonical, len(d.s))
	}
	if d.err != nil {
		return nil, d.err
	}
	var err error
	if e.Seq, err = strconv.ParseInt(seq, 10, 64); err != nil || strconv.FormatInt(e.Seq, 10) != seq {
		return nil, fmt.Errorf("%w: seq %q", ErrCanonical, seq)
	}
	if e.Time, err = time.Parse(time.RFC3339Nano, ts); err != nil || e.Time.UTC().Format(time.RFC3339Nano) != ts {
		return nil, fmt.Errorf("%w: time %q", ErrCanonical, ts)
	}
	return e, nil
}

var fieldOrder = []string{"actorType", "actorId", "action", "targetType", "targetId",
	"organizationId", "requestId", "ip", "userAgent", "outcome"}

type decoder struct {
	s   string
	i   int // index into fieldOrder for next()
	err error
}

func (d *decoder) next() string {
	name := fieldOrder[d.i]
	d.i++
	return d.field(name)
}

func (d *decoder) field(name string) string {
	if d.err != nil {
		return ""
	}
	rest, ok := strings.CutPrefix(d.s, name+"=")
	if !ok {
		d.err = fmt.Errorf("%w: expected field %q", ErrCanonical, name)
		return ""
	}
	lenStr, rest, ok := strings.Cut(rest, ":")
	n, err := strconv.Atoi(lenStr)
	if !ok || err != nil || n < 0 || n > len(rest)-1 || strconv.Itoa(n) != lenStr || rest[n] != '\n' {
		d.err = fmt.Errorf("%w: field %q has a bad length", ErrCanonical, name)
		return ""
	}
	d.s = rest[n+1:]
	return rest[:n]
}

func (d *decoder) summary(name string) map[string]string {
	n, err := strconv.Atoi(d.field(name))
	if d.err != nil {
		return nil
	}
	if err != nil || n < 0 || n > len(d.s) {
		d.err = fmt.Errorf("%w: %s count", ErrCanonical, name)
		return nil
	}
	if n == 0 {
		return nil
	}
	m := make(map[string]string, n)
	prev := ""
	for i := 0; i < n && d.err == nil; i++ {
		k, v := d.field("k"), d.field("v")
		if d.err == nil && i > 0 && k <= prev {
			d.err = fmt.Errorf("%w: %s keys not sorted or repeated", ErrCanonical, name)
		}
		m[k], prev = v, k
	}
	return m
}
