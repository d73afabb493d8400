package provider

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster"
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

	if os.Getenv("TF_ACC") == "" {
		// NOTE: acceptance tests need the local control plane, and several
		// prepare nodes before resource.Test would skip them; without TF_ACC
		// they are left out through go test's own -skip flag (unless the
		// caller set one), so `make unit` runs the plan-time tests only.
		flag.Parse()
		if f := flag.Lookup("test.skip"); f != nil && f.Value.String() == "" {
			_ = f.Value.Set("^TestAcc")
			fmt.Fprintln(os.Stderr, "provider: acceptance tests left out; set TF_ACC=1 (make test) to run them against a local cluster")
		}
		return m.Run()
	}
	tf, err := exec.LookPath("terraform")
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" && err != nil {
		fmt.Fprintln(os.Stderr, "acceptance tests need the Terraform CLI (1.11 or later) on PATH, or "+
			"TF_ACC_TERRAFORM_PATH set to it: install it (e.g. from your package manager) and run again.")
		return 1
	}
	if os.Getenv("TF_ACC_TERRAFORM_PATH") == "" {
		_ = os.Setenv("TF_ACC_TERRAFORM_PATH", tf)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	c, err := cluster.Start(ctx, cluster.Options{Nodes: 3, Log: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start the local cluster:", err)
		return 1
	}
	defer func() {
		if err := c.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "stop the local cluster:", err)
		}
	}()
	testCluster = c
	// Acceptance configurations carry no provider block: the provider reads
	// the kubeconfig from the environment, as a user's would.
	_ = os.Setenv("KUBE_CONFIG_PATH", c.Kubeconfig)
	return m.Run()
}
