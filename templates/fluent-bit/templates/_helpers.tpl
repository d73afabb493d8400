{{/* fluent-bit.name is the app.kubernetes.io/name of every object. */}}
{{- define "fluent-bit.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* fluent-bit.fullname is the base of every object name. */}}
{{- define "fluent-bit.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* fluent-bit.selectorLabels select the DaemonSet's pods. */}}
{{- define "fluent-bit.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fluent-bit.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* fluent-bit.labels go on every object. */}}
{{- define "fluent-bit.labels" -}}
{{ include "fluent-bit.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | quote }}
app.kubernetes.io/component: log-collector
app.kubernetes.io/managed-by: {{ .Release.Service }}
kubedaemon.dev/preset: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* fluent-bit.serviceAccountName is the account the pods run as. */}}
{{- define "fluent-bit.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{ default (include "fluent-bit.fullname" .) .Values.serviceAccount.name }}
{{- else -}}
{{ default "default" .Values.serviceAccount.name }}
{{- end -}}
{{- end -}}

{{/* fluent-bit.onOff writes a boolean the way Fluent Bit's config reads it. */}}
{{- define "fluent-bit.onOff" -}}
{{- if . }}On{{ else }}Off{{ end -}}
{{- end -}}

{{/* fluent-bit.output is the [OUTPUT] section for output.type. */}}
{{- define "fluent-bit.output" -}}
{{- $o := .Values.output -}}
{{- if eq $o.type "stdout" }}
[OUTPUT]
    Name   stdout
    Match  kube.*
    Format json_lines
{{- else if eq $o.type "forward" }}
[OUTPUT]
    Name  forward
    Match kube.*
    Host  {{ required "output.forward.host is required when output.type is forward" $o.forward.host }}
    Port  {{ $o.forward.port }}
{{- else if eq $o.type "elasticsearch" }}
[OUTPUT]
    Name                es
    Match               kube.*
    Host                {{ required "output.elasticsearch.host is required when output.type is elasticsearch" $o.elasticsearch.host }}
    Port                {{ $o.elasticsearch.port }}
    {{- include "fluent-bit.credentials" . }}
    Logstash_Format     On
    Logstash_Prefix     {{ $o.elasticsearch.logstashPrefix }}
    Replace_Dots        On
    Suppress_Type_Name  On
    Retry_Limit         False
    tls                 {{ include "fluent-bit.onOff" $o.elasticsearch.tls }}
{{- else if eq $o.type "loki" }}
[OUTPUT]
    Name                   loki
    Match                  kube.*
    Host                   {{ required "output.loki.host is required when output.type is loki" $o.loki.host }}
    Port                   {{ $o.loki.port }}
    Labels                 {{ $o.loki.labels }}
    Auto_Kubernetes_Labels On
    tls                    {{ include "fluent-bit.onOff" $o.loki.tls }}
    {{- include "fluent-bit.credentials" . }}
{{- else }}
{{- fail (printf "output.type %q is not one of stdout, forward, elasticsearch, loki" $o.type) }}
{{- end }}
{{- end -}}

{{/* fluent-bit.ownLogs matches the log files of the collector's own pods:
the kubelet names them <pod>_<namespace>_<container>-<id>.log, and a
DaemonSet's pod is named from the DaemonSet's name, a dash (the two cut to
58 characters together) and five random characters. */}}
{{- define "fluent-bit.ownLogs" -}}
/var/log/containers/{{ printf "%s-" (include "fluent-bit.fullname" .) | trunc 58 }}?????_{{ .Release.Namespace }}_fluent-bit-*.log
{{- end -}}

{{/* fluent-bit.credentials logs an output in with the user and password
that the container reads from output.credentials.secret. */}}
{{- define "fluent-bit.credentials" -}}
{{- if .Values.output.credentials.secret }}
    HTTP_User           ${FLUENT_BIT_OUTPUT_USER}
    HTTP_Passwd         ${FLUENT_BIT_OUTPUT_PASSWORD}
{{- end }}
{{- end -}}

{{/* fluent-bit.metricsPortName, metricsPath and metricsScheme say where
the Service, ServiceMonitor and PodMonitor scrape. */}}
{{- define "fluent-bit.metricsPortName" -}}
http
{{- end -}}
{{- define "fluent-bit.metricsPath" -}}
/api/v2/metrics/prometheus
{{- end -}}
{{- define "fluent-bit.metricsScheme" -}}
http
{{- end -}}
