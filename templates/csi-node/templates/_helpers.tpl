{{/* csi-node.fullname is the base of every object name. */}}
{{- define "csi-node.fullname" -}}
{{- default .Release.Name .Values.fullnameOverride | trunc 58 | trimSuffix "-" -}}
{{- end -}}

{{/* csi-node.selectorLabels select the DaemonSet's pods. */}}
{{- define "csi-node.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* csi-node.labels go on every object. */}}
{{- define "csi-node.labels" -}}
{{ include "csi-node.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.driver.image.tag | quote }}
app.kubernetes.io/component: csi-node
app.kubernetes.io/managed-by: {{ .Release.Service }}
kubedaemon.dev/preset: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{/* csi-node.serviceAccountName is the account the pods run as. */}}
{{- define "csi-node.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{ default (printf "%s-node" (include "csi-node.fullname" .)) .Values.serviceAccount.name }}
{{- else -}}
{{ default "default" .Values.serviceAccount.name }}
{{- end -}}
{{- end -}}

{{/* csi-node.image writes an image reference from an image value. */}}
{{- define "csi-node.image" -}}
{{ .repository }}:{{ .tag }}
{{- end -}}

{{/* csi-node.socketDir is the host folder of the driver's socket. */}}
{{- define "csi-node.socketDir" -}}
{{ .Values.kubeletDir }}/plugins/{{ .Values.driver.name }}
{{- end -}}
