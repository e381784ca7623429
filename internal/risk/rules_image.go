package risk

import (
	"regexp"
	"sort"
	"strings"
)

// Image and environment rules.

func init() {
	register(
		containerRule{Meta{"mutable-image-tag", "image-tag", 6}, checkImageTag},
		containerRule{Meta{"secret-in-env", "secrets-in-env", 7}, checkSecretEnv},
		setRule{Meta{"secret-in-configmap", "secrets-in-env", 7}, checkSecretConfigMap},
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
// Cloud SDKs read whole keys from AZURE_*_KEY and OCI_CLI_KEY_CONTENT.
var secretName = regexp.MustCompile(`(?i)(PASSWORD|PASSWD|SECRET|TOKEN|BEARER|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?|DSN|CONNECTION_STRING|^AZURE_.*KEY$|KEY_CONTENT$)`)

// privateKey matches a PEM or OpenSSH private key block ("-----BEGIN RSA
// PRIVATE KEY-----", "---BEGIN OPENSSH PRIVATE KEY---"), whatever the
// variable or key holding it is called.
var privateKey = regexp.MustCompile(`(?i)-BEGIN\s+[A-Z0-9 ]*PRIVATE KEY-`)

// hasAWSKeyID reports whether v holds an AWS access key ID (long-term
// AKIA, temporary ASIA, then 16 uppercase letters or digits, as a whole
// word): a credential whatever the variable is called. A scan rather than
// a regular expression, which would be compiled at every start.
func hasAWSKeyID(v string) bool {
	upperOrDigit := func(c byte) bool { return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' }
	word := func(c byte) bool { return upperOrDigit(c) || c >= 'a' && c <= 'z' || c == '_' }
	for i := 0; i+20 <= len(v); i++ {
		if p := v[i : i+4]; p != "AKIA" && p != "ASIA" || i > 0 && word(v[i-1]) {
			continue
		}
		ok := i+20 == len(v) || !word(v[i+20])
		for j := i + 4; ok && j < i+20; j++ {
			ok = upperOrDigit(v[j])
		}
		if ok {
			return true
		}
	}
	return false
}

// secretValue reports whether a literal named name with value v holds a
// credential: a private key or an AWS access key ID anywhere, or a
// non-empty value under a credential-like name that is not a pointer to
// one.
func secretValue(name, v string) bool {
	if v == "" {
		return false
	}
	if privateKey.MatchString(v) || hasAWSKeyID(v) {
		return true
	}
	return !strings.HasPrefix(v, "$(") && secretName.MatchString(name) && !notSecretSuffix.MatchString(name)
}

// notSecretSuffix matches names that point at a credential rather than hold
// one (DB_SECRET_NAME, TOKEN_FILE, API_KEY_PATH).
var notSecretSuffix = regexp.MustCompile(`(?i)_(NAME|FILE|PATH|DIR|REF|ENABLED|TTL|SECONDS|HEADER|URL_PATH)$`)

// checkSecretEnv flags literal values in variables named like credentials.
// The value itself is never put in the message.
func checkSecretEnv(m Meta, w *Workload, c Container) []Finding {
	var out []Finding
	for _, e := range c.Env {
		if !e.HasValue || !secretValue(e.Name, e.Value) {
			continue
		}
		out = append(out, m.finding(w.Key, e.Path+"/value", "container %q sets %s as a literal value: use a Secret (secretKeyRef)", c.Name, e.Name))
	}
	return out
}

// checkSecretConfigMap flags ConfigMap entries that hold a credential: a
// ConfigMap is readable by anyone who may read configuration, is not
// encrypted at rest, and lands in Git and in logs of every tool that
// prints it. Values are never put in the message.
func checkSecretConfigMap(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, o := range ctx.Set.OfKind("ConfigMap") {
		data := mapAt(o.Object, "data")
		keys := make([]string, 0, len(data))
		for k := range data {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if v, _ := data[k].(string); secretValue(k, v) {
				out = append(out, m.finding(Key(o), "/data/"+pointerEscape(k), "%s holds a credential in %q: use a Secret", Key(o), k))
			}
		}
	}
	return out
}

// pointerEscape escapes a key for a JSON pointer (RFC 6901).
func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
