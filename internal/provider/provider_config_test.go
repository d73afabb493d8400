package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	appsv1 "k8s.io/api/apps/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster/clustertest"
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

// configureWith runs the provider's Configure on the given model and returns
// its diagnostics and provider data.
func configureWith(t *testing.T, m kubedaemonProviderModel) (*providerData, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	p := New("test")()
	var sr provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &sr)
	st := tfsdk.State{Schema: sr.Schema, Raw: tftypes.NewValue(sr.Schema.Type().TerraformType(ctx), nil)}
	if diags := st.Set(ctx, &m); diags.HasError() {
		t.Fatalf("build the provider configuration: %v", diags)
	}
	var resp provider.ConfigureResponse
	p.Configure(ctx, provider.ConfigureRequest{Config: tfsdk.Config{Schema: sr.Schema, Raw: st.Raw}}, &resp)
	data, _ := resp.ResourceData.(*providerData)
	return data, resp.Diagnostics
}

// nullProviderModel is a provider block that sets nothing.
func nullProviderModel() kubedaemonProviderModel {
	return kubedaemonProviderModel{
		ConfigPaths:       types.ListNull(types.StringType),
		IgnoreLabels:      types.ListNull(types.StringType),
		IgnoreAnnotations: types.ListNull(types.StringType),
	}
}

func TestProviderConfig_basicAuth(t *testing.T) {
	var sr provider.SchemaResponse
	New("test")().Schema(context.Background(), provider.SchemaRequest{}, &sr)
	if pw, ok := sr.Schema.Attributes["password"].(schema.StringAttribute); !ok || !pw.Sensitive {
		t.Errorf("password is %#v, want a sensitive string attribute", sr.Schema.Attributes["password"])
	}
	tests := []struct {
		name                 string
		username, password   string
		env                  map[string]string
		wantUser, wantSecret string
	}{
		{name: "attributes", username: "admin", password: "s3cret", wantUser: "admin", wantSecret: "s3cret"},
		{name: "environment", env: map[string]string{"KUBE_USER": "ops", "KUBE_PASSWORD": "env-pw"}, wantUser: "ops", wantSecret: "env-pw"},
		{name: "attributes win over the environment", username: "admin", password: "s3cret",
			env: map[string]string{"KUBE_USER": "ops", "KUBE_PASSWORD": "env-pw"}, wantUser: "admin", wantSecret: "s3cret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := nullProviderModel()
			m.Host = types.StringValue("https://192.0.2.1:6443")
			m.Username = types.StringValue(tt.username)
			m.Password = types.StringValue(tt.password)
			if tt.username == "" {
				m.Username, m.Password = types.StringNull(), types.StringNull()
			}
			cfg, unknown := m.toConfig(context.Background())
			if len(unknown) > 0 {
				t.Fatalf("unknown attributes %v", unknown)
			}
			cfg, err := cfg.WithEnv(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
			if err != nil {
				t.Fatal(err)
			}
			rc, err := cfg.RESTConfig()
			if err != nil {
				t.Fatal(err)
			}
			if rc.Username != tt.wantUser || rc.Password != tt.wantSecret {
				t.Errorf("basic auth = %q/%q, want %q/%q", rc.Username, rc.Password, tt.wantUser, tt.wantSecret)
			}
		})
	}
}

func TestProviderConfig_experimentsWarns(t *testing.T) {
	m := nullProviderModel()
	m.Host = types.StringValue("https://192.0.2.1:6443")
	m.Experiments = []experimentsModel{{ManifestResource: types.BoolValue(true)}}
	_, diags := configureWith(t, m)
	if diags.HasError() || diags.WarningsCount() != 1 {
		t.Fatalf("diagnostics = %v, want one warning", diags)
	}
	w := diags.Warnings()[0]
	if w.Summary() != "Experiments Have No Effect" || !strings.Contains(w.Detail(), "changes nothing") {
		t.Errorf("warning = %q: %q", w.Summary(), w.Detail())
	}
	m.Experiments = nil
	if _, diags := configureWith(t, m); len(diags) != 0 {
		t.Errorf("without experiments: diagnostics = %v, want none", diags)
	}
}

func TestProviderConfig_ignoreRules(t *testing.T) {
	m := nullProviderModel()
	m.Host = types.StringValue("https://192.0.2.1:6443")
	m.IgnoreLabels = types.ListValueMust(types.StringType, []attr.Value{types.StringValue(`^example\.com/`)})
	m.IgnoreAnnotations = types.ListValueMust(types.StringType, []attr.Value{types.StringValue("checksum")})
	data, diags := configureWith(t, m)
	if diags.HasError() || data == nil {
		t.Fatalf("Configure: %v", diags)
	}
	live := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{
			Labels:      map[string]string{"example.com/revision": "7", "app": "changed", "example.com/other": "x"},
			Annotations: map[string]string{"config/checksum": "new", "owner": "b"},
		},
	}
	live.Spec.Template.Labels = map[string]string{"name": "logd", "example.com/stamp": "2"}
	prior := map[string]any{
		"metadata": map[string]any{
			"labels":      map[string]any{"example.com/revision": "1", "app": "logd"},
			"annotations": map[string]any{"config/checksum": "old", "owner": "a"},
		},
		"spec": map[string]any{"template": map[string]any{"metadata": map[string]any{
			"labels": map[string]any{"name": "logd", "example.com/stamp": "1", "example.com/gone": "1"},
		}}},
	}
	data.KeepIgnoredMetadata(live, prior)
	want := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{
			// A matching key the state holds keeps its prior value; other
			// keys keep the cluster's, so their drift still shows.
			Labels:      map[string]string{"example.com/revision": "1", "app": "changed", "example.com/other": "x"},
			Annotations: map[string]string{"config/checksum": "old", "owner": "b"},
		},
	}
	want.Spec.Template.Labels = map[string]string{"name": "logd", "example.com/stamp": "1", "example.com/gone": "1"}
	if diff := cmp.Diff(want, live); diff != "" {
		t.Errorf("KeepIgnoredMetadata (-want +got):\n%s", diff)
	}

	meta := map[string]any{"labels": map[string]any{"example.com/a": "1", "app": "x"}, "annotations": map[string]any{"a/checksum": "z"}}
	data.ignore.dropIgnored(meta)
	if diff := cmp.Diff(map[string]any{"labels": map[string]any{"app": "x"}, "annotations": map[string]any{}}, meta); diff != "" {
		t.Errorf("dropIgnored (-want +got):\n%s", diff)
	}

	var nilData *providerData
	nilData.KeepIgnoredMetadata(live, prior) // no provider data: nothing to ignore, no panic
}

func TestProviderConfig_ignoreRulesInvalid(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
provider "kubedaemon" {
  ignore_labels      = ["^ok/", "example.com/(unclosed"]
  ignore_annotations = ["[z-a]"]
}

resource "kubedaemon_node_labels" "x" {
  node_name = "n1"
  labels    = { env = "prod" }
}`,
			PlanOnly: true,
			ExpectError: regexp.MustCompile(`(?s)Invalid Regular Expression.*"example.com/\(unclosed" is not a\s+regular\s+expression` +
				`.*Invalid Regular Expression.*ignore_annotations.*"\[z-a\]" is not a regular expression`),
		}},
	})
}

// Another tool (a policy engine, a CI stamp) rewrites a label that the
// configuration sets and adds one of its own: with ignore_labels matching
// them, neither is drift; without, the rewritten one is.
func TestAccProviderConfig_ignoreLabels(t *testing.T) {
	ns := testNamespace(t, "ignore-labels")
	config := func(ignore string) string {
		return ignore + fmt.Sprintf(`
resource "kubedaemon_daemonset" "x" {
  metadata {
    name      = "stamped"
    namespace = %q
    labels    = { app = "stamped", "example.com/revision" = "1" }
  }
  spec {
    selector {
      match_labels = { name = "stamped" }
    }
    template {
      metadata {
        labels = { name = "stamped" }
      }
      spec {
        container {
          name  = "main"
          image = "registry.k8s.io/pause:3.10"
        }
      }
    }
  }
}
`, ns)
	}
	withIgnore := config(`
provider "kubedaemon" {
  ignore_labels = ["^example\\.com/"]
}
`)
	stamp := func() {
		clustertest.UpdateDaemonSet(t, testCluster, ns, "stamped", "policy-engine", func(ds *appsv1.DaemonSet) {
			ds.Labels["example.com/revision"] = "2"
			ds.Labels["example.com/scanned"] = "true"
		})
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: withIgnore},
			{PreConfig: stamp, Config: withIgnore, PlanOnly: true},
			{
				Config: withIgnore,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("kubedaemon_daemonset.x", tfjsonpath.New("metadata").AtMapKey("labels"),
						knownvalue.MapExact(map[string]knownvalue.Check{
							"app": knownvalue.StringExact("stamped"), "example.com/revision": knownvalue.StringExact("1"),
						})),
				},
			},
			{Config: config(""), PlanOnly: true, ExpectNonEmptyPlan: true},
		},
	})
}
