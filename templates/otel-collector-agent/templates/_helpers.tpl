{{/* otel.name is the chart name unless nameOverride says otherwise. */}}
{{- define "otel.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* otel.fullname is the base of every object name: the release name, or
fullnameOverride, cut to 63 characters. A nameOverride that the release name
does not contain is appended to it. */}}
{{- define "otel.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if or (not .Values.nameOverride) (contains .Values.nameOverride .Release.Name) -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* otel.selectorLabels select the DaemonSet's pods; they never change
after install, so they carry no version. */}}
{{- define "otel.selectorLabels" -}}
app.kubernetes.io/name: {{ include "otel.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* otel.labels go on every object and pod. */}}
{{- define "otel.labels" -}}
{{ include "otel.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/component: telemetry-agent
app.kubernetes.io/managed-by: {{ .Release.Service }}
kubedaemon.dev/preset: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* otel.serviceAccountName is the account the pods run as. */}}
{{- define "otel.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{ default (include "otel.fullname" .) .Values.serviceAccount.name }}
{{- else -}}
{{ default "default" .Values.serviceAccount.name }}
{{- end -}}
{{- end -}}

{{/* otel.image is registry/repository, then @digest or :tag. */}}
{{- define "otel.image" -}}
{{- with .Values.image -}}
{{- if .registry }}{{ .registry }}/{{ end }}{{ .repository }}
{{- if .digest }}@{{ .digest }}{{ else }}:{{ .tag }}{{ end }}
{{- end -}}
{{- end -}}

{{/* otel.probe is a probe of the health_check extension with the timings of one probe value. */}}
{{- define "otel.probe" -}}
httpGet:
  path: /
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

{{/* otel.monitorEndpoint is the scrape endpoint of a ServiceMonitor or a
PodMonitor, from its values. */}}
{{- define "otel.monitorEndpoint" -}}
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

{{/* otel.selfLogs is the glob of the agent's own container logs, which the
file_log receiver leaves out: the kubelet writes them to
/var/log/pods/<namespace>_<pod>_<uid>/<container>/, and a DaemonSet's pod is
named after it with a dash and five characters. */}}
{{- define "otel.selfLogs" -}}
/var/log/pods/{{ .Release.Namespace }}_{{ include "otel.fullname" . }}-?????_*/otel-collector/*.log
{{- end -}}

{{/* otel.exporters are the names of the enabled exporters, which every
pipeline sends to. */}}
{{- define "otel.exporters" -}}
{{- $out := list -}}
{{- if .Values.exporters.otlp.enabled }}{{ $out = append $out "otlp" }}{{ end -}}
{{- if .Values.exporters.debug.enabled }}{{ $out = append $out "debug" }}{{ end -}}
{{- if not $out }}{{ fail "enable exporters.otlp or exporters.debug (or both): every pipeline needs an exporter" }}{{ end -}}
{{- toJson $out -}}
{{- end -}}

{{/* otel.processors are the processors of every pipeline, in order. */}}
{{- define "otel.processors" -}}
{{- $out := list "memory_limiter" -}}
{{- if .Values.k8sattributes.enabled }}{{ $out = append $out "k8s_attributes" }}{{ end -}}
{{- $out = append $out "batch" -}}
{{- toJson $out -}}
{{- end -}}

{{/* otel.config is the collector's configuration: what the values make,
with .Values.config merged over it. */}}
{{- define "otel.config" -}}
{{- $config := include "otel.baseConfig" . | fromYaml -}}
{{- if hasKey $config "Error" }}{{ fail (printf "the generated configuration is not YAML: %s" $config.Error) }}{{ end -}}
{{- toYaml (mustMergeOverwrite $config (deepCopy .Values.config)) -}}
{{- end -}}
