package provider

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Allowed values: each list feeds both a schema validator and the
// attribute's description. They are the only lists of their kind: the taint
// effects also serve kubedaemon_node_taints, the delete propagations
// kubedaemon_preset, and kubedaemon_placement takes
// the toleration and affinity blocks (so their lists) as they are.
var (
	imagePullPolicies          = []string{"Always", "IfNotPresent", "Never"}
	portProtocols              = []string{"TCP", "UDP", "SCTP"}
	tolerationOperators        = []string{"Equal", "Exists"}
	taintEffects               = []string{"NoSchedule", "PreferNoSchedule", "NoExecute"}
	mountPropagations          = []string{"None", "HostToContainer", "Bidirectional"}
	updateStrategyTypes        = []string{"RollingUpdate", "OnDelete"}
	deletePropagations         = []string{string(metav1.DeletePropagationForeground), string(metav1.DeletePropagationBackground), string(metav1.DeletePropagationOrphan)}
	dnsPolicies                = []string{"ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"}
	labelSelectorOperators     = []string{"In", "NotIn", "Exists", "DoesNotExist"}
	nodeSelectorOperators      = []string{"In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"}
	hostPathTypes              = []string{"DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice"}
	terminationMessagePolicies = []string{"File", "FallbackToLogsOnError"}
	seccompProfileTypes        = []string{"RuntimeDefault", "Unconfined", "Localhost"}
	httpSchemes                = []string{"HTTP", "HTTPS"}
)

// fieldKey names an attribute by its own name and the name of the block (or
// nested attribute) it is in: {"port", "protocol"} is the protocol of every
// port block. The conversions between the model and the API know both names
// as they walk an object.
type fieldKey struct{ parent, attr string }

func (k fieldKey) String() string { return k.parent + "." + k.attr }

// The attributes with a schema default (schemaDefaults).
var (
	defaultNamespaceKey      = fieldKey{"metadata", "namespace"}
	defaultHostNetworkKey    = fieldKey{"spec", "host_network"}
	defaultHostPIDKey        = fieldKey{"spec", "host_pid"}
	defaultHostIPCKey        = fieldKey{"spec", "host_ipc"}
	defaultReadOnlyKey       = fieldKey{"volume_mount", "read_only"}
	defaultPortProtocolKey   = fieldKey{"port", "protocol"}
	defaultUpdateStrategyKey = fieldKey{"update_strategy", "type"}
)

// schemaDefaults are the values of Optional+Computed attributes that
// Kubernetes drops when they are zero (plain `omitempty` fields such as
// hostNetwork) or that are list-map keys (a port's protocol). The schema uses
// them as defaults and the conversion from the API fills them in when the
// field is absent, so an explicit `host_network = false` never shows a diff.
var schemaDefaults = map[fieldKey]any{
	defaultNamespaceKey:      "default",
	defaultHostNetworkKey:    false,
	defaultHostPIDKey:        false,
	defaultHostIPCKey:        false,
	defaultReadOnlyKey:       false,
	defaultPortProtocolKey:   "TCP",
	defaultUpdateStrategyKey: "RollingUpdate",
}

func oneOf(values []string) string {
	return "One of `" + strings.Join(values, "`, `") + "`."
}

func optString(desc string, v ...validator.String) schema.StringAttribute {
	return schema.StringAttribute{Optional: true, MarkdownDescription: desc, Validators: v}
}

func reqString(desc string) schema.StringAttribute {
	return schema.StringAttribute{Required: true, MarkdownDescription: desc}
}

// schemaDefault is schemaDefaults[key] as a T. A missing or mistyped entry is
// a bug in this file that every schema test hits, hence the panic.
func schemaDefault[T any](key fieldKey) T {
	v, ok := schemaDefaults[key].(T)
	if !ok {
		panic(fmt.Sprintf("schemaDefaults[%s] = %#v is not a %T", key, schemaDefaults[key], v))
	}
	return v
}

func enumString(desc string, values []string) schema.StringAttribute {
	return optString(desc+" "+oneOf(values), stringvalidator.OneOf(values...))
}

func optInt(desc string) schema.Int64Attribute {
	return schema.Int64Attribute{Optional: true, MarkdownDescription: desc}
}

func optBool(desc string) schema.BoolAttribute {
	return schema.BoolAttribute{Optional: true, MarkdownDescription: desc}
}

// defaultBool is an Optional+Computed bool whose default is in schemaDefaults.
func defaultBool(key fieldKey, desc string) schema.BoolAttribute {
	v := schemaDefault[bool](key)
	return schema.BoolAttribute{Optional: true, Computed: true, Default: booldefault.StaticBool(v), MarkdownDescription: desc}
}

// defaultEnum is an Optional+Computed enum whose default is in schemaDefaults.
func defaultEnum(key fieldKey, desc string, values []string) schema.StringAttribute {
	v := schemaDefault[string](key)
	return schema.StringAttribute{
		Optional: true, Computed: true, Default: stringdefault.StaticString(v),
		MarkdownDescription: desc + " " + oneOf(values) + " Defaults to `" + v + "`.",
		Validators:          []validator.String{stringvalidator.OneOf(values...)},
	}
}

func strList(desc string) schema.ListAttribute {
	return schema.ListAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: desc}
}

func strMap(desc string) schema.MapAttribute {
	return schema.MapAttribute{Optional: true, ElementType: types.StringType, MarkdownDescription: desc}
}

// single is a block written at most once. GOTCHA: Terraform checks the
// Required attributes of a single nested block even when the block is
// absent, so they are made Optional here and required by a validator that
// runs only when the block is there.
func single(desc string, in map[string]schema.Attribute, blocks map[string]schema.Block) schema.SingleNestedBlock {
	var needed []path.Expression
	// A copy: callers share attribute maps between blocks (pod affinity terms
	// are both required and preferred terms), and relaxing Required here
	// must not leak into the other uses.
	attrs := maps.Clone(in)
	for name, a := range attrs {
		switch a := a.(type) {
		case schema.StringAttribute:
			if a.Required {
				a.Required, a.Optional = false, true
				attrs[name] = a
				needed = append(needed, path.MatchRelative().AtName(name))
			}
		case schema.Int64Attribute:
			if a.Required {
				a.Required, a.Optional = false, true
				attrs[name] = a
				needed = append(needed, path.MatchRelative().AtName(name))
			}
		}
	}
	b := schema.SingleNestedBlock{MarkdownDescription: desc, Attributes: attrs, Blocks: blocks}
	if len(needed) > 0 {
		sort.Slice(needed, func(i, j int) bool { return needed[i].String() < needed[j].String() })
		b.Validators = []validator.Object{objectvalidator.AlsoRequires(needed...)}
	}
	return b
}

// required marks a single block as mandatory: blocks cannot be Required in
// the framework, so a validator says so at plan time.
func required(b schema.SingleNestedBlock) schema.SingleNestedBlock {
	b.Validators = append(b.Validators, objectvalidator.IsRequired())
	return b
}

func list(desc string, attrs map[string]schema.Attribute, blocks map[string]schema.Block) schema.ListNestedBlock {
	return schema.ListNestedBlock{
		MarkdownDescription: desc,
		NestedObject:        schema.NestedBlockObject{Attributes: attrs, Blocks: blocks},
	}
}

// daemonSetSchemaV0 is the schema of kubedaemon_daemonset. It mirrors the
// Kubernetes API one to one, with the block and attribute names of
// hashicorp/kubernetes' kubernetes_daemon_set_v1, so that configurations
// move over with few edits and conversion follows the names (see
// daemonset_convert.go).
func daemonSetSchemaV0(ctx context.Context) schema.Schema {
	return schema.Schema{
		Version: 0,
		MarkdownDescription: "A node daemon: a Kubernetes DaemonSet applied with server-side apply. `terraform apply` " +
			"returns once the DaemonSet runs its current template on every node it should (or fails with the " +
			"nodes that are stuck and why), and `terraform plan` shows changes made behind Terraform's back to " +
			"the fields this resource sets. Fields Kubernetes defaults, and fields other managers own, cause no diff.",
		Attributes: withWaitAttributes(map[string]schema.Attribute{
			"id": schema.StringAttribute{
				Computed:            true,
				MarkdownDescription: "`namespace/name` of the DaemonSet.",
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"wait_for_rollout": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(true),
				MarkdownDescription: "Wait until every selected node runs an updated, available pod before the " +
					"apply returns. Defaults to `true`.",
			},
			"force_conflicts": schema.BoolAttribute{
				Optional: true, Computed: true, Default: booldefault.StaticBool(false),
				MarkdownDescription: "Take ownership of fields another field manager owns (server-side apply " +
					"`--force-conflicts`). Defaults to `false`: such conflicts fail the apply and name the manager.",
			},
			"delete_propagation": deletePropagationAttribute("How the DaemonSet's pods go on destroy"),
			"status": schema.SingleNestedAttribute{
				Computed:            true,
				MarkdownDescription: "The DaemonSet's counters, read after the apply and on every refresh.",
				PlanModifiers:       []planmodifier.Object{priorWhenSemanticallyUnchanged{}},
				Attributes: map[string]schema.Attribute{
					"desired":             schema.Int64Attribute{Computed: true, MarkdownDescription: "Nodes that should run a pod."},
					"current":             schema.Int64Attribute{Computed: true, MarkdownDescription: "Nodes that run at least one pod and should."},
					"ready":               schema.Int64Attribute{Computed: true, MarkdownDescription: "Nodes whose pod is ready."},
					"updated":             schema.Int64Attribute{Computed: true, MarkdownDescription: "Nodes that run a pod of the current template."},
					"available":           schema.Int64Attribute{Computed: true, MarkdownDescription: "Nodes whose pod has been ready for `min_ready_seconds`."},
					"misscheduled":        schema.Int64Attribute{Computed: true, MarkdownDescription: "Nodes that run a pod but should not."},
					"observed_generation": schema.Int64Attribute{Computed: true, MarkdownDescription: "Generation the controller last acted on."},
				},
			},
			"rollout_status": rolloutStatusAttribute(),
		}),
		Blocks: map[string]schema.Block{
			"metadata": required(daemonSetMetadataBlock()),
			"spec":     required(daemonSetSpecBlock()),
			"rollout":  rolloutBlock(),
			"timeouts": timeouts.Block(ctx, timeouts.Opts{Create: true, Update: true, Delete: true}),
		},
	}
}

func daemonSetMetadataBlock() schema.SingleNestedBlock {
	return single("The DaemonSet's metadata.", map[string]schema.Attribute{
		"name": schema.StringAttribute{
			Required:            true,
			MarkdownDescription: "Name of the DaemonSet, a DNS-1123 subdomain. Changing it replaces the DaemonSet.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
		"namespace": schema.StringAttribute{
			Optional: true, Computed: true, Default: stringdefault.StaticString(schemaDefault[string](defaultNamespaceKey)),
			MarkdownDescription: "Namespace of the DaemonSet. Defaults to `default`. Changing it replaces the DaemonSet.",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
		"labels":      strMap("Labels of the DaemonSet. Labels other tools add are ignored."),
		"annotations": strMap("Annotations of the DaemonSet. Annotations other tools (and the DaemonSet controller) add are ignored."),
		"uid": schema.StringAttribute{
			Computed: true, MarkdownDescription: "UID Kubernetes gave the DaemonSet.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"generation": schema.Int64Attribute{
			Computed: true, MarkdownDescription: "Generation of the DaemonSet's spec.",
			PlanModifiers: []planmodifier.Int64{priorWhenSemanticallyUnchanged{}},
		},
		"resource_version": schema.StringAttribute{
			Computed: true, MarkdownDescription: "Resource version last read.",
			PlanModifiers: []planmodifier.String{priorWhenSemanticallyUnchanged{}},
		},
	}, nil)
}

func daemonSetSpecBlock() schema.SingleNestedBlock {
	return single("The DaemonSet's spec.", map[string]schema.Attribute{
		"min_ready_seconds": optInt("Seconds a new pod must be ready, without crashing, to count as available."),
		"revision_history_limit": optInt("Old revisions (ControllerRevisions) kept for rollback. Kubernetes " +
			"defaults it to 10."),
	}, map[string]schema.Block{
		"selector":        required(selectorBlock()),
		"update_strategy": updateStrategyBlock(),
		"template":        required(podTemplateBlock()),
	})
}

// selectorBlock is the DaemonSet's label selector; Kubernetes forbids
// changing it, so a change replaces the DaemonSet.
func selectorBlock() schema.SingleNestedBlock {
	b := single("Label selector of the DaemonSet's pods. It must match `template.metadata.labels`. Kubernetes does "+
		"not allow changing it: a change replaces the DaemonSet (its pods are deleted and created again).",
		map[string]schema.Attribute{
			"match_labels": strMap("Labels a pod must have."),
		}, map[string]schema.Block{
			"match_expressions": labelSelectorRequirementBlock(),
		})
	b.PlanModifiers = []planmodifier.Object{requiresReplaceSelector{}}
	return b
}

func labelSelectorRequirementBlock() schema.ListNestedBlock {
	return list("Set-based requirements, all of which must hold.", map[string]schema.Attribute{
		"key":      reqString("Label key."),
		"operator": schema.StringAttribute{Required: true, MarkdownDescription: oneOf(labelSelectorOperators), Validators: []validator.String{stringvalidator.OneOf(labelSelectorOperators...)}},
		"values":   strList("Values for `In` and `NotIn`; empty for `Exists` and `DoesNotExist`."),
	}, nil)
}

func updateStrategyBlock() schema.SingleNestedBlock {
	return single("How pods are replaced when the template changes.", map[string]schema.Attribute{
		"type": defaultEnum(defaultUpdateStrategyKey, "`RollingUpdate` replaces pods node by node; `OnDelete` "+
			"replaces a pod only when you delete it.", updateStrategyTypes),
	}, map[string]schema.Block{
		"rolling_update": single("Pace of a rolling update.", map[string]schema.Attribute{
			"max_unavailable": optString("Nodes whose pod may be unavailable during the update: a number (`1`) or " +
				"a percent of the desired nodes (`25%`). Kubernetes defaults it to 1."),
			"max_surge": optString("Nodes that may run an old and a new pod at once: a number or a percent. " +
				"Not with `max_unavailable = 0` too, nor with `OnDelete`."),
		}, nil),
	})
}

// requiresReplaceSelector is RequiresReplace with a description that says
// why: the plan output and docs show it.
type requiresReplaceSelector struct{}

func (requiresReplaceSelector) Description(context.Context) string {
	return "Kubernetes does not allow changing a DaemonSet's selector (spec.selector is immutable), so a change " +
		"replaces the DaemonSet."
}

func (m requiresReplaceSelector) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

func (requiresReplaceSelector) PlanModifyObject(_ context.Context, req planmodifier.ObjectRequest, resp *planmodifier.ObjectResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	if !req.PlanValue.Equal(req.StateValue) {
		resp.RequiresReplace = true
	}
}
