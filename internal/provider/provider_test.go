package provider

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster/clustertest"
)

// testAccProtoV6ProviderFactories serves the provider in-process to the real
// Terraform CLI that terraform-plugin-testing runs.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"kubedaemon": providerserver.NewProtocol6WithError(New("test")()),
}

// testCluster is the local control plane that every acceptance test in this
// package shares. It is nil unless TF_ACC is set. Tests run one at a time
// (none calls t.Parallel) and leave the nodes as they found them.
var testCluster *cluster.Cluster

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "kubedaemon-acc-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer func() { _ = os.RemoveAll(dir) }()
	// GOTCHA: the machine may point TF_CLI_CONFIG_FILE at a file that does
	// not exist, and terraform then warns on every call; resource.UnitTest
	// runs terraform too, so this holds with or without TF_ACC.
	cliConfig := filepath.Join(dir, "terraformrc")
	if err := os.WriteFile(cliConfig, []byte("disable_checkpoint = true\n"), 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	_ = os.Setenv("TF_CLI_CONFIG_FILE", cliConfig)
	_ = os.Setenv("CHECKPOINT_DISABLE", "1")

	// NOTE: several acceptance tests prepare nodes before resource.Test would
	// skip them, so without TF_ACC they are left out of the run altogether.
	return clustertest.Run(m, clustertest.Options{
		Package: "provider",
		Skip:    "^TestAcc",
		Env:     []string{"TF_ACC"},
	}, func(c *cluster.Cluster) error {
		if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
			tf, err := exec.LookPath("terraform")
			if err != nil {
				return fmt.Errorf("acceptance tests need the Terraform CLI (1.11 or later) on PATH, or " +
					"TF_ACC_TERRAFORM_PATH set to it: install it (e.g. from your package manager) and run again")
			}
			_ = os.Setenv("TF_ACC_TERRAFORM_PATH", tf)
		}
		testCluster = c
		// Acceptance configurations carry no provider block: the provider
		// reads the kubeconfig from the environment, as a user's would.
		return os.Setenv("KUBE_CONFIG_PATH", c.Kubeconfig)
	})
}

// eventually runs check until it passes, for up to a minute, and returns its
// last error if it never does.
func eventually(check resource.TestCheckFunc) error {
	var last error
	err := wait.PollUntilContextTimeout(context.Background(), 200*time.Millisecond, time.Minute, true, func(context.Context) (bool, error) {
		last = check(nil)
		return last == nil, nil
	})
	if err != nil && last != nil {
		return last
	}
	return err
}
