// Package convert rewrites hashicorp/kubernetes configurations for
// kubedaemon: kubernetes_daemon_set_v1 (and kubernetes_daemonset),
// kubernetes_labels of nodes and kubernetes_node_taint become
// kubedaemon_daemonset, kubedaemon_node_labels and kubedaemon_node_taints,
// each with the `moved` block that brings its state over. It parses and
// writes HCL with hclwrite, so expressions, comments and layout are kept.
// It also holds the defaults hashicorp/kubernetes records that kubedaemon
// leaves out, which the provider's state move uses too, so that a converted
// configuration and a moved state agree.
package convert
