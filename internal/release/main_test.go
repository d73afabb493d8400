package release

import (
	"os"
	"testing"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster/clustertest"
)

// testCluster is the local control plane of the cluster tests in this
// package (3 KWOK nodes), or nil without TF_ACC / KUBEDAEMON_CLUSTER_TESTS.
var testCluster *cluster.Cluster

func TestMain(m *testing.M) {
	os.Exit(clustertest.Run(m, clustertest.Options{
		Package: "release",
		Skip:    "^TestAcc",
		Env:     []string{"TF_ACC", "KUBEDAEMON_CLUSTER_TESTS"},
	}, func(c *cluster.Cluster) error {
		testCluster = c
		return nil
	}))
}
