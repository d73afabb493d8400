{{/* node-exporter.name is the app.kubernetes.io/name of every object. */}}
{{- define "node-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* node-exporter.fullname is the base of every object name: the release
name unless fullnameOverride says otherwise, cut to 63 characters. */}}
{{- define "node-exporter.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* node-exporter.selectorLabels select the DaemonSet's pods; they never
change after install, so they carry no version. */}}
{{- define "node-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "node-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* node-exporter.labels go on every object. */}}
{{- define "node-exporter.labels" -}}
{{ include "node-exporter.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/component: metrics
app.kubernetes.io/managed-by: {{ .Release.Service }}
kubedaemon.dev/preset: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* node-exporter.serviceAccountName is the account the pods run as. */}}
{{- define "node-exporter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{ default (include "node-exporter.fullname" .) .Values.serviceAccount.name }}
{{- else -}}
{{ default "default" .Values.serviceAccount.name }}
{{- end -}}
{{- end -}}

{{/* node-exporter.metricsPortName, metricsPath and metricsScheme say where
the Service, ServiceMonitor and PodMonitor scrape. */}}
{{- define "node-exporter.metricsPortName" -}}
{{- if .Values.kubeRBACProxy.enabled }}https{{ else }}http-metrics{{ end -}}
{{- end -}}
{{- define "node-exporter.metricsPath" -}}
/metrics
{{- end -}}
{{- define "node-exporter.metricsScheme" -}}
{{- if or .Values.kubeRBACProxy.enabled .Values.webConfig.secret }}https{{ else }}http{{ end -}}
{{- end -}}
