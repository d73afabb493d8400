# A DaemonSet is imported by namespace/name, or by name in the default namespace.
terraform import kubedaemon_daemonset.logd kube-system/logd
terraform import kubedaemon_daemonset.logcd logcd
