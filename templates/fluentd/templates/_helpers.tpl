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

{{/* fluentd.gemsDir is where the pod's plugins volume is mounted: the
Gemfile, its lock and the gem path of Fluentd with plugins. */}}
{{- define "fluentd.gemsDir" -}}
/fluentd/kubedaemon-gems
{{- end -}}

{{/* fluentd.gemfile is the Gemfile of Fluentd with plugins: the image's own
Gemfile (its gems, which its Gemfile.lock pins), then each plugin, "NAME"
or "NAME:REQUIREMENT" (the schema allows no quote or #). */}}
{{- define "fluentd.gemfile" -}}
# The image's gems, at the versions of its Gemfile.lock (copied beside this
# file before bundler runs).
eval_gemfile "/fluentd/Gemfile"
# plugins
{{- range .Values.plugins }}
{{- $parts := splitn ":" 2 . }}
gem {{ $parts._0 | quote }}{{ with $parts._1 }}, {{ trim . | quote }}{{ end }}
{{- end }}
{{- end -}}

{{/* fluentd.opt is FLUENTD_OPT, Fluentd's extra command line: with
plugins, the Gemfile and gem path that make it install and load them with
bundler (the image's entrypoint passes its own Gemfile first; the later
option wins); then extraArgs. */}}
{{- define "fluentd.opt" -}}
{{- $opt := list -}}
{{- if .Values.plugins -}}
{{- $opt = list "--gemfile" (printf "%s/Gemfile" (include "fluentd.gemsDir" .)) "--gem-path" (printf "%s/bundle" (include "fluentd.gemsDir" .)) -}}
{{- end -}}
{{- concat $opt (.Values.extraArgs | default list) | join " " -}}
{{- end -}}

{{/* fluentd.pluginsInstaller is the init container that installs plugins:
in the pod's plugins volume, a copy of the image's gems, the Gemfile of the
ConfigMap and the image's Gemfile.lock, then bundle install, which keeps the
locked versions and adds the plugins. A failed install stops here, with
bundler's message in this container's log. */}}
{{- define "fluentd.pluginsInstaller" -}}
{{- $dir := include "fluentd.gemsDir" . -}}
- name: plugins
  image: {{ include "fluentd.image" .Values.image | quote }}
  imagePullPolicy: {{ .Values.image.pullPolicy }}
  command:
    - /bin/sh
    - -ec
    - |
      mkdir -p {{ $dir }}/bundle
      cp -R /fluentd/vendor/bundle/. {{ $dir }}/bundle/
      cp /fluentd/etc/kubedaemon/Gemfile {{ $dir }}/Gemfile
      cp /fluentd/Gemfile.lock {{ $dir }}/Gemfile.lock
      exec bundle install
  env:
    - name: BUNDLE_GEMFILE
      value: {{ $dir }}/Gemfile
    - name: BUNDLE_PATH
      value: {{ $dir }}/bundle
    {{- with .Values.env }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with .Values.envFrom }}
  envFrom:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.securityContext }}
  securityContext:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with .Values.resources }}
  resources:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  volumeMounts:
    - name: plugins
      mountPath: {{ $dir }}
    - name: config-volume
      mountPath: /fluentd/etc/kubedaemon
{{- end -}}
