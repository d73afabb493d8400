package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// edit is one change to the logd configuration: the text from and what
// replaces it.
type edit struct{ from, to string }

const (
	logdContainer = "        container {"
	logdResource  = `resource "kubedaemon_daemonset" "logd" {`
	logdPort      = "            container_port = 6666\n            host_port      = 6666"
	logdEnd       = "          resources {"
)

// planRefusals are inputs that Kubernetes refuses, each with what the plan
// must say: the attribute path and the reason. Some are the provider's own
// checks (they run without a cluster); the others come from the API server
// through the plan's server-side dry run.
var planRefusals = map[string]struct {
	edits []edit
	want  string
}{
	"probe with two handlers": {
		edits: []edit{{logdEnd, "          liveness_probe {\n            exec {\n              command = [\"true\"]\n            }\n" +
			"            tcp_socket {\n              port = \"6666\"\n            }\n          }\n" + logdEnd}},
		want: `(?s)Refused By Kubernetes.*spec\.template\.spec\.container\[0\]\.liveness_probe\.tcp_socket: Forbidden: may not specify more than 1 handler type`,
	},
	"env value with value_from": {
		edits: []edit{{"            name = \"NODE_NAME\"", "            name = \"NODE_NAME\"\n            value = \"x\""}},
		want:  `(?s)spec\.template\.spec\.container\[0\]\.env\[1\]\.value_from: Invalid value: "": may not be specified when .value. is not empty`,
	},
	"downward API field Kubernetes does not support": {
		edits: []edit{{"field_path = \"spec.nodeName\"", "field_path = \"spec.nodeLabels\""}},
		want:  `(?s)spec\.template\.spec\.container\[0\]\.env\[1\]\.value_from\.field_ref\.field_path: Invalid value: "spec\.nodeLabels": error converting fieldPath: field label not supported`,
	},
	"cpu request above its limit": {
		edits: []edit{{`requests = { cpu = "100m", memory = "64Mi" }`, `requests = { cpu = "2", memory = "64Mi" }` + "\n            limits = { cpu = \"1\" }"}},
		want:  `(?s)spec\.template\.spec\.container\[0\]\.resources\.requests: Invalid value: "2": must be less than or equal to cpu limit`,
	},
	"toleration_seconds with NoSchedule": {
		edits: []edit{{logdContainer, "        toleration {\n          key = \"x\"\n          operator = \"Exists\"\n          effect = \"NoSchedule\"\n" +
			"          toleration_seconds = 30\n        }\n" + logdContainer}},
		want: `(?s)spec\.template\.spec\.toleration\[0\]\.effect: Invalid value: "NoSchedule": effect must be 'NoExecute'`,
	},
	"host network with container port other than host port": {
		edits: []edit{{logdContainer, "        host_network = true\n" + logdContainer}, {"host_port      = 6666", "host_port      = 6667"}},
		want:  `(?s)spec\.template\.spec\.container\[0\]\.port\[0\]\.host_port: Invalid value: 6667: must match .containerPort. when .hostNetwork. is true`,
	},
	"port name over 15 characters": {
		edits: []edit{{logdPort, logdPort + "\n            name = \"a-very-long-port-name\""}},
		want:  `(?s)spec\.template\.spec\.container\[0\]\.port\[0\]\.name: Invalid value: "a-very-long-port-name": must be no more than 15 characters`,
	},
	"label value with a space in the template only": {
		edits: []edit{{`        labels = { name = "logd" }`, `        labels = { name = "logd", tier = "log agent" }`}},
		want:  `(?s)spec\.template\.metadata\.labels: Invalid value: "log agent"`,
	},
	"negative min_ready_seconds": {
		edits: []edit{{"    selector {", "    min_ready_seconds = -5\n    selector {"}},
		want:  `(?s)Negative Number.*spec\.min_ready_seconds = -5 is negative`,
	},
	"negative termination_grace_period_seconds": {
		edits: []edit{{logdContainer, "        termination_grace_period_seconds = -1\n" + logdContainer}},
		want:  `(?s)Negative Number.*spec\.template\.spec\.termination_grace_period_seconds = -1 is negative`,
	},
	"empty container list": {
		edits: []edit{
			{logdContainer, "        dynamic \"container\" {\n          for_each = []\n          content {"},
			{"          }\n        }\n      }\n    }\n  }\n}", "          }\n        }\n        }\n      }\n    }\n  }\n}"},
		},
		want: `(?s)No Container.*needs at least one`,
	},
	"host_port 0": {
		edits: []edit{{"host_port      = 6666", "host_port      = 0"}},
		want:  `(?s)Invalid Host Port.*host_port = 0 is not a host port`,
	},
	"percent above 100": {
		edits: []edit{{"    selector {", "    update_strategy {\n      rolling_update {\n        max_unavailable = \"150%\"\n      }\n    }\n    selector {"}},
		want:  `(?s)Invalid Percent.*"150%" is above 100%, and a percent of the nodes above 100% is not allowed`,
	},
	"negative timeout": {
		edits: []edit{{logdResource, logdResource + "\n  timeouts {\n    create = \"-5m\"\n  }"}},
		want:  `(?s)Invalid Timeout.*timeouts\.create = "-5m" is not positive`,
	},
}

// TestAccDaemonSet_planRefusals: every input that Kubernetes would refuse
// fails `terraform plan`, on its attribute, and nothing reaches the cluster.
func TestAccDaemonSet_planRefusals(t *testing.T) {
	ns := testNamespace(t, "refusals")
	for name, tc := range planRefusals {
		t.Run(name, func(t *testing.T) {
			config := logdConfig(ns, "alpine")
			for _, e := range tc.edits {
				if !strings.Contains(config, e.from) {
					t.Fatalf("the logd configuration has no %q", e.from)
				}
				config = strings.Replace(config, e.from, e.to, 1)
			}
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(strings.ReplaceAll(tc.want, " ", `\s+`)),
				}},
			})
			assertNoDaemonSets(t, ns)
		})
	}
}

func assertNoDaemonSets(t *testing.T, ns string) {
	t.Helper()
	list, err := testCluster.Client().AppsV1().DaemonSets(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) > 0 {
		t.Errorf("a refused plan left DaemonSet %s/%s in the cluster", ns, list.Items[0].Name)
	}
}

// TestAccDaemonSet_planAdmissionPolicy: a ValidatingAdmissionPolicy of the
// cluster (here: no hostPath volumes in this namespace) refuses the plan,
// with the policy's message on the volume's attribute.
func TestAccDaemonSet_planAdmissionPolicy(t *testing.T) {
	ns := testNamespace(t, "vap")
	ctx := context.Background()
	cs := testCluster.Client()
	name := "no-host-path-" + ns
	fail := admissionregistrationv1.Deny
	failurePolicy := admissionregistrationv1.Fail
	policy := &admissionregistrationv1.ValidatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			FailurePolicy: &failurePolicy,
			MatchConstraints: &admissionregistrationv1.MatchResources{
				ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{RuleWithOperations: admissionregistrationv1.RuleWithOperations{
					Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
					Rule:       admissionregistrationv1.Rule{APIGroups: []string{"apps"}, APIVersions: []string{"v1"}, Resources: []string{"daemonsets"}},
				}}},
			},
			Validations: []admissionregistrationv1.Validation{{
				Expression: "!has(object.spec.template.spec.volumes) || object.spec.template.spec.volumes.all(v, !has(v.hostPath))",
				Message:    "hostPath volumes are not allowed in this namespace",
			}},
		},
	}
	if _, err := cs.AdmissionregistrationV1().ValidatingAdmissionPolicies().Create(ctx, policy, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cs.AdmissionregistrationV1().ValidatingAdmissionPolicies().Delete(context.Background(), name, metav1.DeleteOptions{})
	})
	binding := &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        name,
			ValidationActions: []admissionregistrationv1.ValidationAction{fail},
			MatchResources: &admissionregistrationv1.MatchResources{NamespaceSelector: &metav1.LabelSelector{
				MatchLabels: map[string]string{corev1.LabelMetadataName: ns},
			}},
		},
	}
	if _, err := cs.AdmissionregistrationV1().ValidatingAdmissionPolicyBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cs.AdmissionregistrationV1().ValidatingAdmissionPolicyBindings().Delete(context.Background(), name, metav1.DeleteOptions{})
	})
	// The API server loads a new policy in the background: wait until it
	// refuses a dry run of a DaemonSet with a hostPath volume.
	probe := &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "probe", Namespace: ns},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"name": "probe"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"name": "probe"}},
				Spec: corev1.PodSpec{
					Containers: []corev1.Container{{Name: "probe", Image: "alpine"}},
					Volumes: []corev1.Volume{{Name: "logs", VolumeSource: corev1.VolumeSource{
						HostPath: &corev1.HostPathVolumeSource{Path: "/var/log"},
					}}},
				},
			},
		},
	}
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := cs.AppsV1().DaemonSets(ns).Create(ctx, probe, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		return apierrors.IsInvalid(err) || apierrors.IsForbidden(err), nil
	})
	if err != nil {
		t.Fatalf("the admission policy did not take effect: %v", err)
	}

	config := strings.Replace(logdConfig(ns, "alpine"), logdContainer, fmt.Sprintf(
		"        volume {\n          name = \"logs\"\n          host_path {\n            path = \"/var/log\"\n          }\n        }\n%s", logdContainer), 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      config,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(strings.ReplaceAll(`(?s)Refused By Kubernetes.*spec\.template\.spec\.volume\[0\]: .*hostPath volumes are not allowed in this namespace`, " ", `\s+`)),
		}},
	})
	assertNoDaemonSets(t, ns)
}

// TestAccPresetResource_planRefusal: a chart that renders an object the API
// server refuses fails the plan, naming the object, the API field and the
// input that renders it; nothing reaches the cluster.
func TestAccPresetResource_planRefusal(t *testing.T) {
	ns := testNamespace(t, "preset-refusal")
	dir := writeChart(t, map[string]string{
		"Chart.yaml":  "apiVersion: v2\nname: refused\nversion: 0.1.0\n",
		"values.yaml": "port: 6666\n",
		"templates/daemonset.yaml": "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: refused\nspec:\n" +
			"  selector:\n    matchLabels: {app: refused}\n  template:\n    metadata:\n      labels: {app: refused}\n" +
			"    spec:\n      containers:\n      - name: agent\n        image: alpine\n        ports:\n" +
			"        - containerPort: {{ .Values.port }}\n",
	})
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf("resource \"kubedaemon_preset\" \"p\" {\n  preset = %q\n  namespace = %q\n"+
				"  values = [yamlencode({ port = 70000 })]\n  wait = false\n}\n", dir, ns),
			PlanOnly: true,
			ExpectError: regexp.MustCompile(strings.ReplaceAll(`(?s)Refused By Kubernetes.*DaemonSet/`+ns+
				`/refused: spec.template.spec.containers\[0\].ports\[0\].containerPort: Invalid value: 70000`, " ", `\s+`)),
		}},
	})
	assertNoDaemonSets(t, ns)
}

// TestAccPlanWarnings: what the plan cannot decide yet is a warning, not an
// error: a DaemonSet's namespace that does not exist yet (another resource
// may create it; the apply then says to create it), values known only at
// apply (one warning for the whole plan, not one per resource), and a
// node_selector that matches no node.
func TestAccPlanWarnings(t *testing.T) {
	rec := &warningRecorder{}
	plan := func(config string) {
		t.Helper()
		resource.Test(t, resource.TestCase{
			ProtoV6ProviderFactories: rec.factories(),
			Steps:                    []resource.TestStep{{Config: config, PlanOnly: true, ExpectNonEmptyPlan: true}},
		})
	}
	missing := fmt.Sprintf("absent-%d", time.Now().UnixNano()%1_000_000)
	plan(logdConfig(missing, "alpine"))
	if err := rec.expect(`Namespace Does Not Exist Yet: Namespace "` + missing + `" does not exist`); err != nil {
		t.Error(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      logdConfig(missing, "alpine"),
			ExpectError: regexp.MustCompile(strings.ReplaceAll(`(?s)Namespace Does Not Exist.*kubectl create namespace `+missing, " ", `\s+`)),
		}},
	})

	ns := testNamespace(t, "warnings")
	unknownImage := func(name string) string {
		return strings.ReplaceAll(strings.Replace(logdConfig(ns, "alpine"), `image = "alpine"`, "image = terraform_data.image.output", 1),
			"logd", name)
	}
	plan("resource \"terraform_data\" \"image\" {\n  input = \"alpine\"\n}\n" + unknownImage("one") + unknownImage("two") + unknownImage("three"))
	n := 0
	got := rec.take()
	for _, w := range got {
		if strings.HasPrefix(w, "Server Checks Run At Apply:") {
			n++
		}
	}
	// Terraform plans twice here (a plan, then one with refresh), each in a
	// provider process of its own: one warning per process, not per
	// resource (TestServerChecksLaterOnce).
	if n == 0 || n > 2 {
		t.Errorf("%d warnings say the server checks run at apply, want one per plan (2) for three resources: %q", n, got)
	}

	plan("resource \"kubedaemon_node_labels\" \"none\" {\n  node_selector = { \"kubedaemon.test/absent\" = \"yes\" }\n" +
		"  labels = { tier = \"x\" }\n}\n")
	if err := rec.expect(`Node Selector Matches No Node: node_selector kubedaemon.test/absent=yes matches no node`); err != nil {
		t.Error(err)
	}
}

// TestPresetResourceTimeoutPlanError: a timeout that is not positive fails
// the plan on its attribute, not the apply with an expired deadline.
func TestPresetResourceTimeoutPlanError(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:      "resource \"kubedaemon_preset\" \"p\" {\n  preset = \"node-exporter\"\n  timeouts {\n    delete = \"0s\"\n  }\n}\n",
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Invalid Timeout.*timeouts\.delete = "0s" is not positive`),
		}},
	})
}

// TestAccDaemonSet_zeroValues: explicit zero values that Kubernetes leaves
// out of the objects it returns (min_ready_seconds = 0 failed the apply with
// "was 0, but now null") apply, and the next plan is empty.
func TestAccDaemonSet_zeroValues(t *testing.T) {
	ns := testNamespace(t, "zeros")
	config := strings.Replace(logdConfig(ns, "alpine"), "    selector {",
		"    min_ready_seconds = 0\n    revision_history_limit = 0\n    selector {", 1)
	config = strings.Replace(config, logdContainer, "        termination_grace_period_seconds = 0\n"+
		"        service_account_name = \"\"\n"+logdContainer, 1)
	config = strings.Replace(config, "          name  = \"logd\"\n", "          name  = \"logd\"\n          working_dir = \"\"\n", 1)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{Config: config, PlanOnly: true},
		},
	})
}

// TestServerChecksLaterOnce: the warning that the API server's checks run at
// apply is given once per provider process (one plan), however many
// resources meet it.
func TestServerChecksLaterOnce(t *testing.T) {
	d := newProviderData(nil, nil)
	var diags diag.Diagnostics
	for range 3 {
		d.serverChecksLater(&diags, laterUnknownValues, "Some values are unknown.")
	}
	d.serverChecksLater(&diags, laterUnreachable, "The cluster is unreachable.")
	if got := len(diags.Warnings()); got != 2 {
		t.Errorf("%d warnings, want one per reason (2): %v", got, diags)
	}
}
