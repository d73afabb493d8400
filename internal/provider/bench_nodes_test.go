package provider

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cluster/clustertest"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"
)

// nodeRequests reads, from the API server's own /metrics, how many requests
// it has served on nodes, by verb (LIST, GET, APPLY for server-side apply,
// PATCH, ...): every client's, the provider's among them. A write refused
// with 409 counts once more as "VERB:409" (clustertest.Requests). Requests
// to subresources (kwok's status heartbeats go to nodes/status) are left
// out.
func nodeRequests(tb testing.TB) clustertest.Requests {
	tb.Helper()
	out := clustertest.Requests{}
	for key, n := range clustertest.APIRequests(tb, testCluster) {
		target, verb, _ := strings.Cut(key, ":")
		if _, resource, _ := strings.Cut(target, "/"); resource == "nodes" {
			out[verb] += n
		}
	}
	return out
}

// fleetPhase is one Terraform command over a fleet: how long it took and
// the requests on nodes the API server served meanwhile.
type fleetPhase struct {
	name     string
	took     time.Duration
	requests clustertest.Requests
}

// runFleet applies config (one resource over the fleet), refreshes it
// (`terraform apply -refresh-only`) and destroys it, each with the real
// Terraform CLI, calling check after each phase.
func runFleet(tb testing.TB, config string, check func(phase string)) []fleetPhase {
	tb.Helper()
	d := newTerraformDir(tb, config)
	common := []string{"-auto-approve", "-input=false", "-lock=false", "-no-color"}
	var out []fleetPhase
	for _, p := range []struct {
		name string
		args []string
	}{
		{"apply", append([]string{"apply"}, common...)},
		{"refresh", append([]string{"apply", "-refresh-only"}, common...)},
		{"destroy", append([]string{"destroy"}, common...)},
	} {
		before := nodeRequests(tb)
		began := time.Now()
		d.run(p.args...)
		took := time.Since(began)
		out = append(out, fleetPhase{name: p.name, took: took, requests: nodeRequests(tb).Since(before)})
		if check != nil {
			check(p.name)
		}
	}
	return out
}

// addFleet adds n KWOK nodes labelled fleet=name and deletes them when the
// test ends.
func addFleet(tb testing.TB, name string, n int) []string {
	tb.Helper()
	nodes := make([]string, n)
	for i := range nodes {
		nodes[i] = fmt.Sprintf("%s-%04d", name, i)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	if err := testCluster.AddNodes(ctx, nodes, map[string]string{"fleet": name}, nil); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := testCluster.DeleteNodes(context.Background(), nodes...); err != nil {
			tb.Error(err)
		}
	})
	return nodes
}

func fleetLabelsConfig(fleet string) string {
	return fmt.Sprintf(`
resource "kubedaemon_node_labels" "fleet" {
  node_selector = { fleet = %q }
  labels        = { "example.com/fleet" = "on" }
}
`, fleet)
}

func fleetTaintsConfig(fleet string) string {
	return fmt.Sprintf(`
resource "kubedaemon_node_taints" "fleet" {
  node_selector = { fleet = %q }
  taint {
    key    = "example.com/fleet"
    value  = "on"
    effect = "PreferNoSchedule"
  }
}
`, fleet)
}

// fleetState counts the fleet's nodes that carry the resource's label or
// taint, with one listing.
func fleetState(tb testing.TB, fleet string) (labelled, tainted int) {
	tb.Helper()
	err := k8s.EachNode(context.Background(), testCluster.Client(), metav1.ListOptions{LabelSelector: "fleet=" + fleet}, func(n *corev1.Node) error {
		if n.Labels["example.com/fleet"] == "on" {
			labelled++
		}
		for _, t := range n.Spec.Taints {
			if t.Key == "example.com/fleet" && t.Value == "on" && t.Effect == corev1.TaintEffectPreferNoSchedule {
				tainted++
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return labelled, tainted
}

// fleetSize is the acceptance test's node count: more than one page of a
// node listing, so that paging shows in the request counts.
const fleetSize = 520

// TestAccNodeLabelsAndTaintsFleet applies, refreshes and destroys a
// kubedaemon_node_labels and a kubedaemon_node_taints resource over 520
// nodes and checks, from the API server's own request counter, that each
// phase reads the nodes with paged listings (500 a page) and no GET, and
// writes once per node. With p = 2 pages:
//
//   - apply: p LISTs for the plan (ModifyPlan resolves node_selector), p more
//     when Terraform plans again during apply, p for the writes' own
//     listing (UIDs, resourceVersions, what is already as wanted), then one
//     write per node: server-side apply for labels, a merge patch for taints;
//   - refresh: p LISTs (Read by the state's node_selector);
//   - destroy: p LISTs for the refresh before it, p for the plan Terraform
//     makes with the refreshed state before it plans the destroy (ModifyPlan
//     again), p for the writes' listing, and one write per node: a merge
//     patch, conditional on the node as listed, for both (labels that no
//     other manager owns; a node changed since the listing is released by
//     apply instead, one more write).
//
// Kwok's heartbeats go to nodes/status; the node lifecycle controller may
// patch a node's taints under load, so the writes may exceed one per node by
// a few.
func TestAccNodeLabelsAndTaintsFleet(t *testing.T) {
	testClusterKubeconfig(t)
	const fleet = "acc-fleet"
	addFleet(t, fleet, fleetSize)
	pages := (fleetSize + k8s.PageSize - 1) / k8s.PageSize
	for _, tt := range []struct {
		name   string
		config string
		write  string
		count  func() int
	}{
		{"labels", fleetLabelsConfig(fleet), "APPLY", func() int { n, _ := fleetState(t, fleet); return n }},
		{"taints", fleetTaintsConfig(fleet), "PATCH", func() int { _, n := fleetState(t, fleet); return n }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			want := map[string]map[string]int{
				"apply":   {"LIST": 3 * pages, tt.write: fleetSize},
				"refresh": {"LIST": pages},
				"destroy": {"LIST": 3 * pages, "PATCH": fleetSize},
			}
			wantOn := map[string]int{"apply": fleetSize, "refresh": fleetSize, "destroy": 0}
			phases := runFleet(t, tt.config, func(phase string) {
				if got := tt.count(); got != wantOn[phase] {
					t.Errorf("after %s: %d nodes carry the %s, want %d", phase, got, tt.name, wantOn[phase])
				}
			})
			for _, p := range phases {
				t.Logf("%s %s over %d nodes: %s, requests on nodes %v", tt.name, p.name, fleetSize, p.took.Round(time.Millisecond), p.requests)
				// The node lifecycle controller may patch a node's taints
				// when the loaded machine delays kwok's heartbeats: only
				// the lists are exact, and the writes at least one per node
				// and at most a few more.
				got := map[string]int{"LIST": p.requests["LIST"]}
				for _, verb := range []string{"APPLY", "PATCH"} {
					n := p.requests[verb]
					if verb == "APPLY" {
						// A release by merge patch that the API server
						// refused with 409 (the node changed since the
						// listing: a heartbeat, say) is released by apply
						// instead: one apply per refused patch, no more.
						n -= p.requests["PATCH:409"]
					}
					switch {
					case want[p.name][verb] == 0 && n <= 10:
						// a few fallbacks or lifecycle patches
					case n >= fleetSize && n <= fleetSize+10:
						got[verb] = want[p.name][verb]
					default:
						got[verb] = n
					}
				}
				if diff := cmp.Diff(want[p.name], got); diff != "" {
					t.Errorf("%s: requests on nodes (-want +got, all: %v):\n%s", p.name, p.requests, diff)
				}
			}
		})
	}
}

// benchFleetSizes are the node counts of the fleet benchmarks:
// KUBEDAEMON_BENCH_NODES (e.g. "1000,5000"), 300 by default.
func benchFleetSizes(b *testing.B) []int {
	var sizes []int
	for _, f := range strings.Split(os.Getenv("KUBEDAEMON_BENCH_NODES"), ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 {
			b.Fatalf("KUBEDAEMON_BENCH_NODES=%q: want node counts, e.g. 1000,5000", os.Getenv("KUBEDAEMON_BENCH_NODES"))
		}
		sizes = append(sizes, n)
	}
	if len(sizes) == 0 {
		sizes = []int{300}
	}
	return sizes
}

// benchFleet reports, for a resource over each fleet size, the seconds of
// `terraform apply`, of a refresh and of `terraform destroy`, and the
// requests on nodes the API server served in each (every client's: the
// provider's, and the few of the cluster's own controllers).
func benchFleet(b *testing.B, name string, config func(fleet string) string) {
	for _, size := range benchFleetSizes(b) {
		b.Run(fmt.Sprintf("nodes=%d", size), func(b *testing.B) {
			if testCluster == nil {
				b.Skip("the fleet benchmarks need TF_ACC=1 (TestMain starts the local cluster)")
			}
			fleet := fmt.Sprintf("bench-%s-%d", name, size)
			addFleet(b, fleet, size)
			sums := map[string]time.Duration{}
			reqs := map[string]int{}
			b.ResetTimer()
			for range b.N {
				for _, p := range runFleet(b, config(fleet), nil) {
					sums[p.name] += p.took
					for verb, n := range p.requests {
						if !strings.HasSuffix(verb, ":409") { // counted under its verb already
							reqs[p.name] += n
						}
					}
					b.Logf("%s %s over %d nodes: %s, requests on nodes by verb %v", name, p.name, size,
						p.took.Round(time.Millisecond), p.requests)
				}
			}
			for _, phase := range slices.Sorted(maps.Keys(sums)) {
				b.ReportMetric(sums[phase].Seconds()/float64(b.N), phase+"-s")
				b.ReportMetric(float64(reqs[phase])/float64(b.N), phase+"-req")
			}
		})
	}
}

// BenchmarkAccNodeLabels: a kubedaemon_node_labels resource whose
// node_selector matches every node of the fleet.
func BenchmarkAccNodeLabels(b *testing.B) {
	benchFleet(b, "labels", fleetLabelsConfig)
}

// BenchmarkAccNodeTaints: a kubedaemon_node_taints resource whose
// node_selector matches every node of the fleet.
func BenchmarkAccNodeTaints(b *testing.B) {
	benchFleet(b, "taints", fleetTaintsConfig)
}

// BenchmarkAccNodesData: a kubedaemon_nodes data source over every node of
// the fleet, with every node's facts and with names_only, through
// `terraform apply`: its seconds and the size of the state it leaves
// (names-only keeps one string per node; the full form keeps each node's
// labels, taints and capacity too).
func BenchmarkAccNodesData(b *testing.B) {
	for _, size := range benchFleetSizes(b) {
		b.Run(fmt.Sprintf("nodes=%d", size), func(b *testing.B) {
			if testCluster == nil {
				b.Skip("the fleet benchmarks need TF_ACC=1 (TestMain starts the local cluster)")
			}
			fleet := fmt.Sprintf("bench-nodes-%d", size)
			addFleet(b, fleet, size)
			b.ResetTimer()
			for _, namesOnly := range []bool{false, true} {
				form := map[bool]string{false: "full", true: "names"}[namesOnly]
				d := newTerraformDir(b, fmt.Sprintf(`
data "kubedaemon_nodes" "fleet" {
  selector   = "fleet=%s"
  names_only = %t
}
output "count" { value = length(data.kubedaemon_nodes.fleet.names) }
`, fleet, namesOnly))
				var took time.Duration
				var stateBytes int64
				for range b.N {
					began := time.Now()
					d.run("apply", "-auto-approve", "-input=false", "-lock=false", "-no-color")
					took += time.Since(began)
					st, err := os.Stat(filepath.Join(d.dir, "terraform.tfstate"))
					if err != nil {
						b.Fatal(err)
					}
					stateBytes = st.Size()
				}
				if got := strings.TrimSpace(string(d.run("output", "-raw", "count"))); got != strconv.Itoa(size) {
					b.Fatalf("%s: the data source read %s nodes, want %d", form, got, size)
				}
				b.Logf("kubedaemon_nodes (%s) over %d nodes: %s, state %d KiB", form, size, (took / time.Duration(b.N)).Round(time.Millisecond), stateBytes/1024)
				b.ReportMetric(took.Seconds()/float64(b.N), form+"-s")
				b.ReportMetric(float64(stateBytes)/1024, form+"-state-KiB")
			}
		})
	}
}
