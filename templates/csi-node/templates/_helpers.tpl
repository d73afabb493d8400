{{/* csi-node.name is the app.kubernetes.io/name of every object. */}}
{{- define "csi-node.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* csi-node.fullname is the base of every object name. */}}
{{- define "csi-node.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 58 | trimSuffix "-" -}}
{{- end -}}

{{/* csi-node.selectorLabels select the DaemonSet's pods. */}}
{{- define "csi-node.selectorLabels" -}}
app.kubernetes.io/name: {{ include "csi-node.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* csi-node.labels go on every object. */}}
{{- define "csi-node.labels" -}}
{{ include "csi-node.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.driver.image.tag | quote }}
app.kubernetes.io/component: csi-node
app.kubernetes.io/managed-by: {{ .Release.Service }}
kubedaemon.dev/preset: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* csi-node.serviceAccountName is the account the pods run as. */}}
{{- define "csi-node.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{ default (printf "%s-node" (include "csi-node.fullname" .)) .Values.serviceAccount.name }}
{{- else -}}
{{ default "default" .Values.serviceAccount.name }}
{{- end -}}
{{- end -}}

{{/* csi-node.socketDir is the host folder of the driver's socket. */}}
{{- define "csi-node.socketDir" -}}
{{ .Values.kubeletDir }}/plugins/{{ .Values.driver.name }}
{{- end -}}

{{/* csi-node.metricsPortName, metricsPath and metricsScheme say where the
Service, ServiceMonitor and PodMonitor scrape: the liveness-probe sidecar. */}}
{{- define "csi-node.metricsPortName" -}}
healthz
{{- end -}}
{{- define "csi-node.metricsPath" -}}
/metrics
{{- end -}}
{{- define "csi-node.metricsScheme" -}}
http
{{- end -}}
