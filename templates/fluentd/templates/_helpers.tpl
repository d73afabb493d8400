{{/* fluentd.name is the app.kubernetes.io/name of every object. */}}
{{- define "fluentd.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* fluentd.fullname is the base of every object name. */}}
{{- define "fluentd.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* fluentd.selectorLabels select the DaemonSet's pods; k8s-app is the
label of the classic fluentd-logging manifest. */}}
{{- define "fluentd.selectorLabels" -}}
k8s-app: fluentd-logging
app.kubernetes.io/name: {{ include "fluentd.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* fluentd.labels go on every object. */}}
{{- define "fluentd.labels" -}}
{{ include "fluentd.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/component: log-collector
app.kubernetes.io/managed-by: {{ .Release.Service }}
kubedaemon.dev/preset: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* fluentd.serviceAccountName is the account the pods run as. */}}
{{- define "fluentd.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{ default (include "fluentd.fullname" .) .Values.serviceAccount.name }}
{{- else -}}
{{ default "default" .Values.serviceAccount.name }}
{{- end -}}
{{- end -}}

{{/* fluentd.ownLogs matches the log files of the collector's own pods:
the kubelet names them <pod>_<namespace>_<container>-<id>.log, and a
DaemonSet's pod is named from the DaemonSet's name, a dash (the two cut to
58 characters together) and five random characters. */}}
{{- define "fluentd.ownLogs" -}}
/var/log/containers/{{ printf "%s-" (include "fluentd.fullname" .) | trunc 58 }}?????_{{ .Release.Namespace }}_fluentd-*.log
{{- end -}}

{{/* fluentd.metricsPortName, metricsPath and metricsScheme say where the
Service, ServiceMonitor and PodMonitor scrape. */}}
{{- define "fluentd.metricsPortName" -}}
metrics
{{- end -}}
{{- define "fluentd.metricsPath" -}}
/metrics
{{- end -}}
{{- define "fluentd.metricsScheme" -}}
http
{{- end -}}
