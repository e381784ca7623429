package httpapi

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/export"
)

// exportProject answers the project's configuration as plain files
// (internal/export) in a tar.gz. Reading it needs only the project's view
// permission, since no secret value is in it; it is audited as an export
// (projects.export) with the format, because it hands out the whole
// configuration at once.
func (ac *access) exportProject(w http.ResponseWriter, r *http.Request) error {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = export.FormatAll
	}
	if err := export.CheckFormat(format); err != nil {
		return invalid(capsule.CodeInvalidParameter, "format", "%s", err.Error())
	}
	in, err := exportInput(r.Context(), ac.store, r.PathValue("id"))
	if err != nil {
		return err
	}
	rt := Route{Method: r.Method, Path: "/api/v1/projects/{id}/export"}
	p := principalFrom(r.Context())
	t, _ := r.Context().Value(targetKey{}).(target)
	files, err := export.Export(in, format)
	if err != nil {
		ac.record(r, rt, p, t, audit.OutcomeFailure, map[string]string{"format": format})
		if errors.Is(err, export.ErrNoServices) || errors.Is(err, export.ErrNoEnvironments) {
			return capsule.Errorf(capsule.KindConflict, capsule.CodeConflict, "%s", err.Error())
		}
		return invalid(capsule.CodeValidation, "services", "%s", err.Error())
	}
	b, err := Tarball(files, in.Project.UpdatedAt)
	if err != nil {
		return capsule.Internal(err)
	}
	ac.record(r, rt, p, t, audit.OutcomeSuccess, map[string]string{"format": format, "files": strconv.Itoa(len(files))})
	w.Header().Set("Content-Type", "application/gzip")
	w.Header().Set("Content-Disposition", `attachment; filename="`+in.Project.Slug+`-export.tar.gz"`)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(b)
	return err
}

// exportInput reads the project with all its environments and services.
func exportInput(ctx context.Context, st capsule.Store, id string) (export.Input, error) {
	p, err := findProject(ctx, st, id)
	if err != nil {
		return export.Input{}, err
	}
	in := export.Input{Project: *p}
	if in.Environments, err = capsule.ProjectEnvironments(ctx, st, p.ID); err != nil {
		return in, err
	}
	in.Services, err = capsule.ProjectServices(ctx, st, p.ID)
	return in, err
}

// Tarball writes files as a gzipped tar, in path order, every entry with
// mode 0644 and time mtime, so equal files give equal bytes.
func Tarball(files map[string][]byte, mtime time.Time) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, name := range export.Paths(files) {
		b := files[name]
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), ModTime: mtime.UTC().Truncate(time.Second), Typeflag: tar.TypeReg, Format: tar.FormatPAX}); err != nil {
			return nil, err
		}
		if _, err := tw.Write(b); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
