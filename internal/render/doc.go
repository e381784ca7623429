// Package render turns a resolved service definition (servicespec.Spec) into
// the Kubernetes objects that run it in one environment. It is a pure
// function of its inputs: typed objects from k8s.io/api, in a fixed order,
// serialized deterministically by Marshal.
//
// What a service gets:
//   - ServiceAccount (no API token mounted: apps rarely need one).
//   - ConfigMap <name>-env from env, and an envFrom reference to the Secret
//     <name>-secrets when the spec names secret keys. Secret values are never
//     rendered: the secret store creates that Secret. The pod template carries
//     checksum/config and checksum/secret annotations (SHA-256 of the content,
//     or of the key names when the values are not given), so any change rolls
//     the pods.
//   - Deployment; a StatefulSet with a headless Service and a volume claim
//     template when the spec has storage; a CronJob for cron services.
//   - Service (port 80 -> the named container port http) for web, api and
//     static; Ingress when a host is set, with the cert-manager
//     cluster-issuer annotation and a TLS secret <name>-tls when an issuer is
//     set; HorizontalPodAutoscaler (autoscaling/v2, CPU and memory
//     utilization) when maxReplicas > minReplicas; PodDisruptionBudget
//     (maxUnavailable 1) when more than one replica can run.
//   - Probes for web, api and static: HTTP GET on the health path when known,
//     TCP on the port otherwise; a startup probe allows 150 s (plus the
//     configured initial delay) before liveness starts, so slow starters
//     (the JVM, Rails) are not killed. Workers and cron jobs get none.
//   - The restricted Pod Security Standard: runAsNonRoot with UID/GID 10001
//     (the USER of capsule's Dockerfiles), no privilege escalation, all
//     capabilities dropped, seccomp RuntimeDefault, a read-only root
//     filesystem with emptyDir volumes for /tmp and the framework's cache or
//     runtime directories (Next.js .next/cache, Rails tmp and log, Laravel
//     storage, nginx cache and /run), plus the spec's writablePaths. A port
//     below 1024 (a repository's own nginx, httpd or Thruster image on 80)
//     gets the namespaced safe sysctl net.ipv4.ip_unprivileged_port_start=0,
//     so UID 10001 can bind it without NET_BIND_SERVICE.
//   - NetworkPolicy: inbound traffic only on the service port, from the
//     ingress controller's namespace (ingress-nginx unless told otherwise)
//     and from pods of the same application (app.kubernetes.io/part-of) in
//     the namespace; workers and cron jobs accept none. Egress is left open
//     because applications call databases and APIs whose addresses render
//     cannot know.
//   - Labels app.kubernetes.io/{name,instance,version,component,part-of} and
//     managed-by=capsule; selectors use only name and instance (plus the
//     slot or track below), because selectors are immutable.
//
// Strategies, without CRDs so the output applies to any cluster:
//   - rolling: RollingUpdate with maxSurge 25 % and maxUnavailable 0.
//   - recreate: Recreate.
//   - blue-green: the active slot's Deployment <name>-<slot> (slot label
//     capsule.dev/slot, Options.Slot, blue by default); the Service <name>
//     selects the active slot and <name>-preview the idle one. A deploy
//     creates the idle slot's Deployment with the new image, tests it through
//     the preview Service, then switches the selectors.
//   - canary: the stable Deployment <name> (track stable) and, when
//     Options.CanaryImage is set, <name>-canary (track canary) with
//     canaryPercent of the replicas (at least one). The Service selects both
//     tracks, so traffic splits by replica count.
//
// Workers and cron jobs share the image of their repository's web process
// (the Heroku Procfile model), so their start command becomes the
// container's command; web processes use the image's CMD.
package render
