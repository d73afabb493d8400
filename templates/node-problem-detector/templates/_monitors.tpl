{{/* npd.journaldKernel is true when the kernel monitor reads the node's
journal: the preset's own monitor files, a ConfigMap and the journal mount. */}}
{{- define "npd.journaldKernel" -}}
{{- if and .Values.kernelMonitor.enabled (eq .Values.kernelMonitor.source "journald") }}true{{ end -}}
{{- end -}}

{{/* npd.kmsg is true when the kernel monitor reads /dev/kmsg, which takes a
privileged container. */}}
{{- define "npd.kmsg" -}}
{{- if and .Values.kernelMonitor.enabled (eq .Values.kernelMonitor.source "kmsg") }}true{{ end -}}
{{- end -}}

{{/* npd.systemLogMonitors is the comma-separated list of system log
monitor files: the kernel monitor's, then systemLogMonitors. */}}
{{- define "npd.systemLogMonitors" -}}
{{- $files := list -}}
{{- if include "npd.journaldKernel" . -}}
{{- $files = list "/custom-config/kubedaemon-kernel-monitor.json" "/custom-config/kubedaemon-readonly-monitor.json" -}}
{{- else if include "npd.kmsg" . -}}
{{- $files = list "/config/kernel-monitor.json" "/config/readonly-monitor.json" -}}
{{- end -}}
{{- concat $files (.Values.systemLogMonitors | default list) | join "," -}}
{{- end -}}

{{/* npd.configFiles are the ConfigMap's files by name: the preset's
journald kernel monitors, then customMonitorDefinitions (which may replace
them under the same name). */}}
{{- define "npd.configFiles" -}}
{{- $files := dict -}}
{{- if include "npd.journaldKernel" . -}}
{{- $_ := set $files "kubedaemon-kernel-monitor.json" (include "npd.kernelMonitorJournald" .) -}}
{{- $_ := set $files "kubedaemon-readonly-monitor.json" (include "npd.readonlyMonitorJournald" .) -}}
{{- end -}}
{{- toYaml (merge (deepCopy (.Values.customMonitorDefinitions | default dict)) $files) -}}
{{- end -}}

{{/* npd.kernelMonitorJournald is the kernel monitor over the journal: the
kernel's own messages carry SYSLOG_IDENTIFIER=kernel, the journald plugin's
source. Each pattern must match the end of a message. */}}
{{- define "npd.kernelMonitorJournald" -}}
{
  "plugin": "journald",
  "pluginConfig": {"source": "kernel"},
  "logPath": {{ .Values.kernelMonitor.journalPath | toJson }},
  "lookback": "5m",
  "bufferSize": 10,
  "source": "kernel-monitor",
  "metricsReporting": true,
  "conditions": [
    {"type": "KernelDeadlock", "reason": "KernelHasNoDeadlock", "message": "kernel has no deadlock"}
  ],
  "rules": [
    {"type": "temporary", "reason": "OOMKilling", "pattern": "Killed process \\d+ \\(.+\\) total-vm:\\d+kB, anon-rss:\\d+kB, file-rss:\\d+kB.*"},
    {"type": "temporary", "reason": "TaskHung", "pattern": "task \\S+:\\w+ blocked for more than \\w+ seconds\\."},
    {"type": "temporary", "reason": "UnregisterNetDevice", "pattern": "unregister_netdevice: waiting for \\w+ to become free. Usage count = \\d+"},
    {"type": "temporary", "reason": "KernelOops", "pattern": "BUG: unable to handle (kernel|page fault for address).*"},
    {"type": "temporary", "reason": "KernelOops", "pattern": "divide error: 0000 \\[#\\d+\\].*"},
    {"type": "temporary", "reason": "MemoryReadError", "pattern": "CE memory read error .*"},
    {"type": "temporary", "reason": "IOError", "pattern": "Buffer I/O error .*"},
    {"type": "temporary", "reason": "Ext4Error", "pattern": "EXT4-fs error .*"},
    {"type": "permanent", "condition": "KernelDeadlock", "reason": "ContainerRuntimeHung", "pattern": "task (containerd|dockerd|docker):\\w+ blocked for more than \\w+ seconds\\."}
  ]
}
{{- end -}}

{{/* npd.readonlyMonitorJournald sets ReadonlyFilesystem when the kernel
remounts a file system read-only, from the journal. */}}
{{- define "npd.readonlyMonitorJournald" -}}
{
  "plugin": "journald",
  "pluginConfig": {"source": "kernel"},
  "logPath": {{ .Values.kernelMonitor.journalPath | toJson }},
  "lookback": "5m",
  "bufferSize": 10,
  "source": "readonly-monitor",
  "metricsReporting": true,
  "conditions": [
    {"type": "ReadonlyFilesystem", "reason": "FilesystemIsNotReadOnly", "message": "Filesystem is not read-only"}
  ],
  "rules": [
    {"type": "permanent", "condition": "ReadonlyFilesystem", "reason": "FilesystemIsReadOnly", "pattern": "Remounting filesystem read-only"}
  ]
}
{{- end -}}
