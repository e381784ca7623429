package deploy

import (
	"context"
	"fmt"
)

// Rollback puts an earlier revision back: req is that revision's Request
// as it was deployed (the control plane keeps every revision's rendered
// objects). It runs like Deploy with the request's strategy, prunes what
// the later revision added, and does not roll back again when it fails.
// On success the phase is running and the message says which revision
// came back.
func (e *Engine) Rollback(ctx context.Context, req Request, report func(Progress)) (Result, error) {
	req.Previous, req.Migration = nil, nil
	res, err := e.deploy(ctx, &req, report, false)
	if err == nil && res.Phase == PhaseRunning {
		res.Message = fmt.Sprintf("rolled back %s to revision %d: %d of %d pods ready", req.Service, req.Revision, res.Ready, res.Desired)
	}
	return res, err
}
