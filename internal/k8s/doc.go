// Package k8s holds what kubedaemon needs from a Kubernetes cluster that is
// not tied to Terraform: building a client from the provider's (or the command
// line's) connection settings, node labels and node taints. It never imports
// the plugin framework, so the command line and tests use it directly.
package k8s
