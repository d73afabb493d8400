package provider

import (
	"context"
	"fmt"
	"os"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"
)

var _ provider.Provider = (*kubedaemonProvider)(nil)

type kubedaemonProvider struct {
	version string
}

// New returns the provider factory that providerserver.Serve and the
// acceptance tests use.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &kubedaemonProvider{version: version}
	}
}

type kubedaemonProviderModel struct {
	ConfigPath            types.String       `tfsdk:"config_path"`
	ConfigPaths           types.List         `tfsdk:"config_paths"`
	ConfigContext         types.String       `tfsdk:"config_context"`
	ConfigContextAuthInfo types.String       `tfsdk:"config_context_auth_info"`
	ConfigContextCluster  types.String       `tfsdk:"config_context_cluster"`
	Host                  types.String       `tfsdk:"host"`
	Token                 types.String       `tfsdk:"token"`
	Username              types.String       `tfsdk:"username"`
	Password              types.String       `tfsdk:"password"`
	ClientCertificate     types.String       `tfsdk:"client_certificate"`
	ClientKey             types.String       `tfsdk:"client_key"`
	ClusterCACertificate  types.String       `tfsdk:"cluster_ca_certificate"`
	Insecure              types.Bool         `tfsdk:"insecure"`
	TLSServerName         types.String       `tfsdk:"tls_server_name"`
	ProxyURL              types.String       `tfsdk:"proxy_url"`
	FieldManager          types.String       `tfsdk:"field_manager"`
	QPS                   types.Int64        `tfsdk:"qps"`
	Burst                 types.Int64        `tfsdk:"burst"`
	MaxParallel           types.Int64        `tfsdk:"max_parallel"`
	ServerDryRun          types.Bool         `tfsdk:"server_dry_run"`
	IgnoreLabels          types.List         `tfsdk:"ignore_labels"`
	IgnoreAnnotations     types.List         `tfsdk:"ignore_annotations"`
	Exec                  []execModel        `tfsdk:"exec"`
	Experiments           []experimentsModel `tfsdk:"experiments"`
}

// experimentsModel is hashicorp/kubernetes's experiments block, accepted so
// that its provider block can be pasted; it switches nothing on here.
type experimentsModel struct {
	ManifestResource types.Bool `tfsdk:"manifest_resource"`
}

type execModel struct {
	APIVersion types.String `tfsdk:"api_version"`
	Command    types.String `tfsdk:"command"`
	Args       types.List   `tfsdk:"args"`
	Env        types.Map    `tfsdk:"env"`
}

func (p *kubedaemonProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "kubedaemon"
	resp.Version = p.version
}

func envNote(attr string) string {
	return " Falls back to the `" + k8s.EnvVar(attr) + "` environment variable."
}

func (p *kubedaemonProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	str := func(attr, desc string, sensitive bool) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, Sensitive: sensitive, MarkdownDescription: desc + envNote(attr)}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "The kubedaemon provider runs node-level daemons (DaemonSets) on Kubernetes, " +
			"manages node labels and taints without clobbering other owners, and renders ready presets " +
			"(fluent-bit, fluentd, node-exporter, a CSI node driver, node-problem-detector, an OpenTelemetry Collector " +
			"agent). It takes every argument of the " +
			"hashicorp/kubernetes provider block, with the same names and `KUBE_*` environment variables: the " +
			"connection settings, `username`/`password`, `exec`, `ignore_labels` and `ignore_annotations`; " +
			"`experiments` is accepted with a warning and has no effect. An existing `provider \"kubernetes\"` " +
			"block therefore works when renamed to `provider \"kubedaemon\"`. The client is built on first use: `terraform validate` and plans whose cluster does " +
			"not exist yet work. With no connection setting at all, a provider that runs in a pod uses the " +
			"pod's service account (in-cluster configuration), as hashicorp/kubernetes does.",
		Attributes: map[string]schema.Attribute{
			"config_path": str("config_path", "Path to a kubeconfig file, e.g. `~/.kube/config`.", false),
			"config_paths": schema.ListAttribute{
				ElementType: types.StringType, Optional: true,
				MarkdownDescription: "Kubeconfig files merged in order, as `KUBECONFIG` does for kubectl." +
					" Falls back to `KUBE_CONFIG_PATHS` (a list separated by the OS path separator).",
				Validators: []validator.List{
					listvalidator.ConflictsWith(path.MatchRoot("config_path")),
					listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1)),
				},
			},
			"config_context":           str("config_context", "Context of the kubeconfig to use instead of its current context.", false),
			"config_context_auth_info": str("config_context_auth_info", "User of the kubeconfig to use instead of the context's.", false),
			"config_context_cluster":   str("config_context_cluster", "Cluster of the kubeconfig to use instead of the context's.", false),
			"host":                     str("host", "API server address, e.g. `https://127.0.0.1:6443`.", false),
			"token":                    str("token", "Bearer token.", true),
			"username":                 str("username", "User name for HTTP basic authentication.", false),
			"password":                 str("password", "Password for HTTP basic authentication.", true),
			"client_certificate":       str("client_certificate", "PEM-encoded client certificate for TLS authentication.", false),
			"client_key":               str("client_key", "PEM-encoded client certificate key.", true),
			"cluster_ca_certificate":   str("cluster_ca_certificate", "PEM-encoded root certificate of the API server.", false),
			"insecure": schema.BoolAttribute{
				Optional:            true,
				MarkdownDescription: "Skip verification of the API server's certificate (not for production)." + envNote("insecure"),
			},
			"tls_server_name": str("tls_server_name", "Server name to verify the API server's certificate against.", false),
			"proxy_url":       str("proxy_url", "URL of the proxy to reach the cluster through.", false),
			"field_manager": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Server-side apply field manager of the provider's writes. Defaults to `" +
					k8s.DefaultFieldManager + "`.",
				Validators: []validator.String{stringvalidator.LengthBetween(1, 128)},
			},
			"qps": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("Requests per second to the API server, shared by every resource "+
					"and data source of this provider. Defaults to %d. The API server's own priority and "+
					"fairness settings protect it from a client that asks too much: it queues or throttles the "+
					"requests (client-go retries those).", k8s.DefaultQPS),
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"burst": schema.Int64Attribute{
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("Request burst to the API server above `qps`. Defaults to %d.", k8s.DefaultBurst),
				Validators:          []validator.Int64{int64validator.AtLeast(1)},
			},
			"max_parallel": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: fmt.Sprintf("How many nodes one kubedaemon_node_labels or kubedaemon_node_taints "+
					"writes to at once. Defaults to %d. The writes are paced by `qps` and `burst`; this bounds the "+
					"requests in flight (lower it for a slow API server).", k8s.DefaultMaxParallel),
				Validators: []validator.Int64{int64validator.AtLeast(1)},
			},
			"server_dry_run": schema.BoolAttribute{
				Optional: true,
				MarkdownDescription: "Whether `terraform plan` sends each DaemonSet and preset object it creates or " +
					"changes to the API server as a server-side apply with `dryRun=All` (one request per object), so " +
					"that Kubernetes' validation, defaults and admission policies (pod security, " +
					"ValidatingAdmissionPolicy, webhooks) fail the plan, on the attribute at fault, instead of the " +
					"apply. Defaults to `true`. Set `false` where the credentials that plan may not write; the " +
					"provider's own checks still run, and the server's run at apply.",
			},
			"ignore_labels":      ignoreMetadataAttribute("labels"),
			"ignore_annotations": ignoreMetadataAttribute("annotations"),
		},
		Blocks: map[string]schema.Block{
			"experiments": schema.ListNestedBlock{
				MarkdownDescription: "Accepted for compatibility with the hashicorp/kubernetes provider block, and " +
					"ignored: kubedaemon has no experimental features. A configuration that sets it gets a warning.",
				Validators: []validator.List{listvalidator.SizeAtMost(1)},
				NestedObject: schema.NestedBlockObject{
					Attributes: map[string]schema.Attribute{
						"manifest_resource": schema.BoolAttribute{
							Optional: true,
							MarkdownDescription: "Accepted and ignored (hashicorp/kubernetes's switch for " +
								"`kubernetes_manifest`, which kubedaemon does not have).",
						},
					},
				},
			},
			"exec": schema.ListNestedBlock{
				MarkdownDescription: "Obtain credentials by running a command (a client-go credential plugin), " +
					"e.g. `aws eks get-token`.",
				Validators: []validator.List{listvalidator.SizeAtMost(1)},
				NestedObject: schema.NestedBlockObject{
					Attributes: map[string]schema.Attribute{
						"api_version": schema.StringAttribute{
							Required:            true,
							MarkdownDescription: "API version of the ExecCredential, e.g. `client.authentication.k8s.io/v1beta1`.",
						},
						"command": schema.StringAttribute{Required: true, MarkdownDescription: "Command to run."},
						"args": schema.ListAttribute{
							ElementType: types.StringType, Optional: true, MarkdownDescription: "Arguments of the command.",
						},
						"env": schema.MapAttribute{
							ElementType: types.StringType, Optional: true, MarkdownDescription: "Environment of the command.",
						},
					},
				},
			},
		},
	}
}

func (p *kubedaemonProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m kubedaemonProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if len(m.Experiments) > 0 {
		resp.Diagnostics.AddAttributeWarning(path.Root("experiments"), "Experiments Have No Effect",
			"The experiments block is accepted so that a hashicorp/kubernetes provider block works unchanged, "+
				"but kubedaemon has no experimental features: it changes nothing. Remove the block to silence "+
				"this warning.")
	}
	ignore, diags := m.ignoreRules(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	cfg, unknown := m.toConfig(ctx)
	if len(unknown) > 0 {
		// A cluster created in the same apply: the settings are known only
		// later, and Terraform configures the provider again then.
		tflog.Debug(ctx, "provider configuration has unknown values; the client is built once they are known",
			map[string]any{"unknown": unknown})
		data := newProviderData(nil, unknown)
		data.ignore = ignore
		resp.DataSourceData = data
		resp.ResourceData = data
		return
	}
	cfg, err := cfg.WithEnv(os.LookupEnv)
	if err != nil {
		addConfigError(&resp.Diagnostics, err)
		return
	}
	data := newProviderData(k8s.NewClients(cfg, m.FieldManager.ValueString()), nil)
	data.maxParallel = int(m.MaxParallel.ValueInt64())
	data.noDryRun = !m.ServerDryRun.IsNull() && !m.ServerDryRun.ValueBool()
	data.ignore = ignore
	resp.DataSourceData = data
	resp.ResourceData = data
}

// toConfig converts the model; it returns the names of attributes whose value
// is not known yet.
func (m kubedaemonProviderModel) toConfig(ctx context.Context) (k8s.Config, []string) {
	var unknown []string
	s := func(name string, v types.String) string {
		if v.IsUnknown() {
			unknown = append(unknown, name)
		}
		return v.ValueString()
	}
	cfg := k8s.Config{
		ConfigPath:            s("config_path", m.ConfigPath),
		ConfigContext:         s("config_context", m.ConfigContext),
		ConfigContextAuthInfo: s("config_context_auth_info", m.ConfigContextAuthInfo),
		ConfigContextCluster:  s("config_context_cluster", m.ConfigContextCluster),
		Host:                  s("host", m.Host),
		Token:                 s("token", m.Token),
		Username:              s("username", m.Username),
		Password:              s("password", m.Password),
		ClientCertificate:     s("client_certificate", m.ClientCertificate),
		ClientKey:             s("client_key", m.ClientKey),
		ClusterCACertificate:  s("cluster_ca_certificate", m.ClusterCACertificate),
		TLSServerName:         s("tls_server_name", m.TLSServerName),
		ProxyURL:              s("proxy_url", m.ProxyURL),
		QPS:                   float32(m.QPS.ValueInt64()),
		Burst:                 int(m.Burst.ValueInt64()),
	}
	if m.ConfigPaths.IsUnknown() {
		unknown = append(unknown, "config_paths")
	} else {
		_ = m.ConfigPaths.ElementsAs(ctx, &cfg.ConfigPaths, false)
	}
	if m.Insecure.IsUnknown() {
		unknown = append(unknown, "insecure")
	} else if !m.Insecure.IsNull() {
		b := m.Insecure.ValueBool()
		cfg.Insecure = &b
	}
	if len(m.Exec) == 1 {
		e := m.Exec[0]
		cfg.Exec = &k8s.ExecConfig{APIVersion: s("exec.api_version", e.APIVersion), Command: s("exec.command", e.Command)}
		if e.Args.IsUnknown() || e.Env.IsUnknown() {
			unknown = append(unknown, "exec")
		} else {
			_ = e.Args.ElementsAs(ctx, &cfg.Exec.Args, false)
			_ = e.Env.ElementsAs(ctx, &cfg.Exec.Env, false)
		}
	}
	return cfg, unknown
}

func (p *kubedaemonProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewNodeLabelsResource,
		NewDaemonSetResource,
		NewNodeTaintsResource,
		NewPresetResource,
	}
}

func (p *kubedaemonProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewNodesDataSource,
		NewPlacementDataSource,
		NewPresetDataSource,
	}
}
