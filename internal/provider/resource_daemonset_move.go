package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8stypes "k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/util/csaupgrade"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/convert"
)

var _ resource.ResourceWithMoveState = (*daemonSetResource)(nil)

// The provider whose resources a `moved` block may bring to kubedaemon's.
// The registry host is left out of the comparison (a mirror may serve it
// under another), as the framework recommends.
const kubernetesProviderAddress = "hashicorp/kubernetes"

// movedFromKey is the private state key that marks a resource moved from
// hashicorp/kubernetes, whose fields its field managers still own.
const movedFromKey = "moved_from"

func fromKubernetesProvider(address string) bool {
	return address == kubernetesProviderAddress || strings.HasSuffix(address, "/"+kubernetesProviderAddress)
}

// MoveState takes over a kubernetes_daemon_set_v1 or kubernetes_daemonset
// (hashicorp/kubernetes, schema versions 0 and 1) with a `moved` block
// (Terraform 1.8 and later).
func (r *daemonSetResource) MoveState(context.Context) []resource.StateMover {
	return []resource.StateMover{{StateMover: moveDaemonSetState}}
}

func moveDaemonSetState(ctx context.Context, req resource.MoveStateRequest, resp *resource.MoveStateResponse) {
	if !fromKubernetesProvider(req.SourceProviderAddress) ||
		(req.SourceTypeName != "kubernetes_daemon_set_v1" && req.SourceTypeName != "kubernetes_daemonset") {
		return // not ours: the framework says no mover took it
	}
	if req.SourceSchemaVersion > 1 {
		resp.Diagnostics.AddError("Unsupported Source Schema Version",
			fmt.Sprintf("%s has schema version %d in this state; kubedaemon_daemonset moves versions 0 and 1 "+
				"(hashicorp/kubernetes up to v3). Please report the provider version that wrote it.",
				req.SourceTypeName, req.SourceSchemaVersion))
		return
	}
	raw, err := rawStateObject(req)
	if err != nil {
		resp.Diagnostics.AddError("Cannot Read Source State", err.Error())
		return
	}
	s := daemonSetSchemaV0(ctx)
	conv := &movedConverter{}
	meta := conv.object(raw["metadata"], s.Blocks["metadata"].Type(), "metadata", "metadata")
	spec := conv.object(raw["spec"], s.Blocks["spec"].Type(), "spec", "spec")
	if len(conv.unsupported) > 0 {
		sort.Strings(conv.unsupported)
		resp.Diagnostics.AddError("Attributes Without Counterpart",
			fmt.Sprintf("The %s in the state sets attributes kubedaemon_daemonset does not have: %s. Kubernetes has "+
				"no such field in a DaemonSet (hashicorp/kubernetes shares these blocks with other resources). "+
				"Remove them from the hashicorp/kubernetes configuration and apply it, then move again.",
				req.SourceTypeName, strings.Join(conv.unsupported, ", ")))
		return
	}
	metaVal, err := jsonToModel(meta, s.Blocks["metadata"].Type(), "metadata")
	if err == nil {
		var specVal attr.Value
		specVal, err = jsonToModel(spec, s.Blocks["spec"].Type(), "spec")
		if err == nil {
			setSchemaDefaults(ctx, s, &resp.TargetState, &resp.Diagnostics)
			set := func(p path.Path, v any) { resp.Diagnostics.Append(resp.TargetState.SetAttribute(ctx, p, v)...) }
			set(path.Root("id"), fmt.Sprint(raw["id"]))
			set(path.Root("metadata"), metaVal)
			set(path.Root("spec"), specVal)
			if w, ok := raw["wait_for_rollout"].(bool); ok {
				set(path.Root("wait_for_rollout"), w)
			}
			if t, ok := raw["timeouts"].(map[string]any); ok {
				for _, op := range []string{"create", "update", "delete"} {
					if v, ok := t[op].(string); ok && v != "" {
						set(path.Root("timeouts").AtName(op), v)
					}
				}
			}
		}
	}
	if err != nil {
		resp.Diagnostics.AddError("Cannot Move DaemonSet State", fmt.Sprintf("convert the %s state: %s", req.SourceTypeName, err))
		return
	}
	resp.Diagnostics.Append(resp.TargetPrivate.SetKey(ctx, movedFromKey, []byte(`"`+kubernetesProviderAddress+`"`))...)
	// Terraform 1.12 and later take the target's identity from the move.
	setDaemonSetIdentity(ctx, resp.TargetState, resp.TargetIdentity, &resp.Diagnostics)
}

// The values hashicorp/kubernetes records that kubedaemon leaves out are
// convert.Default's: the move leaves them out of the state, and `kubedaemon
// convert` out of the configuration. The zero value ("", 0, false, empty) of
// every other attribute is left out too.

// rawStateObject decodes the source state's JSON, numbers as json.Number.
func rawStateObject(req resource.MoveStateRequest) (map[string]any, error) {
	if req.SourceRawState == nil || len(req.SourceRawState.JSON) == 0 {
		return nil, fmt.Errorf("the %s state has no JSON (a state written by Terraform before 0.12 cannot be moved)", req.SourceTypeName)
	}
	d := json.NewDecoder(bytes.NewReader(req.SourceRawState.JSON))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("decode the %s state: %w", req.SourceTypeName, err)
	}
	return m, nil
}

// movedRenames are the blocks whose hashicorp/kubernetes name differs from
// kubedaemon's.
var movedRenames = map[string]string{"strategy": "update_strategy"}

// movedConverter turns a hashicorp/kubernetes state (SDKv2 JSON: every block
// a list, every attribute present) into the API JSON of kubedaemon's model,
// recording the paths of set attributes kubedaemon has no counterpart for.
type movedConverter struct {
	unsupported []string
}

// object converts the block named name (at path at) to type t; nil when it
// is absent or holds only defaults.
func (c *movedConverter) object(v any, t attr.Type, name, at string) any {
	if l, ok := v.([]any); ok {
		// SDKv2 writes a block as a list of at most one object.
		if len(l) == 0 {
			return nil
		}
		v = l[0]
	}
	m, ok := v.(map[string]any)
	ot, isObj := t.(basetypes.ObjectType)
	if !ok || !isObj {
		return nil
	}
	out := map[string]any{}
	for k, sub := range m {
		tk := k
		if r, ok := movedRenames[k]; ok {
			tk = r
		}
		subType, ok := ot.AttrTypes[tk]
		if !ok {
			if !zeroValue(sub) {
				c.unsupported = append(c.unsupported, at+"."+k)
			}
			continue
		}
		j := c.value(sub, subType, name, tk, at+"."+k)
		if j == nil {
			continue
		}
		_, isList := subType.(basetypes.ListType)
		out[jsonName(tk, isList)] = j
	}
	if name == "container" || name == "init_container" {
		dropDefaultPullPolicy(out)
	}
	if len(out) == 0 && !selectsAllWhenEmpty[name] {
		return nil
	}
	return out
}

// selectsAllWhenEmpty are the blocks whose presence matters even when they
// set nothing: an empty label selector of a pod affinity term matches every
// pod, an empty namespace selector every namespace, while an absent one
// matches none or this pod's namespace. hashicorp/kubernetes sends an empty
// block as {} and records it as one object of empty values.
var selectsAllWhenEmpty = map[string]bool{"label_selector": true, "namespace_selector": true}

// value converts attribute or block name of parent to type t.
func (c *movedConverter) value(v any, t attr.Type, parent, name, at string) any {
	def, hasDefault := convert.Default(parent, name)
	if hasDefault {
		if n, ok := c.scalar(v, t, name); ok && n == def {
			return nil
		}
	}
	switch t := t.(type) {
	case basetypes.ObjectType:
		return c.object(v, t, name, at)
	case basetypes.ListType:
		l, ok := v.([]any)
		if !ok || len(l) == 0 {
			return nil
		}
		out := make([]any, 0, len(l))
		for i, e := range l {
			if ot, ok := t.ElemType.(basetypes.ObjectType); ok {
				if j := c.object(e, ot, name, fmt.Sprintf("%s[%d]", at, i)); j != nil {
					out = append(out, j)
				} else {
					out = append(out, map[string]any{})
				}
				continue
			}
			if n, ok := c.scalar(e, t.ElemType, name); ok {
				out = append(out, n)
			}
		}
		return out
	case basetypes.MapType:
		m, ok := v.(map[string]any)
		if !ok {
			// Schema version 0 wrote resources.requests and limits as a
			// block of cpu and memory.
			m = resourcesV0(v)
		}
		if len(m) == 0 {
			return nil
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			if s, ok := e.(string); ok && s != "" {
				out[k] = s
			}
		}
		return out
	}
	n, ok := c.scalar(v, t, name)
	if !ok {
		if !zeroValue(v) {
			c.unsupported = append(c.unsupported, at)
		}
		return nil
	}
	// Where hashicorp/kubernetes's default is not the zero value, a zero was
	// configured and stays.
	if !hasDefault && zeroValue(n) {
		return nil
	}
	return n
}

// scalar converts a state value to t's Go form (string, int64, bool).
func (c *movedConverter) scalar(v any, t attr.Type, name string) (any, bool) {
	switch t.(type) {
	case basetypes.Int64Type:
		switch v := v.(type) {
		case json.Number:
			n, err := v.Int64()
			return n, err == nil
		case string:
			// hashicorp/kubernetes keeps user and group IDs as decimal
			// strings, and file modes as octal ones ("0644").
			if v == "" {
				return int64(0), true
			}
			base := 10
			if convert.IsOctal(name) {
				base = 8
			}
			n, err := strconv.ParseInt(v, base, 64)
			return n, err == nil
		}
	case basetypes.BoolType:
		b, ok := v.(bool)
		return b, ok
	}
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return nil, false
}

// resourcesV0 reads schema version 0's `requests { cpu memory }` block.
func resourcesV0(v any) map[string]any {
	l, ok := v.([]any)
	if !ok || len(l) == 0 {
		return nil
	}
	m, _ := l[0].(map[string]any)
	return m
}

func zeroValue(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case bool:
		return !v
	case int64:
		return v == 0
	case json.Number:
		return v.String() == "0"
	case []any:
		for _, e := range v {
			if !zeroValue(e) {
				return false
			}
		}
		return true
	case map[string]any:
		for _, e := range v {
			if !zeroValue(e) {
				return false
			}
		}
		return true
	}
	return false
}

// dropDefaultPullPolicy leaves out the image pull policy Kubernetes would
// give the container's image anyway: Always for `latest` or no tag,
// IfNotPresent otherwise.
func dropDefaultPullPolicy(c map[string]any) {
	image, _ := c["image"].(string)
	policy, _ := c["imagePullPolicy"].(string)
	if policy != "" && policy == convert.DefaultPullPolicy(image) {
		delete(c, "imagePullPolicy")
	}
}

// movedManagers are the field managers of hashicorp/kubernetes: its typed
// resources write with Update as "HashiCorp" (the first word of its
// User-Agent), its server-side applies as "Terraform" (its field_manager
// default).
var movedManagers = sets.New("HashiCorp", "Terraform")

// privateGetter and privateSetter are the private state of a request and
// a response.
type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}

// AdoptMovedFields is what the first update after a `moved` block from
// hashicorp/kubernetes does before it applies: it hands the fields that
// hashicorp/kubernetes's field managers own to kubedaemon's, the way
// `kubectl apply --server-side` upgrades objects that client-side apply
// managed (client-go's csaupgrade), so that the apply changes them without
// a conflict. The mark the move left in the private state is removed then.
func (r *daemonSetResource) AdoptMovedFields(ctx context.Context, prior privateGetter, next privateSetter, plan *daemonSetResourceModel, diags *diag.Diagnostics) {
	mark, d := prior.GetKey(ctx, movedFromKey)
	diags.Append(d...)
	if len(mark) == 0 || diags.HasError() {
		return
	}
	ns, name, err := parseDaemonSetID(plan.ID.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("id"), "Invalid ID", err.Error())
		return
	}
	cs := r.data.Clientset(diags)
	if cs == nil {
		return
	}
	dss := cs.AppsV1().DaemonSets(ns)
	live, err := dss.Get(ctx, name, metav1.GetOptions{})
	if err == nil {
		var patch []byte
		patch, err = csaupgrade.UpgradeManagedFieldsPatch(live, movedManagers, r.data.FieldManager())
		if err == nil && patch != nil {
			_, err = dss.Patch(ctx, name, k8stypes.JSONPatchType, patch, metav1.PatchOptions{})
		}
	}
	if err != nil && !apierrors.IsNotFound(err) {
		diags.AddError("Cannot Take Over Fields", fmt.Sprintf("The DaemonSet %s/%s came from hashicorp/kubernetes "+
			"with a moved block; handing the fields its managers (%s) own to %q failed. Apply again, or set "+
			"force_conflicts = true once.\n\nOriginal Error: %s", ns, name, strings.Join(sets.List(movedManagers), ", "),
			r.data.FieldManager(), err))
		return
	}
	diags.Append(next.SetKey(ctx, movedFromKey, nil)...)
}
