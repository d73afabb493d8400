{{- define "tpl.labels" -}}
app: {{ .Release.Name }}
tier: {{ .Values.tier }}
{{- end -}}
