package rollout

// ClusterKubeconfigForTests exposes the test cluster's kubeconfig to the
// command-line tests in package rollout_test ("" without a cluster).
func ClusterKubeconfigForTests() string {
	if testCluster == nil {
		return ""
	}
	return testCluster.Kubeconfig
}
