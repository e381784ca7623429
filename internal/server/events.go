package server

import (
	"github.com/usecapsule/capsule/internal/events"
	"github.com/usecapsule/capsule/internal/events/pgrelay"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// eventHub is the live events hub: on PostgreSQL, where replicas share the
// database, events travel between them by LISTEN/NOTIFY; on SQLite this
// process is the only replica and delivers them itself.
func (o *Options) eventHub(st *sqlstore.Store) *events.Hub {
	opts := events.Options{Logger: o.Logger}
	if st.Dialect() == "postgres" {
		opts.Relay = pgrelay.New(o.DatabaseURL, st.DB(), o.Logger)
	}
	return events.NewHub(opts)
}
