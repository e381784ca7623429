package agent

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"strconv"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// HelmReleaseField is the top-level field of a sanitized Helm release
// Secret that carries the release's metadata.
const HelmReleaseField = "helmRelease"

// helmReleaseType is the Secret type Helm 3 stores releases in.
const helmReleaseType = "helm.sh/release.v1"

// maxHelmPayload bounds a decompressed release (the rendered manifests).
const maxHelmPayload = 32 << 20

// helmRelease returns a Helm release Secret's metadata, or nil for another
// Secret. Name, status and revision come from Helm's labels; the chart's
// name and version are only in the payload, which is decoded here, inside
// the agent, and dropped unless withPayload.
func helmRelease(u *unstructured.Unstructured, withPayload bool) map[string]any {
	typ, _, _ := unstructured.NestedString(u.Object, "type")
	labels := u.GetLabels()
	if typ != helmReleaseType || labels["owner"] != "helm" {
		return nil
	}
	rel := map[string]any{
		"name":      labels["name"],
		"namespace": u.GetNamespace(),
		"status":    labels["status"],
	}
	if rev, err := strconv.Atoi(labels["version"]); err == nil {
		rel["revision"] = int64(rev)
	}
	encoded, _, _ := unstructured.NestedString(u.Object, "data", "release")
	h, err := decodeHelmPayload(encoded)
	if err != nil {
		rel["error"] = "release payload: " + err.Error()
		return rel
	}
	rel["chart"] = h.Chart.Metadata.Name
	rel["chartVersion"] = h.Chart.Metadata.Version
	rel["appVersion"] = h.Chart.Metadata.AppVersion
	if h.Info.LastDeployed != "" {
		rel["lastDeployed"] = h.Info.LastDeployed
	}
	if rel["name"] == "" {
		rel["name"] = h.Name
	}
	if rel["status"] == "" {
		rel["status"] = h.Info.Status
	}
	if withPayload {
		rel["payload"] = encoded
	}
	return rel
}

// helmHeader is the part of a release the agent reads.
type helmHeader struct {
	Name string `json:"name"`
	Info struct {
		Status       string `json:"status"`
		LastDeployed string `json:"last_deployed"`
	} `json:"info"`
	Chart struct {
		Metadata struct {
			Name       string `json:"name"`
			Version    string `json:"version"`
			AppVersion string `json:"appVersion"`
		} `json:"metadata"`
	} `json:"chart"`
}

// decodeHelmPayload decodes a Secret's data.release: the API's base64 of
// Helm's base64 of gzipped JSON (Helm stores plain JSON when it is not
// gzipped, so both are accepted).
func decodeHelmPayload(apiEncoded string) (*helmHeader, error) {
	helmEncoded, err := base64.StdEncoding.DecodeString(apiEncoded)
	if err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.DecodeString(string(helmEncoded))
	if err != nil {
		return nil, err
	}
	var r io.Reader = bytes.NewReader(raw)
	if len(raw) > 2 && raw[0] == 0x1f && raw[1] == 0x8b {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		r = zr
	}
	var h helmHeader
	if err := json.NewDecoder(io.LimitReader(r, maxHelmPayload)).Decode(&h); err != nil {
		return nil, err
	}
	return &h, nil
}
