{{/* node-exporter.fullname is the base of every object name: the release
name unless fullnameOverride says otherwise, cut to 63 characters. */}}
{{- define "node-exporter.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* node-exporter.selectorLabels select the DaemonSet's pods; they never
change after install, so they carry no version. */}}
{{- define "node-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* node-exporter.labels go on every object. */}}
{{- define "node-exporter.labels" -}}
{{ include "node-exporter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/component: metrics
app.kubernetes.io/managed-by: {{ .Release.Service }}
kubedaemon.dev/preset: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{/* node-exporter.serviceAccountName is the account the pods run as. */}}
{{- define "node-exporter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{ default (include "node-exporter.fullname" .) .Values.serviceAccount.name }}
{{- else -}}
{{ default "default" .Values.serviceAccount.name }}
{{- end -}}
{{- end -}}
