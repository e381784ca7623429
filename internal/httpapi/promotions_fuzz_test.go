package httpapi

import (
	"encoding/json"
	"testing"

	"github.com/usecapsule/capsule"
)

// FuzzPromotionPreviewRequest: any body either fails to decode, or is
// refused with a validation error naming fields, or names a service and
// both environments with the two spellings of each pair folded into one.
func FuzzPromotionPreviewRequest(f *testing.F) {
	for _, s := range []string{
		`{"service_id":"a","source_env_id":"b","target_env_id":"c"}`,
		`{"serviceId":"a","sourceEnvId":"b","targetEnvId":"c","gitCommit":"abc"}`,
		`{"workload_name":"web","source_namespace":"staging","target_namespace":"prod","cluster_id":"k"}`,
		`{"service_id":"a","serviceId":"b","source_env_id":"s","target_env_id":"t"}`,
		`{}`, `{"git_commit":""}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var q PromotionPreviewRequest
		if json.Unmarshal([]byte(body), &q) != nil {
			return
		}
		in := q
		err := q.merge()
		if err != nil {
			if capsule.ErrorCode(err) != capsule.CodeValidation {
				t.Fatalf("%s: %v", body, err)
			}
			return
		}
		if (q.ServiceID == "" && q.WorkloadName == "") || (q.SourceEnvID == "" && q.SourceNamespace == "") || (q.TargetEnvID == "" && q.TargetNamespace == "") {
			t.Fatalf("%s merged into %+v", body, q)
		}
		if in.ServiceIDCamel != "" && q.ServiceID != in.ServiceIDCamel {
			t.Fatalf("%s: serviceId %q not kept as %q", body, in.ServiceIDCamel, q.ServiceID)
		}
	})
}
