{{/* fluentd.fullname is the base of every object name. */}}
{{- define "fluentd.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* fluentd.selectorLabels select the DaemonSet's pods; k8s-app is the
label of the classic fluentd-logging manifest. */}}
{{- define "fluentd.selectorLabels" -}}
k8s-app: fluentd-logging
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* fluentd.labels go on every object. */}}
{{- define "fluentd.labels" -}}
{{ include "fluentd.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/component: log-collector
app.kubernetes.io/managed-by: {{ .Release.Service }}
kubedaemon.dev/preset: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{/* fluentd.serviceAccountName is the account the pods run as. */}}
{{- define "fluentd.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{ default (include "fluentd.fullname" .) .Values.serviceAccount.name }}
{{- else -}}
{{ default "default" .Values.serviceAccount.name }}
{{- end -}}
{{- end -}}
