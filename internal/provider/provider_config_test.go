package provider

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"
)

// nodeCount is a data source that proves the provider reached the cluster.
const nodeCount = `
data "kubedaemon_nodes" "all" {}
`

func TestAccProviderConfig_kubeconfigAndContext(t *testing.T) {
	raw, err := clientcmd.LoadFromFile(testClusterKubeconfig(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBE_CONFIG_PATH", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "kubedaemon" {
  config_path    = %q
  config_context = %q
}
`, testCluster.Kubeconfig, raw.CurrentContext) + nodeCount,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.kubedaemon_nodes.all", tfjsonpath.New("names"), knownvalue.ListSizeExact(3)),
			},
		}},
	})
}

func TestAccProviderConfig_hostAndToken(t *testing.T) {
	token := serviceAccountToken(t)
	t.Setenv("KUBE_CONFIG_PATH", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "kubedaemon" {
  host                   = %q
  token                  = %q
  cluster_ca_certificate = %q
}
`, testCluster.RESTConfig.Host, token, string(testCluster.RESTConfig.CAData)) + nodeCount,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.kubedaemon_nodes.all", tfjsonpath.New("names"), knownvalue.ListSizeExact(3)),
			},
		}},
	})
}

func TestAccProviderConfig_envOnly(t *testing.T) {
	// KUBE_CONFIG_PATH comes from TestMain; KUBE_CTX picks the context.
	raw, err := clientcmd.LoadFromFile(testClusterKubeconfig(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBE_CTX", raw.CurrentContext)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: nodeCount,
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.kubedaemon_nodes.all", tfjsonpath.New("names"), knownvalue.ListSizeExact(3)),
			},
		}},
	})
}

// A cluster created in the same configuration: the provider's settings are
// unknown during the plan, and the provider must not fail on them.
func TestAccProviderConfig_unknownAtPlan(t *testing.T) {
	t.Setenv("KUBE_CONFIG_PATH", "")
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "terraform_data" "cluster" {
  input = %q
}

provider "kubedaemon" {
  host                   = terraform_data.cluster.output
  cluster_ca_certificate = %q
}
`, testCluster.RESTConfig.Host, string(testCluster.RESTConfig.CAData)),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("terraform_data.cluster", tfjsonpath.New("output"), knownvalue.StringExact(testCluster.RESTConfig.Host)),
			},
		}},
	})
}

func TestAccProviderConfig_errors(t *testing.T) {
	tests := []struct {
		name   string
		env    map[string]string
		config string
		want   string
	}{
		{
			name:   "missing kubeconfig",
			config: `provider "kubedaemon" { config_path = "/no/such/kubeconfig" }`,
			want:   `(?s)Kubeconfig Not Found.*"/no/such/kubeconfig" named by the provider\s+attribute\s+"config_path"\s+does not exist`,
		},
		{
			name: "missing kubeconfig from the environment",
			env:  map[string]string{"KUBE_CONFIG_PATH": "/no/such/env-kubeconfig"},
			want: `(?s)Kubeconfig Not Found.*named by the environment\s+variable KUBE_CONFIG_PATH does not exist`,
		},
		{
			name:   "context not in kubeconfig",
			config: `provider "kubedaemon" { config_context = "staging" }`,
			want:   `(?s)Kubeconfig Entry Not Found.*attribute "config_context" names\s+"staging", which is not in the\s+kubeconfig\. Available: "kubedaemon"`,
		},
		{
			name: "no cluster",
			env:  map[string]string{"KUBE_CONFIG_PATH": ""},
			want: `(?s)No Cluster Configured.*config_path.*KUBE_CONFIG_PATH`,
		},
		{
			name:   "invalid selector",
			config: `data "kubedaemon_nodes" "bad" { selector = "env in prod" }`,
			want:   `(?s)Invalid Label Selector.*"env in prod" is not a label selector`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			cfg := tt.config
			if !regexp.MustCompile(`data "kubedaemon_nodes"`).MatchString(cfg) {
				cfg += nodeCount
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps:                    []resource.TestStep{{Config: cfg, ExpectError: regexp.MustCompile(tt.want)}},
			})
		})
	}
}

func testClusterKubeconfig(t *testing.T) string {
	t.Helper()
	if testCluster == nil {
		t.Fatal("acceptance tests need TF_ACC=1 (TestMain starts the local cluster)")
	}
	return testCluster.Kubeconfig
}

// serviceAccountToken returns a short-lived token of a service account that
// may read nodes: the way a CI system or a cloud login hands out a token.
func serviceAccountToken(t *testing.T) string {
	t.Helper()
	testClusterKubeconfig(t)
	ctx := context.Background()
	cs := testCluster.Client()
	const ns, name = "default", "kubedaemon-acc-reader"
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}}
	if _, err := cs.CoreV1().ServiceAccounts(ns).Create(ctx, sa, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	role := &rbacv1.ClusterRole{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Rules:      []rbacv1.PolicyRule{{APIGroups: []string{""}, Resources: []string{"nodes"}, Verbs: []string{"get", "list", "watch"}}},
	}
	if _, err := cs.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	crb := &rbacv1.ClusterRoleBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		RoleRef:    rbacv1.RoleRef{APIGroup: "rbac.authorization.k8s.io", Kind: "ClusterRole", Name: name},
		Subjects:   []rbacv1.Subject{{Kind: "ServiceAccount", Name: name, Namespace: ns}},
	}
	if _, err := cs.RbacV1().ClusterRoleBindings().Create(ctx, crb, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cs.RbacV1().ClusterRoleBindings().Delete(context.Background(), name, metav1.DeleteOptions{})
		_ = cs.RbacV1().ClusterRoles().Delete(context.Background(), name, metav1.DeleteOptions{})
		_ = cs.CoreV1().ServiceAccounts(ns).Delete(context.Background(), name, metav1.DeleteOptions{})
	})
	tr, err := cs.CoreV1().ServiceAccounts(ns).CreateToken(ctx, name, &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptrTo(int64(3600))},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tr.Status.Token
}

func ptrTo[T any](v T) *T { return &v }

func TestProviderConfig_maxParallel(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "kubedaemon" {
  max_parallel = 0
}

resource "kubedaemon_node_labels" "x" {
  node_name = "n1"
  labels    = { env = "prod" }
}`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Attribute max_parallel value must be at least 1, got: 0`),
		}},
	})
	for _, tt := range []struct {
		data *providerData
		want int
	}{
		{data: nil, want: 0},
		{data: &providerData{}, want: 0},
		{data: &providerData{maxParallel: 4}, want: 4},
	} {
		if got := tt.data.eachNode(context.Background(), "labels").Parallel; got != tt.want {
			t.Errorf("max_parallel %v: Parallel = %d, want %d (0 is k8s.DefaultMaxParallel)", tt.data, got, tt.want)
		}
	}
}
