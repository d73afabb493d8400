// Package provider is the Terraform glue of kubedaemon: the provider, its
// resources and data sources, built on terraform-plugin-framework. The
// Kubernetes work itself lives in internal/k8s, internal/rollout and
// internal/render, which know nothing of Terraform.
package provider
