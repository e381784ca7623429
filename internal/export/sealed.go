package export

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"

	"filippo.io/age"
)

// SecretLookup returns the value of a service's secret key in an
// environment, and whether the secret store has one.
type SecretLookup func(env, service, key string) (string, bool)

// CheckAgeRecipient returns nil for an age X25519 public key (age1...).
func CheckAgeRecipient(recipient string) error {
	_, err := age.ParseX25519Recipient(strings.TrimSpace(recipient))
	if err != nil {
		return fmt.Errorf("export: --age-recipient: %w", err)
	}
	return nil
}

// SealedSecrets encrypts each service's secrets of each environment to the
// age recipient (an "age1..." public key) as an env file,
// secrets/<env>/<service>.env.age, so the values can travel with the
// export; only the recipient's identity decrypts them. A key the store has
// no value for is written as "KEY=" and returned in missing
// ("<env>/<service>/<key>"), so the caller can say what to fill in. age
// encryption is randomized: these files differ from one export to the next.
func SealedSecrets(in Input, recipient string, lookup SecretLookup) (files map[string][]byte, missing []string, err error) {
	r, err := age.ParseX25519Recipient(strings.TrimSpace(recipient))
	if err != nil {
		return nil, nil, fmt.Errorf("export: --age-recipient: %w", err)
	}
	p, err := prepare(in)
	if err != nil {
		return nil, nil, err
	}
	files = map[string][]byte{}
	for _, e := range p.envs {
		for _, sv := range p.svcs {
			if len(sv.Config.Secrets) == 0 {
				continue
			}
			keys := append([]string(nil), sv.Config.Secrets...)
			sort.Strings(keys)
			var plain bytes.Buffer
			for _, k := range keys {
				v, ok := lookup(e.Name, sv.Name, k)
				if !ok {
					missing = append(missing, e.Name+"/"+sv.Name+"/"+k)
				}
				if strings.ContainsAny(v, "\n\r") {
					return nil, nil, fmt.Errorf("export: secret %s of service %s in %s holds a line break, which an env file cannot carry", k, sv.Name, e.Name)
				}
				fmt.Fprintf(&plain, "%s=%s\n", k, v)
			}
			var out bytes.Buffer
			w, err := age.Encrypt(&out, r)
			if err != nil {
				return nil, nil, err
			}
			if _, err := io.Copy(w, &plain); err != nil {
				return nil, nil, err
			}
			if err := w.Close(); err != nil {
				return nil, nil, err
			}
			files["secrets/"+e.Name+"/"+sv.Name+".env.age"] = out.Bytes()
		}
	}
	return files, missing, nil
}
