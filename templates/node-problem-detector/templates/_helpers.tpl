{{/* npd.name is the chart name unless nameOverride says otherwise. */}}
{{- define "npd.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* npd.fullname is the base of every object name: the release name, or
fullnameOverride, cut to 63 characters. A nameOverride that the release name
does not contain is appended to it. */}}
{{- define "npd.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if or (not .Values.nameOverride) (contains .Values.nameOverride .Release.Name) -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* npd.selectorLabels select the DaemonSet's pods; they never change
after install, so they carry no version. */}}
{{- define "npd.selectorLabels" -}}
app.kubernetes.io/name: {{ include "npd.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* npd.labels go on every object and pod. */}}
{{- define "npd.labels" -}}
{{ include "npd.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/component: node-health
app.kubernetes.io/managed-by: {{ .Release.Service }}
kubedaemon.dev/preset: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* npd.serviceAccountName is the account the pods run as. */}}
{{- define "npd.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{ default (include "npd.fullname" .) .Values.serviceAccount.name }}
{{- else -}}
{{ default "default" .Values.serviceAccount.name }}
{{- end -}}
{{- end -}}

{{/* npd.image is registry/repository, then @digest or :tag. */}}
{{- define "npd.image" -}}
{{- with .Values.image -}}
{{- if .registry }}{{ .registry }}/{{ end }}{{ .repository }}
{{- if .digest }}@{{ .digest }}{{ else }}:{{ .tag }}{{ end }}
{{- end -}}
{{- end -}}

{{/* npd.probe is a probe of /healthz with the timings of one probe value. */}}
{{- define "npd.probe" -}}
httpGet:
  path: /healthz
  port: health
{{- /* 0 is left out, as the API server leaves it out. */}}
{{- with .initialDelaySeconds }}
initialDelaySeconds: {{ . }}
{{- end }}
periodSeconds: {{ .periodSeconds }}
timeoutSeconds: {{ .timeoutSeconds }}
failureThreshold: {{ .failureThreshold }}
successThreshold: {{ .successThreshold }}
{{- end -}}

{{/* npd.monitorEndpoint is the scrape endpoint of a ServiceMonitor or a
PodMonitor, from its values. */}}
{{- define "npd.monitorEndpoint" -}}
- port: metrics
  path: /metrics
  {{- with .interval }}
  interval: {{ . }}
  {{- end }}
  {{- with .scrapeTimeout }}
  scrapeTimeout: {{ . }}
  {{- end }}
  {{- with .relabelings }}
  relabelings:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .metricRelabelings }}
  metricRelabelings:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end -}}
