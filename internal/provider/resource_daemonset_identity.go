package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// daemonSetIdentityResource is kubedaemon_daemonset with a resource identity
// (Terraform 1.12 and later, OpenTofu): Create, Read, Update and
// ImportState of the embedded resource, then the identity from the state's
// id; every other method is the embedded resource's.
//
// NOTE: the identity has hashicorp/kubernetes's shape and version (version
// 1: namespace, name, api_version, kind) on purpose. OpenTofu keeps the
// identity of the source resource on a resource a `moved` block brings over
// from another provider (tofu 1.12 copies the state object and passes only
// its attributes to MoveResourceState), then reads it with the target's
// identity schema: a target without identity, or with a lower version, fails
// with "Resource identity managed by newer provider version", and another
// shape would fail to decode.
type daemonSetIdentityResource struct {
	*daemonSetResource
}

var _ resource.ResourceWithIdentity = (*daemonSetIdentityResource)(nil)

// daemonSetIdentityVersion is the version of hashicorp/kubernetes's identity
// of kubernetes_daemon_set_v1, which kubedaemon_daemonset's must equal.
const daemonSetIdentityVersion = 1

func withIdentity(r *daemonSetResource) resource.Resource {
	return &daemonSetIdentityResource{daemonSetResource: r}
}

func (r *daemonSetIdentityResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Version: daemonSetIdentityVersion,
		Attributes: map[string]identityschema.Attribute{
			"namespace": identityschema.StringAttribute{
				OptionalForImport: true, Description: "Namespace of the DaemonSet; `default` when unset.",
			},
			"name": identityschema.StringAttribute{RequiredForImport: true, Description: "Name of the DaemonSet."},
			"api_version": identityschema.StringAttribute{
				OptionalForImport: true, Description: "`apps/v1`, as hashicorp/kubernetes records it.",
			},
			"kind": identityschema.StringAttribute{
				OptionalForImport: true, Description: "`DaemonSet`, as hashicorp/kubernetes records it.",
			},
		},
	}
}

func (r *daemonSetIdentityResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	r.daemonSetResource.Create(ctx, req, resp)
	setDaemonSetIdentity(ctx, resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *daemonSetIdentityResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	r.daemonSetResource.Read(ctx, req, resp)
	setDaemonSetIdentity(ctx, resp.State, resp.Identity, &resp.Diagnostics)
}

func (r *daemonSetIdentityResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	r.daemonSetResource.Update(ctx, req, resp)
	setDaemonSetIdentity(ctx, resp.State, resp.Identity, &resp.Diagnostics)
}

// ImportState imports `namespace/name`, or an identity (an import block's
// `identity`, Terraform 1.12 and later): its namespace and name.
func (r *daemonSetIdentityResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if req.ID == "" && req.Identity != nil {
		var ns, name types.String
		resp.Diagnostics.Append(req.Identity.GetAttribute(ctx, path.Root("namespace"), &ns)...)
		resp.Diagnostics.Append(req.Identity.GetAttribute(ctx, path.Root("name"), &name)...)
		if resp.Diagnostics.HasError() {
			return
		}
		req.ID = name.ValueString()
		if ns.ValueString() != "" {
			req.ID = ns.ValueString() + "/" + req.ID
		}
	}
	r.daemonSetResource.ImportState(ctx, req, resp)
	setDaemonSetIdentity(ctx, resp.State, resp.Identity, &resp.Diagnostics)
}

// setDaemonSetIdentity sets identity from the state's id; nothing when the
// client keeps no identity, the operation failed or removed the resource.
func setDaemonSetIdentity(ctx context.Context, state tfsdk.State, identity *tfsdk.ResourceIdentity, diags *diag.Diagnostics) {
	if identity == nil || diags.HasError() || state.Raw.IsNull() {
		return
	}
	var id types.String
	diags.Append(state.GetAttribute(ctx, path.Root("id"), &id)...)
	if diags.HasError() {
		return
	}
	ns, name, err := parseDaemonSetID(id.ValueString())
	if err != nil {
		diags.AddError("Invalid ID", fmt.Sprintf("kubedaemon_daemonset's id %q is not namespace/name: %s", id.ValueString(), err))
		return
	}
	for attr, v := range map[string]string{"namespace": ns, "name": name, "api_version": "apps/v1", "kind": "DaemonSet"} {
		diags.Append(identity.SetAttribute(ctx, path.Root(attr), v)...)
	}
}
