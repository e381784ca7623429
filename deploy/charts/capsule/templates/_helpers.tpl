{{- define "capsule.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "capsule.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "capsule.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* postgres is "true" when the store is PostgreSQL. */}}
{{- define "capsule.postgres" -}}
{{- if or .Values.database.url .Values.database.existingSecret -}}true{{- end -}}
{{- end -}}

{{/* pvc is "true" when --data-dir is a PersistentVolumeClaim. */}}
{{- define "capsule.pvc" -}}
{{- if and .Values.persistence.enabled (or (not (include "capsule.postgres" .)) .Values.persistence.alwaysWithPostgres) -}}true{{- end -}}
{{- end -}}

{{- define "capsule.keysSecret" -}}
{{- default (printf "%s-keys" (include "capsule.fullname" .)) .Values.keys.existingSecret -}}
{{- end -}}

{{- define "capsule.databaseSecret" -}}
{{- default (printf "%s-database" (include "capsule.fullname" .)) .Values.database.existingSecret -}}
{{- end -}}

{{/* validate stops rendering on values that cannot work. */}}
{{- define "capsule.validate" -}}
{{- if and (gt (int .Values.replicas) 1) (not (include "capsule.postgres" .)) -}}
{{- fail (printf "replicas is %d but the store is SQLite: more than one replica needs PostgreSQL (set database.url or database.existingSecret), because SQLite is one file on one ReadWriteOnce volume" (int .Values.replicas)) -}}
{{- end -}}
{{- if lt (int .Values.replicas) 1 -}}
{{- fail (printf "replicas is %d: it must be at least 1" (int .Values.replicas)) -}}
{{- end -}}
{{- with .Values.database.url -}}
{{- if not (or (hasPrefix "postgres://" .) (hasPrefix "postgresql://" .)) -}}
{{- fail "database.url must be a postgres:// or postgresql:// URL" -}}
{{- end -}}
{{- end -}}
{{- end -}}
