package deploy

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The simulated cluster cannot pull images or fail container creation,
// so these causes are checked on pod statuses as the kubelet writes them.
func TestCauseNamesWhatTheKubeletReports(t *testing.T) {
	waitingPod := func(reason, msg string) corev1.Pod {
		return corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-1"}, Status: corev1.PodStatus{Phase: corev1.PodPending,
			ContainerStatuses: []corev1.ContainerStatus{{Name: "app", Image: "example/web:typo",
				State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: reason, Message: msg}}}}}}
	}
	for _, c := range []struct {
		pod  corev1.Pod
		want string
	}{
		{waitingPod("ImagePullBackOff", `Back-off pulling image "example/web:typo"`), "image example/web:typo of container app in pod web-1 cannot be pulled (ImagePullBackOff)"},
		{waitingPod("ErrImagePull", "manifest unknown"), "cannot be pulled (ErrImagePull): manifest unknown"},
		{waitingPod("CreateContainerConfigError", `secret "web-secrets" not found`), `cannot start (CreateContainerConfigError): secret "web-secrets" not found`},
		{corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-2"}, Status: corev1.PodStatus{Phase: corev1.PodFailed, Reason: "Evicted", Message: "The node was low on memory."}},
			"pod web-2 failed: Evicted The node was low on memory."},
		{corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-3"}, Status: corev1.PodStatus{Phase: corev1.PodPending}}, "pod web-3 is still pending"},
	} {
		if got := cause([]corev1.Pod{c.pod}, nil, nil); !strings.Contains(got, c.want) {
			t.Errorf("cause %q, want it to say %q", got, c.want)
		}
	}
	readiness := corev1.Event{InvolvedObject: corev1.ObjectReference{Name: "web-4"}, Reason: "Unhealthy", Message: "Readiness probe failed: HTTP probe failed with statuscode: 503"}
	running := corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-4"}, Status: corev1.PodStatus{Phase: corev1.PodRunning}}
	if got := cause([]corev1.Pod{running}, []corev1.Event{readiness}, nil); !strings.Contains(got, "never became ready") || !strings.Contains(got, "statuscode: 503") {
		t.Errorf("cause %q, want the failing readiness probe's event", got)
	}
}
