// Package placement answers "where will this daemon run, and why not
// elsewhere" for a pod template and a set of nodes, without a cluster and
// without Terraform. The verdict comes from the Kubernetes scheduling helpers
// (k8s.io/component-helpers) so that it matches the DaemonSet controller; the
// package only adds the explanation of each exclusion. Required pod affinity
// and anti-affinity depend on the pods running at scheduling time and are not
// evaluated; Unevaluated says so, for the caller to report.
package placement
