// Package clustertest runs a package's tests against one local cluster: the
// TestMain that the provider, rollout and render tests share. Each test
// binary starts its own cluster, so packages tested in parallel never share
// nodes.
package clustertest
