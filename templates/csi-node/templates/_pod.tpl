{{/* csi-node.image writes an image reference from an image value:
[registry/]repository[:tag][@digest]. A digest pins the image whatever the
tag says. */}}
{{- define "csi-node.image" -}}
{{- $ref := .repository -}}
{{- with .registry }}{{ $ref = printf "%s/%s" . $ref }}{{ end -}}
{{- with .tag }}{{ $ref = printf "%s:%s" $ref (toString .) }}{{ end -}}
{{- with .digest }}{{ $ref = printf "%s@%s" $ref . }}{{ end -}}
{{ $ref }}
{{- end -}}

{{/* csi-node.daemonSetSpec writes the DaemonSet's own settings: update
strategy, minReadySeconds and revisionHistoryLimit. */}}
{{- define "csi-node.daemonSetSpec" -}}
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

{{/* csi-node.podSpec writes the pod settings every preset shares: service
account, scheduling, DNS, security context, pull secrets, grace period and
init containers. */}}
{{- define "csi-node.podSpec" -}}
serviceAccountName: {{ include "csi-node.serviceAccountName" . }}
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
{{- with .Values.initContainers }}
initContainers:
  {{- tpl (toYaml .) $ | nindent 2 }}
{{- end }}
{{- end -}}

{{/* csi-node.probe writes the body of a probe: its handler (YAML) and the
probe value's timings, as the Kubernetes probe names them. A timing of 0 is
left out: the API server drops it, and a value the cluster does not keep
would show as drift. */}}
{{- define "csi-node.probe" -}}
{{ .handler }}
{{- range $k, $v := omit .probe "enabled" }}
{{- if $v }}
{{ $k }}: {{ $v }}
{{- end }}
{{- end }}
{{- end -}}

{{/* csi-node.podMetadata writes the pod template's labels and annotations;
annotations is a dict of the preset's own (e.g. a config checksum). */}}
{{- define "csi-node.podMetadata" -}}
labels:
  {{- include "csi-node.labels" .root | nindent 2 }}
  {{- with .root.Values.podLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- $annotations := merge (dict) (.root.Values.podAnnotations | default dict) (.annotations | default dict) }}
{{- with $annotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
