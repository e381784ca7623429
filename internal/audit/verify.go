package audit

import "fmt"

// Problems Verify reports.
const (
	Altered  = "altered"
	Removed  = "removed"
	Inserted = "inserted"
)

// Anchor is where a chain segment starts: the sequence number and hash of
// the entry before the first one verified (0 and GenesisHash for a full log,
// the last archived entry after retention archived the older part).
type Anchor struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// Genesis is the anchor of a complete log.
var Genesis = Anchor{Seq: 0, Hash: GenesisHash}

// Finding names the first break of the chain.
type Finding struct {
	Seq     int64  `json:"seq"`
	Problem string `json:"problem"` // Altered, Removed or Inserted
	Detail  string `json:"detail"`
}

// Error describes the break, so a Finding can be returned as an error.
func (f *Finding) Error() string {
	return fmt.Sprintf("audit entry %d %s: %s", f.Seq, f.Problem, f.Detail)
}

// Result is the outcome of Verify.
type Result struct {
	Checked int      `json:"checked"`
	Head    Anchor   `json:"head"` // the last good entry: record it to detect a rewritten tail later
	Finding *Finding `json:"finding,omitempty"`
}

// Verify checks entries, in sequence order, as the chain continuing from
// start. It stops at the first break:
//   - altered: the entry's content no longer hashes to its stored hash, or it
//     was re-hashed after an edit so the next entry no longer links to it;
//   - removed: sequence numbers jump and the entry after the gap links to
//     something that is not there;
//   - inserted: an entry that does not belong to the chain, recognised
//     because its successor links over it, or it repeats a sequence number.
func Verify(entries []Entry, start Anchor) Result {
	c := NewChain(start)
	c.Feed(entries, true)
	return c.Result()
}

// Chain verifies a log read in consecutive pages as one chain: telling an
// inserted entry from an altered one needs the entry before the last good
// one and the entry after the suspect, which may sit on another page, so
// the chain carries both across pages.
type Chain struct {
	r      Result
	before Anchor  // the good entry before r.Head; Seq -1 when r.Head is the start anchor
	held   []Entry // a suspect entry that ended a page, judged with the next page
}

// NewChain starts verifying at start.
func NewChain(start Anchor) *Chain {
	return &Chain{r: Result{Head: start}, before: Anchor{Seq: -1}}
}

// Feed verifies the next page of entries; last says no page follows. It
// returns the first break, also kept in Result; once there is one, further
// pages are ignored.
func (c *Chain) Feed(page []Entry, last bool) *Finding {
	if c.r.Finding != nil {
		return c.r.Finding
	}
	entries := page
	if len(c.held) > 0 {
		entries = append(c.held, page...)
		c.held = nil
	}
	for i := range entries {
		e := &entries[i]
		selfOK := ComputeHash(e) == e.Hash
		linkOK := e.PrevHash == c.r.Head.Hash
		if selfOK && linkOK && e.Seq == c.r.Head.Seq+1 {
			c.before, c.r.Head = c.r.Head, Anchor{Seq: e.Seq, Hash: e.Hash}
			c.r.Checked++
			continue
		}
		if i == len(entries)-1 && !last {
			// Its successor decides between inserted and altered.
			c.held = []Entry{*e}
			return nil
		}
		c.r.Finding = c.classify(entries, i, selfOK, linkOK)
		return c.r.Finding
	}
	return nil
}

// Result returns what has been verified so far and the break, if any.
func (c *Chain) Result() Result { return c.r }

func (c *Chain) classify(entries []Entry, i int, selfOK, linkOK bool) *Finding {
	e := &entries[i]
	prev, before := c.r.Head, c.before
	nextLinksOver := i+1 < len(entries) && entries[i+1].PrevHash == prev.Hash
	switch {
	case e.Seq <= prev.Seq:
		return &Finding{e.Seq, Inserted, fmt.Sprintf("sequence number %d repeats or goes back after %d", e.Seq, prev.Seq)}
	case nextLinksOver:
		return &Finding{e.Seq, Inserted, fmt.Sprintf("entry %d links to entry %d, skipping this one", entries[i+1].Seq, prev.Seq)}
	case before.Seq >= 0 && e.PrevHash == before.Hash:
		return &Finding{prev.Seq, Inserted, fmt.Sprintf("entry %d links to entry %d, skipping entry %d", e.Seq, before.Seq, prev.Seq)}
	case !selfOK:
		return &Finding{e.Seq, Altered, "content does not match the stored hash"}
	case e.Seq > prev.Seq+1:
		return &Finding{prev.Seq + 1, Removed, fmt.Sprintf("entries %d to %d are missing before entry %d", prev.Seq+1, e.Seq-1, e.Seq)}
	case !linkOK && prev.Seq > 0 && before.Seq >= 0:
		// Self-consistent, in sequence, but linking to a different hash: the
		// previous entry was edited and re-hashed.
		return &Finding{prev.Seq, Altered, fmt.Sprintf("entry %d was re-hashed: entry %d links to a different hash", prev.Seq, e.Seq)}
	default:
		return &Finding{e.Seq, Altered, "does not link to the start anchor"}
	}
}
