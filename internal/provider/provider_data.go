package provider

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-log/tflog"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/rollout"
)

// providerData is what Configure hands to every resource and data source.
type providerData struct {
	clients *k8s.Clients
	// unknown lists provider attributes whose values were not known when
	// Terraform configured the provider.
	unknown []string
	// facts are the cluster's capabilities for rendering presets.
	facts factsCache
	// maxParallel bounds the node writes of one resource that run at once
	// (max_parallel); 0 means k8s.DefaultMaxParallel.
	maxParallel int
	// ignore is ignore_labels and ignore_annotations.
	ignore metadataIgnore

	// rollout is the apply/wait/delete client, built on first use and
	// shared by every resource of this configuration, with its discovery
	// cache (RESTMapper).
	rolloutOnce sync.Once
	rollout     *rollout.Client
	rolloutErr  error

	// noDryRun turns off the plan's server-side dry runs (server_dry_run =
	// false).
	noDryRun bool

	// noticed holds the keys of the warnings given once per plan (one
	// provider process serves one plan), whatever the resource.
	noticed sync.Map
}

// once reports whether key is seen for the first time in this process: a
// warning about the whole plan is given by the first resource that meets it.
func (d *providerData) once(key string) bool {
	if d == nil {
		return false
	}
	_, seen := d.noticed.LoadOrStore(key, true)
	return !seen
}

func newProviderData(c *k8s.Clients, unknown []string) *providerData {
	return &providerData{clients: c, unknown: unknown}
}

// eachNode is how a resource writes to many nodes: at most max_parallel at
// once, with a progress line such as "labels: 2400/5000 nodes" every few
// seconds (Terraform shows them with TF_LOG=INFO).
func (d *providerData) eachNode(ctx context.Context, what string) k8s.EachOptions {
	opts := k8s.EachOptions{
		Progress: func(done, total int) {
			tflog.Info(ctx, fmt.Sprintf("%s: %d/%d nodes", what, done, total))
		},
	}
	if d != nil {
		opts.Parallel = d.maxParallel
	}
	return opts
}

// KeepIgnoredMetadata reads the labels and annotations of live that match
// ignore_labels or ignore_annotations back with their values in prior (the
// API JSON of the prior state), so that changes by other tools are no drift.
func (d *providerData) KeepIgnoredMetadata(live *appsv1.DaemonSet, prior map[string]any) {
	if d != nil {
		d.ignore.keepIgnoredMetadata(live, prior)
	}
}

// FieldManager is the server-side apply field manager of the provider.
func (d *providerData) FieldManager() string {
	if d == nil || d.clients == nil {
		return k8s.DefaultFieldManager
	}
	return d.clients.FieldManager
}

// Clientset returns the clientset, or adds an error diagnostic and nil.
func (d *providerData) Clientset(diags *diag.Diagnostics) kubernetes.Interface {
	if !d.usable(diags) {
		return nil
	}
	cs, err := d.clients.Clientset()
	if err != nil {
		addConfigError(diags, err)
		return nil
	}
	return cs
}

// Metadata returns the client that reads objects' metadata alone, or adds
// an error diagnostic and nil.
func (d *providerData) Metadata(diags *diag.Diagnostics) metadata.Interface {
	if !d.usable(diags) {
		return nil
	}
	mc, err := d.clients.Metadata()
	if err != nil {
		addConfigError(diags, err)
		return nil
	}
	return mc
}

// Rollout returns the configuration's rollout client, or adds an error
// diagnostic and nil. It is built once: its RESTMapper discovers the API on
// first use and keeps what it found for every later call.
func (d *providerData) Rollout(diags *diag.Diagnostics) *rollout.Client {
	cfg := d.REST(diags)
	if cfg == nil {
		return nil
	}
	d.rolloutOnce.Do(func() {
		d.rollout, d.rolloutErr = rollout.NewClient(cfg, d.FieldManager())
	})
	if d.rolloutErr != nil {
		diags.AddError("Cannot Build Kubernetes Client", d.rolloutErr.Error())
		return nil
	}
	return d.rollout
}

// REST returns the REST config, or adds an error diagnostic and nil.
func (d *providerData) REST(diags *diag.Diagnostics) *rest.Config {
	if !d.usable(diags) {
		return nil
	}
	cfg, err := d.clients.REST()
	if err != nil {
		addConfigError(diags, err)
		return nil
	}
	return cfg
}

func (d *providerData) usable(diags *diag.Diagnostics) bool {
	switch {
	case d == nil:
		diags.AddError("Provider Not Configured",
			"The kubedaemon provider was not configured before it was used. This is a bug in the provider; please report it.")
		return false
	case len(d.unknown) > 0:
		diags.AddError("Provider Configuration Not Yet Known",
			fmt.Sprintf("The provider's %s depend on values known only after apply (for example a cluster "+
				"created in the same configuration), so it cannot reach the cluster yet. Apply the resources "+
				"that create the cluster first (terraform apply -target=...), or use values known at plan time.",
				strings.Join(d.unknown, ", ")))
		return false
	}
	return true
}

// addConfigError turns a connection error into a diagnostic on the provider
// attribute at fault.
func addConfigError(diags *diag.Diagnostics, err error) {
	ce, ok := k8s.IsConfigError(err)
	if !ok {
		diags.AddError("Cannot Build Kubernetes Client", err.Error())
		return
	}
	summary := ce.Summary
	if summary == "" {
		summary = "Invalid Provider Configuration"
	}
	if ce.Attribute != "" && ce.Env == "" {
		diags.AddAttributeError(path.Root(ce.Attribute), summary, ce.Error())
		return
	}
	diags.AddError(summary, ce.Error())
}

// providerDataFrom is the shared Configure of resources and data sources.
func providerDataFrom(data any, diags *diag.Diagnostics) *providerData {
	if data == nil {
		// Terraform calls Configure before the provider is configured, e.g.
		// during validation: nothing to do yet.
		return nil
	}
	d, ok := data.(*providerData)
	if !ok {
		diags.AddError("Unexpected Provider Data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", data))
		return nil
	}
	return d
}
