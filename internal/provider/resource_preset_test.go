package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// presetTestConfig is a node-exporter release in namespace ns. The port is
// the host port: each test uses its own so that releases never compete for
// one on the shared nodes.
func presetTestConfig(ns, image, tag string, port int, service bool, extra string) string {
	return fmt.Sprintf(`
resource "kubedaemon_preset" "ne" {
  preset           = "node-exporter"
  name             = "ne"
  namespace        = %q
  create_namespace = true
  values = [yamlencode({
    port    = %d
    image   = { repository = %q, tag = %q }
    service = { enabled = %t }
  })]
  %s
}
`, ns, port, image, tag, service, extra)
}

func TestAccPresetResource(t *testing.T) {
	const ns = "acc-preset"
	image := "quay.io/prometheus/node-exporter"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPresetGone(ns, "ne"),
		Steps: []resource.TestStep{
			{
				Config: presetTestConfig(ns, image, "v1.9.1", 19101, true, ""),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkPresetObjectsExist(ns, "ServiceAccount", "Service", "DaemonSet"),
					checkPresetPods(ns, "ne", image+":v1.9.1", 3),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("kubedaemon_preset.ne", tfjsonpath.New("id"), knownvalue.StringExact(ns+"/ne")),
					statecheck.ExpectKnownValue("kubedaemon_preset.ne", tfjsonpath.New("inventory"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("ServiceAccount/" + ns + "/ne"),
						knownvalue.StringExact("Service/" + ns + "/ne"),
						knownvalue.StringExact("DaemonSet/" + ns + "/ne"),
					})),
					statecheck.ExpectKnownValue("kubedaemon_preset.ne", tfjsonpath.New("daemonsets"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact(ns + "/ne")})),
				},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				ResourceName:      "kubedaemon_preset.ne",
				ImportState:       true,
				ImportStateId:     ns + "/ne",
				ImportStateVerify: true,
				// What a render was made of is not in the cluster; the
				// objects are, and must come back as applied.
				ImportStateVerifyIgnore: []string{"preset", "values", "set", "manifest", "create_namespace"},
			},
			{
				// A new tag is a rolling update the apply waits for.
				Config: presetTestConfig(ns, image, "v1.9.2", 19101, true, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("kubedaemon_preset.ne", plancheck.ResourceActionUpdate),
						plancheck.ExpectKnownValue("kubedaemon_preset.ne", tfjsonpath.New("objects").AtMapKey("DaemonSet/"+ns+"/ne"),
							knownvalue.StringRegexp(regexp.MustCompile(`node-exporter:v1\.9\.2"`))),
					},
				},
				Check: checkPresetPods(ns, "ne", image+":v1.9.2", 3),
			},
			{
				// A change made behind Terraform's back shows in the plan
				// and apply puts it back.
				PreConfig: func() {
					patch := `{"spec":{"template":{"spec":{"containers":[{"name":"node-exporter","image":"example.com/hacked:1"}]}}}}`
					_, err := testCluster.Client().AppsV1().DaemonSets(ns).Patch(context.Background(), "ne",
						types.StrategicMergePatchType, []byte(patch), metav1.PatchOptions{FieldManager: "kubectl-edit"})
					if err != nil {
						t.Fatal(err)
					}
				},
				Config: presetTestConfig(ns, image, "v1.9.2", 19101, true, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{
						plancheck.ExpectResourceAction("kubedaemon_preset.ne", plancheck.ResourceActionUpdate),
					},
				},
				Check: checkPresetPods(ns, "ne", image+":v1.9.2", 3),
			},
			{
				// A values toggle that drops the Service deletes it.
				Config: presetTestConfig(ns, image, "v1.9.2", 19101, false, ""),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkPresetObjectGone(ns, "Service"),
					checkPresetObjectsExist(ns, "ServiceAccount", "DaemonSet"),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("kubedaemon_preset.ne", tfjsonpath.New("inventory"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("ServiceAccount/" + ns + "/ne"),
						knownvalue.StringExact("DaemonSet/" + ns + "/ne"),
					})),
				},
			},
		},
	})
}

// TestAccPresetResourceConflict wants an object created beforehand by
// someone else to stop the apply, named, and to stay untouched.
func TestAccPresetResourceConflict(t *testing.T) {
	const ns = "acc-preset-conflict"
	ctx := context.Background()
	cs := testCluster.Client()
	if _, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cs.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{}) })
	theirs := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "ne", Namespace: ns, Labels: map[string]string{"owner": "someone-else"}},
		Spec:       corev1.ServiceSpec{Ports: []corev1.ServicePort{{Name: "web", Port: 8080}}},
	}
	if _, err := cs.CoreV1().Services(ns).Create(ctx, theirs, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPresetGone(ns, "ne"),
		Steps: []resource.TestStep{{
			Config:      presetTestConfig(ns, "quay.io/prometheus/node-exporter", "v1.9.1", 19102, true, ""),
			ExpectError: regexp.MustCompile(`(?s)Object Owned By Someone Else.*Service/` + ns + `/ne already exists and belongs\s+to\s+no\s+kubedaemon\s+inventory.*force_conflicts = true`),
		}},
	})
	svc, err := cs.CoreV1().Services(ns).Get(ctx, "ne", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if svc.Labels["owner"] != "someone-else" || svc.Annotations[presetInventoryAnnotation] != "" || len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != 8080 {
		t.Errorf("the other owner's Service was changed: labels %v, annotations %v, ports %v", svc.Labels, svc.Annotations, svc.Spec.Ports)
	}
	if _, err := cs.CoreV1().ServiceAccounts(ns).Get(ctx, "ne", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the ServiceAccount was applied although the release conflicted (get: %v)", err)
	}
}

// TestAccPresetResourceUnpullable wants the diagnosis of pods that cannot
// pull their image, and destroy to clean up after the failed create.
func TestAccPresetResourceUnpullable(t *testing.T) {
	const ns = "acc-preset-unpullable"
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPresetGone(ns, "ne"),
		Steps: []resource.TestStep{{
			Config:      presetTestConfig(ns, "registry.invalid/unpullable-exporter", "v1", 19103, true, "fail_fast = true\n  stuck_grace = \"2s\""),
			ExpectError: regexp.MustCompile(`(?s)DaemonSet Did Not Converge.*` + ns + `/ne cannot converge.*(ErrImagePull|ImagePullBackOff)`),
		}},
	})
}

// TestPresetResourceStuckGracePlanError wants a stuck_grace that is not a
// positive duration to fail the plan on the attribute.
func TestPresetResourceStuckGracePlanError(t *testing.T) {
	for value, want := range map[string]string{
		"soon": `(?s)Invalid Duration.*stuck_grace = "soon" is not a duration: write a number with a unit`,
		"0s":   `(?s)Invalid Duration.*stuck_grace = "0s" is not positive.*fail_fast = false`,
	} {
		t.Run(value, func(t *testing.T) {
			resource.UnitTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      presetTestConfig("monitoring", "quay.io/prometheus/node-exporter", "v1", 19104, true, fmt.Sprintf("stuck_grace = %q", value)),
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(want),
				}},
			})
		})
	}
}

// TestPresetResourceSetPlanError wants a bad value in a set block to fail
// the plan, on that block, naming the values path.
func TestPresetResourceSetPlanError(t *testing.T) {
	resource.UnitTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: `
resource "kubedaemon_preset" "bad" {
  preset    = "node-exporter"
  namespace = "monitoring"
  set {
    name  = "image.tag"
    value = "v2"
  }
  set {
    name  = "port"
    value = "70000"
  }
}
`,
			PlanOnly:    true,
			ExpectError: regexp.MustCompile(`(?s)Invalid Preset Value.*kubedaemon_preset.bad.*The set block 1 \(name "port"\) makes the value at\s+"port"\s+invalid:\s+got\s+70000,\s+want\s+at\s+most\s+65535`),
		}},
	})
}

// checkPresetObjectsExist wants each kind's object named "ne" in ns, marked
// with the inventory.
func checkPresetObjectsExist(ns string, kinds ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		cs := testCluster.Client()
		for _, kind := range kinds {
			var meta metav1.Object
			var err error
			switch kind {
			case "ServiceAccount":
				meta, err = cs.CoreV1().ServiceAccounts(ns).Get(ctx, "ne", metav1.GetOptions{})
			case "Service":
				meta, err = cs.CoreV1().Services(ns).Get(ctx, "ne", metav1.GetOptions{})
			case "DaemonSet":
				meta, err = cs.AppsV1().DaemonSets(ns).Get(ctx, "ne", metav1.GetOptions{})
			default:
				return fmt.Errorf("checkPresetObjectsExist does not know kind %s", kind)
			}
			if err != nil {
				return fmt.Errorf("%s %s/ne: %w", kind, ns, err)
			}
			if got := meta.GetAnnotations()[presetInventoryAnnotation]; got != ns+"/ne" {
				return fmt.Errorf("%s %s/ne: inventory annotation %q, want %q", kind, ns, got, ns+"/ne")
			}
			if got := meta.GetLabels()[presetManagedByLabel]; got != presetManagedByValue {
				return fmt.Errorf("%s %s/ne: label %s=%q", kind, ns, presetManagedByLabel, got)
			}
		}
		return nil
	}
}

// checkPresetObjectGone wants the kind's object "ne" gone from ns.
func checkPresetObjectGone(ns, kind string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		cs := testCluster.Client()
		var err error
		switch kind {
		case "Service":
			_, err = cs.CoreV1().Services(ns).Get(ctx, "ne", metav1.GetOptions{})
		case "ServiceAccount":
			_, err = cs.CoreV1().ServiceAccounts(ns).Get(ctx, "ne", metav1.GetOptions{})
		case "DaemonSet":
			_, err = cs.AppsV1().DaemonSets(ns).Get(ctx, "ne", metav1.GetOptions{})
		}
		if !apierrors.IsNotFound(err) {
			return fmt.Errorf("%s %s/ne still exists (get: %v)", kind, ns, err)
		}
		return nil
	}
}

// checkPresetPods is checkDaemonPods for a release whose DaemonSet has the
// release's name.
func checkPresetPods(ns, name, image string, n int) resource.TestCheckFunc {
	return checkDaemonPods(ns, name, name, image, n)
}

// checkDaemonPods wants DaemonSet ns/name converged on n nodes, and the
// release's pods (label app.kubernetes.io/instance) to run image in their
// first container, one per node.
func checkDaemonPods(ns, name, instance, image string, n int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		cs := testCluster.Client()
		ds, err := cs.AppsV1().DaemonSets(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		st := ds.Status
		if st.ObservedGeneration != ds.Generation || st.DesiredNumberScheduled != int32(n) || st.UpdatedNumberScheduled != int32(n) ||
			st.NumberReady != int32(n) || st.NumberAvailable != int32(n) {
			return fmt.Errorf("daemonset %s/%s did not converge on %d nodes before apply returned: %+v", ns, name, n, st)
		}
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/instance=" + instance})
		if err != nil {
			return err
		}
		nodes := map[string]bool{}
		for _, p := range pods.Items {
			if p.DeletionTimestamp != nil {
				continue
			}
			if got := p.Spec.Containers[0].Image; got != image {
				return fmt.Errorf("pod %s on %s runs %s, want %s", p.Name, p.Spec.NodeName, got, image)
			}
			nodes[p.Spec.NodeName] = true
		}
		if len(nodes) != n {
			return fmt.Errorf("pods of %s run on %d nodes (%v), want %d", instance, len(nodes), nodes, n)
		}
		return nil
	}
}

// checkPresetGone wants every object of the release and its pods gone.
func checkPresetGone(ns, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		ctx := context.Background()
		cs := testCluster.Client()
		var left []string
		if _, err := cs.AppsV1().DaemonSets(ns).Get(ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			left = append(left, fmt.Sprintf("DaemonSet (get: %v)", err))
		}
		if _, err := cs.CoreV1().ServiceAccounts(ns).Get(ctx, name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			left = append(left, fmt.Sprintf("ServiceAccount (get: %v)", err))
		}
		if svc, err := cs.CoreV1().Services(ns).Get(ctx, name, metav1.GetOptions{}); err == nil && svc.Annotations[presetInventoryAnnotation] != "" {
			left = append(left, "Service")
		}
		pods, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app.kubernetes.io/instance=" + name})
		if err != nil {
			return err
		}
		if len(pods.Items) > 0 {
			left = append(left, fmt.Sprintf("%d pods", len(pods.Items)))
		}
		if len(left) > 0 {
			return fmt.Errorf("destroy left in %s: %s", ns, strings.Join(left, ", "))
		}
		return nil
	}
}

// TestAccPresetResourceFailedUpdateKeepsPrunable wants an update that fails
// after applying some objects to keep, in the state, the objects of the prior
// render it did not get to delete, so that the next apply deletes them.
func TestAccPresetResourceFailedUpdateKeepsPrunable(t *testing.T) {
	const ns = "acc-preset-partial"
	// The plan's server-side dry run would refuse the bad DaemonSet before
	// anything is applied: turned off, the refusal comes at apply, which is
	// what this test is about.
	config := func(service bool, containerSecurityContext string) string {
		return fmt.Sprintf(`
provider "kubedaemon" {
  server_dry_run = false
}

resource "kubedaemon_preset" "ne" {
  preset           = "node-exporter"
  name             = "ne"
  namespace        = %q
  create_namespace = true
  wait             = false
  values = [yamlencode({
    port                     = 19105
    image                    = { repository = "quay.io/prometheus/node-exporter", tag = "v1.9.1" }
    service                  = { enabled = %t }
    containerSecurityContext = %s
  })]
}
`, ns, service, containerSecurityContext)
	}
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkPresetGone(ns, "ne"),
		Steps: []resource.TestStep{
			{
				Config: config(true, "{}"),
				Check:  checkPresetObjectsExist(ns, "ServiceAccount", "Service", "DaemonSet"),
			},
			{
				// The ServiceAccount applies, the DaemonSet does not (a
				// negative runAsUser), so the Service is never pruned.
				Config:      config(false, "{ runAsUser = -1 }"),
				ExpectError: regexp.MustCompile(`(?s)Cannot Apply Object.*DaemonSet/` + ns + `/ne`),
			},
			{
				Config: config(false, "{}"),
				Check: resource.ComposeAggregateTestCheckFunc(
					checkPresetObjectGone(ns, "Service"),
					checkPresetObjectsExist(ns, "ServiceAccount", "DaemonSet"),
				),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("kubedaemon_preset.ne", tfjsonpath.New("inventory"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("ServiceAccount/" + ns + "/ne"),
						knownvalue.StringExact("DaemonSet/" + ns + "/ne"),
					})),
				},
			},
		},
	})
}
