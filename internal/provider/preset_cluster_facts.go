package provider

import (
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/render"
)

// clusterFacts is what a render learns from the cluster, as helm install
// learns it: the server's version and the API versions it serves
// (.Capabilities), which kinds are namespaced, and where lookup reads.
type clusterFacts struct {
	kubeVersion string
	apiVersions []string
	// namespaced holds every kind discovery lists, true when namespaced.
	namespaced map[schema.GroupVersionKind]bool
	rest       *rest.Config
}

// factsCache reads the cluster's facts once per provider process: one plan
// or one apply.
type factsCache struct {
	once  sync.Once
	facts *clusterFacts
	err   error
}

// clusterFacts returns the cluster's facts, read once. It returns nil
// without a diagnostic when the provider's configuration is not known yet
// (the render then uses Helm's client-only defaults, as helm template), and
// nil with an error when the cluster cannot be read.
func (d *providerData) clusterFacts(diags *diag.Diagnostics) *clusterFacts {
	if d == nil || len(d.unknown) > 0 {
		return nil
	}
	d.facts.once.Do(func() {
		var cfgDiags diag.Diagnostics
		cfg := d.REST(&cfgDiags)
		if cfg == nil {
			d.facts.err = fmt.Errorf("%s", cfgDiags.Errors()[0].Detail())
			return
		}
		d.facts.facts, d.facts.err = readClusterFacts(cfg)
	})
	if d.facts.err != nil {
		diags.AddAttributeError(pathPreset, "Cannot Read Cluster Capabilities",
			fmt.Sprintf("kubedaemon renders the chart with the cluster's version and API versions "+
				"(.Capabilities), as helm install does, and could not read them. Check that the provider can "+
				"reach the cluster, then plan again.\n\nOriginal Error: %s", d.facts.err))
		return nil
	}
	return d.facts.facts
}

// readClusterFacts asks discovery for the server version and every served
// group/version and kind.
func readClusterFacts(cfg *rest.Config) (*clusterFacts, error) {
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("build discovery client: %w", err)
	}
	v, err := dc.ServerVersion()
	if err != nil {
		return nil, fmt.Errorf("read server version: %w", err)
	}
	_, lists, err := dc.ServerGroupsAndResources()
	if err != nil && !discovery.IsGroupDiscoveryFailedError(err) {
		return nil, fmt.Errorf("discover API versions: %w", err)
	}
	f := &clusterFacts{kubeVersion: v.GitVersion, namespaced: map[schema.GroupVersionKind]bool{}, rest: cfg}
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		// As Helm's GetVersionSet: "group/version" and "group/version/Kind".
		f.apiVersions = append(f.apiVersions, l.GroupVersion)
		for _, r := range l.APIResources {
			if r.Kind == "" || strings.Contains(r.Name, "/") {
				continue
			}
			f.apiVersions = append(f.apiVersions, l.GroupVersion+"/"+r.Kind)
			f.namespaced[gv.WithKind(r.Kind)] = r.Namespaced
		}
	}
	return f, nil
}

// applyTo points a render request at the cluster: its version, its API
// versions, its kinds' scopes, and lookup against it (read-only).
func (f *clusterFacts) applyTo(req *render.Request) {
	if f == nil {
		return
	}
	req.KubeVersion = f.kubeVersion
	req.ClusterAPIVersions = f.apiVersions
	req.Cluster = f.rest
	req.Scope = f.scope
}

// scope says whether the cluster serves a kind and whether it is namespaced.
func (f *clusterFacts) scope(gvk schema.GroupVersionKind) (bool, error) {
	ns, ok := f.namespaced[gvk]
	if !ok {
		return false, fmt.Errorf("kind %s (apiVersion %s) is not served by the cluster: install the "+
			"CustomResourceDefinition that defines it (group %q) first, e.g. with the operator that owns it or "+
			"in the chart's crds/ folder, then plan again", gvk.Kind, gvk.GroupVersion(), gvk.Group)
	}
	return ns, nil
}
