package httpapi

import (
	"net/http"
	"strconv"

	"github.com/usecapsule/capsule"
)

// RevisionComparison is the answer of the compare route: every field that
// differs between two revisions of a service.
type RevisionComparison struct {
	ServiceID string        `json:"serviceId"`
	From      int           `json:"from"`
	To        int           `json:"to"`
	Changes   []FieldChange `json:"changes"`
}

func listRevisions(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		p, err := pageParam(r.URL.Query())
		if err != nil {
			return err
		}
		if _, err := findService(r.Context(), st, id); err != nil {
			return err
		}
		l, err := st.ListServiceRevisions(r.Context(), id, p)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, l)
		return nil
	}
}

func getRevision(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		n, err := strconv.Atoi(r.PathValue("number"))
		if err != nil || n < 1 {
			return invalid(capsule.CodeInvalidParameter, "number", "%q is not a revision number", r.PathValue("number"))
		}
		if _, err := findService(r.Context(), st, id); err != nil {
			return err
		}
		rev, err := st.FindServiceRevision(r.Context(), id, n)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, rev)
		return nil
	}
}

func compareRevisions(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		q := r.URL.Query()
		from, err := intParam(q, "from")
		if err != nil {
			return err
		}
		to, err := intParam(q, "to")
		if err != nil {
			return err
		}
		if _, err := findService(r.Context(), st, id); err != nil {
			return err
		}
		a, err := st.FindServiceRevision(r.Context(), id, from)
		if err != nil {
			return err
		}
		b, err := st.FindServiceRevision(r.Context(), id, to)
		if err != nil {
			return err
		}
		changes, err := diffRevisions(a, b)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, RevisionComparison{ServiceID: id, From: from, To: to, Changes: changes})
		return nil
	}
}
