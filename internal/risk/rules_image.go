package risk

import (
	"regexp"
	"strings"
)

// Image and environment rules.

func init() {
	register(
		containerRule{Meta{"mutable-image-tag", "image-tag", 6}, checkImageTag},
		containerRule{Meta{"secret-in-env", "secrets-in-env", 7}, checkSecretEnv},
	)
}

// imageTag splits an image reference into its tag and digest. A registry
// port ("host:5000/app") is not a tag.
func imageTag(image string) (tag, digest string) {
	if i := strings.Index(image, "@"); i >= 0 {
		image, digest = image[:i], image[i+1:]
	}
	slash := strings.LastIndex(image, "/")
	if i := strings.LastIndex(image, ":"); i > slash {
		tag = image[i+1:]
	}
	return tag, digest
}

// mutableImage reports whether the image reference can move under the
// same name: no digest and a missing or "latest" tag.
func mutableImage(image string) bool {
	tag, digest := imageTag(image)
	return digest == "" && (tag == "" || tag == "latest")
}

func checkImageTag(m Meta, w *Workload, c Container) []Finding {
	if c.Image == "" || !mutableImage(c.Image) {
		return nil
	}
	return []Finding{m.finding(w.Key, c.Path+"/image", "container %q uses the mutable image %q: what runs can change without a promotion", c.Name, c.Image)}
}

// secretName matches variable names that conventionally hold credentials.
var secretName = regexp.MustCompile(`(?i)(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?|DSN|CONNECTION_STRING)`)

// notSecretSuffix matches names that point at a credential rather than hold
// one (DB_SECRET_NAME, TOKEN_FILE, API_KEY_PATH).
var notSecretSuffix = regexp.MustCompile(`(?i)_(NAME|FILE|PATH|DIR|REF|ENABLED|TTL|SECONDS|HEADER|URL_PATH)$`)

// checkSecretEnv flags literal values in variables named like credentials.
// The value itself is never put in the message.
func checkSecretEnv(m Meta, w *Workload, c Container) []Finding {
	var out []Finding
	for _, e := range c.Env {
		if !e.HasValue || e.Value == "" || strings.HasPrefix(e.Value, "$(") || !secretName.MatchString(e.Name) || notSecretSuffix.MatchString(e.Name) {
			continue
		}
		out = append(out, m.finding(w.Key, e.Path+"/value", "container %q sets %s as a literal value: use a Secret (secretKeyRef)", c.Name, e.Name))
	}
	return out
}
