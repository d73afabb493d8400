{{/* fluentd.image writes an image reference from an image value:
[registry/]repository[:tag][@digest]. A digest pins the image whatever the
tag says. */}}
{{- define "fluentd.image" -}}
{{- $ref := .repository -}}
{{- with .registry }}{{ $ref = printf "%s/%s" . $ref }}{{ end -}}
{{- with .tag }}{{ $ref = printf "%s:%s" $ref (toString .) }}{{ end -}}
{{- with .digest }}{{ $ref = printf "%s@%s" $ref . }}{{ end -}}
{{ $ref }}
{{- end -}}

{{/* fluentd.daemonSetSpec writes the DaemonSet's own settings: update
strategy, minReadySeconds and revisionHistoryLimit. */}}
{{- define "fluentd.daemonSetSpec" -}}
{{- with .Values.updateStrategy }}
updateStrategy:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if .Values.minReadySeconds }}
minReadySeconds: {{ .Values.minReadySeconds }}
{{- end }}
{{- if not (kindIs "invalid" .Values.revisionHistoryLimit) }}
revisionHistoryLimit: {{ .Values.revisionHistoryLimit }}
{{- end }}
{{- end -}}

{{/* fluentd.podSpec writes the pod settings every preset shares: service
account, scheduling, DNS, security context, pull secrets, grace period and
init containers (the plugins installer first). */}}
{{- define "fluentd.podSpec" -}}
serviceAccountName: {{ include "fluentd.serviceAccountName" . }}
{{- with .Values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .Values.dnsPolicy }}
dnsPolicy: {{ . }}
{{- end }}
{{- with .Values.dnsConfig }}
dnsConfig:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.podSecurityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if not (kindIs "invalid" .Values.terminationGracePeriodSeconds) }}
terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
{{- end }}
{{- with .Values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if or .Values.plugins .Values.initContainers }}
initContainers:
  {{- if .Values.plugins }}
  {{- include "fluentd.pluginsInstaller" . | nindent 2 }}
  {{- end }}
  {{- with .Values.initContainers }}
  {{- tpl (toYaml .) $ | nindent 2 }}
  {{- end }}
{{- end }}
{{- end -}}

{{/* fluentd.probe writes the body of a probe: its handler (YAML) and the
probe value's timings, as the Kubernetes probe names them. A timing of 0 is
left out: the API server drops it, and a value the cluster does not keep
would show as drift. */}}
{{- define "fluentd.probe" -}}
{{ .handler }}
{{- range $k, $v := omit .probe "enabled" }}
{{- if $v }}
{{ $k }}: {{ $v }}
{{- end }}
{{- end }}
{{- end -}}

{{/* fluentd.podMetadata writes the pod template's labels and annotations;
annotations is a dict of the preset's own (e.g. a config checksum). */}}
{{- define "fluentd.podMetadata" -}}
labels:
  {{- include "fluentd.labels" .root | nindent 2 }}
  {{- with .root.Values.podLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- $annotations := merge (dict) (.root.Values.podAnnotations | default dict) (.annotations | default dict) }}
{{- with $annotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
