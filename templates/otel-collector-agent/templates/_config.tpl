{{/* otel.baseConfig is the configuration the values make, as YAML. The
receivers and the health and metrics endpoints listen on the pod's address
(MY_POD_IP), which hostPorts forward the node's ports to. */}}
{{- define "otel.baseConfig" -}}
{{- $v := .Values -}}
{{- $receivers := list -}}
extensions:
  health_check:
    endpoint: ${env:MY_POD_IP}:{{ $v.healthPort }}
  {{- if and $v.receivers.filelog.enabled $v.receivers.filelog.storeCheckpoints }}
  file_storage:
    directory: /var/lib/otelcol/file_storage
    create_directory: true
  {{- end }}
receivers:
  {{- if $v.receivers.otlp.enabled }}
  {{- $receivers = append $receivers "otlp" }}
  otlp:
    protocols:
      grpc:
        endpoint: ${env:MY_POD_IP}:{{ $v.receivers.otlp.grpc.port }}
      http:
        endpoint: ${env:MY_POD_IP}:{{ $v.receivers.otlp.http.port }}
  {{- end }}
  {{- if $v.receivers.hostmetrics.enabled }}
  hostmetrics:
    collection_interval: {{ $v.receivers.hostmetrics.collectionInterval }}
    root_path: /hostfs
    scrapers:
      {{- range $v.receivers.hostmetrics.scrapers }}
      {{ . }}: {}
      {{- end }}
  {{- end }}
  {{- if $v.receivers.filelog.enabled }}
  file_log:
    include: {{ toJson $v.receivers.filelog.include }}
    exclude: {{ append $v.receivers.filelog.exclude (include "otel.selfLogs" .) | toJson }}
    start_at: {{ $v.receivers.filelog.startAt }}
    include_file_path: true
    include_file_name: false
    {{- if $v.receivers.filelog.storeCheckpoints }}
    storage: file_storage
    {{- end }}
    operators:
      # Parses the kubelet's log formats (CRI-O, containerd, Docker) and
      # sets k8s.namespace.name, k8s.pod.name, k8s.pod.uid and
      # k8s.container.name from the file path.
      - type: container
        id: container-parser
  {{- end }}
processors:
  memory_limiter:
    check_interval: {{ $v.memoryLimiter.checkInterval }}
    limit_percentage: {{ $v.memoryLimiter.limitPercentage }}
    spike_limit_percentage: {{ $v.memoryLimiter.spikeLimitPercentage }}
  {{- if $v.k8sattributes.enabled }}
  k8s_attributes:
    auth_type: serviceAccount
    passthrough: false
    filter:
      # Only the pods of this node: each agent watches a node's worth.
      node_from_env_var: K8S_NODE_NAME
    extract:
      metadata: {{ toJson $v.k8sattributes.metadata }}
      {{- with $v.k8sattributes.podLabels }}
      labels:
        {{- range . }}
        - tag_name: k8s.pod.labels.{{ . }}
          key: {{ . | quote }}
          from: pod
        {{- end }}
      {{- end }}
      {{- with $v.k8sattributes.podAnnotations }}
      annotations:
        {{- range . }}
        - tag_name: k8s.pod.annotations.{{ . }}
          key: {{ . | quote }}
          from: pod
        {{- end }}
      {{- end }}
    pod_association:
      - sources:
          - from: resource_attribute
            name: k8s.pod.uid
      - sources:
          - from: resource_attribute
            name: k8s.pod.ip
      - sources:
          - from: connection
  {{- end }}
  batch: {}
exporters:
  {{- with $v.exporters.otlp }}
  {{- if .enabled }}
  otlp:
    endpoint: {{ required "exporters.otlp.endpoint is required when exporters.otlp.enabled" .endpoint | quote }}
    tls:
      insecure: {{ .insecure }}
    {{- with .headers }}
    headers:
      {{- toYaml . | nindent 6 }}
    {{- end }}
  {{- end }}
  {{- end }}
  {{- if $v.exporters.debug.enabled }}
  debug:
    verbosity: {{ $v.exporters.debug.verbosity }}
  {{- end }}
service:
  extensions:
    - health_check
    {{- if and $v.receivers.filelog.enabled $v.receivers.filelog.storeCheckpoints }}
    - file_storage
    {{- end }}
  telemetry:
    metrics:
      {{- if $v.metrics.enabled }}
      readers:
        - pull:
            exporter:
              prometheus:
                host: ${env:MY_POD_IP}
                port: {{ $v.metrics.port }}
      {{- else }}
      level: none
      {{- end }}
  pipelines:
    {{- $processors := include "otel.processors" . }}
    {{- $exporters := include "otel.exporters" . }}
    {{- if $v.receivers.otlp.enabled }}
    traces:
      receivers: [otlp]
      processors: {{ $processors }}
      exporters: {{ $exporters }}
    {{- end }}
    {{- $metrics := $receivers }}
    {{- if $v.receivers.hostmetrics.enabled }}{{ $metrics = append $metrics "hostmetrics" }}{{ end }}
    {{- if $metrics }}
    metrics:
      receivers: {{ toJson $metrics }}
      processors: {{ $processors }}
      exporters: {{ $exporters }}
    {{- end }}
    {{- $logs := $receivers }}
    {{- if $v.receivers.filelog.enabled }}{{ $logs = append $logs "file_log" }}{{ end }}
    {{- if $logs }}
    logs:
      receivers: {{ toJson $logs }}
      processors: {{ $processors }}
      exporters: {{ $exporters }}
    {{- end }}
{{- end -}}
