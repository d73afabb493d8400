{{- define "notes.selector" -}}
app={{ .Release.Name }}
{{- end -}}
