package deploy

import (
	"context"
	"errors"
)

func (r *run) canary(ctx context.Context) error {
	return errors.New("deploy: this strategy is not built yet")
}

type Analysis struct{}
