package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	appsv1ac "k8s.io/client-go/applyconfigurations/apps/v1"
)

// The schema mirrors the Kubernetes API: an attribute or block named
// snake_case is the camelCase JSON field of the same name, a single nested
// block is a JSON object and a list nested block a JSON array. jsonNames
// and pluralNames list the exceptions: repeated blocks are singular in HCL
// (`container {}`) and plural in the API, and a few initialisms.
var pluralNames = map[string]string{
	"container":          "containers",
	"init_container":     "initContainers",
	"port":               "ports",
	"volume_mount":       "volumeMounts",
	"volume":             "volumes",
	"toleration":         "tolerations",
	"node_selector_term": "nodeSelectorTerms",
	"http_header":        "httpHeaders",
	"sysctl":             "sysctls",
	// Pod-spec parity with hashicorp/kubernetes.
	"readiness_gate":             "readinessGates",
	"topology_spread_constraint": "topologySpreadConstraints",
	"option":                     "options",
	"volume_device":              "volumeDevices",
}

var jsonNames = map[string]string{
	"host_pid":     "hostPID",
	"host_ipc":     "hostIPC",
	"host_ip":      "hostIP",
	"downward_api": "downwardAPI",
	// Pod-spec parity with hashicorp/kubernetes: its names that are not
	// the API's in snake_case.
	"run_as_username":      "runAsUserName",
	"target_ww_ns":         "targetWWNs",
	"ceph_fs":              "cephfs",
	"ceph_monitors":        "monitors",
	"rbd_image":            "image",
	"rbd_pool":             "pool",
	"rados_user":           "user",
	"data_disk_uri":        "diskURI",
	"volume_id":            "volumeID",
	"endpoints_name":       "endpoints",
	"pd_id":                "pdID",
	"dataset_uuid":         "datasetUUID",
	"set_hostname_as_fqdn": "setHostnameAsFQDN",
}

// intOrStringFields are the string attributes whose API type is
// IntOrString: a value that parses as an integer goes to the API as a
// number. (The port of a grpc probe is a plain integer: an Int64 attribute.)
var intOrStringFields = map[fieldKey]bool{
	{"rolling_update", "max_unavailable"}: true,
	{"rolling_update", "max_surge"}:       true,
	{"http_get", "port"}:                  true,
	{"tcp_socket", "port"}:                true,
}

// parentName is the name of the block or nested attribute that holds the
// attribute at p: the last attribute name before p's own, past list indexes
// and map keys.
func parentName(p path.Path) string {
	steps := p.Steps()
	for i := len(steps) - 2; i >= 0; i-- {
		if n, ok := steps[i].(path.PathStepAttributeName); ok {
			return string(n)
		}
	}
	return ""
}

// jsonName is the API name of attribute or block tf; isList says whether it
// is a list (the `port` blocks of a container are `ports`, the `port` of an
// http_get is not).
func jsonName(tf string, isList bool) string {
	if n, ok := pluralNames[tf]; ok && isList {
		return n
	}
	if n, ok := jsonNames[tf]; ok {
		return n
	}
	parts := strings.Split(tf, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// modelToJSON converts a framework value to its API JSON form. Null values
// are left out; unknown values are left out too and their paths returned, so
// that plan-time validation can skip the checks that depend on them.
func modelToJSON(v attr.Value, p path.Path, name string, unknown *[]path.Path) any {
	if v == nil || v.IsNull() {
		return nil
	}
	if v.IsUnknown() {
		*unknown = append(*unknown, p)
		return nil
	}
	switch v := v.(type) {
	case basetypes.StringValue:
		return apiString(v.ValueString(), intOrStringFields[fieldKey{parentName(p), name}])
	case quantityValue:
		return v.ValueString()
	case basetypes.Int64Value:
		return v.ValueInt64()
	case basetypes.BoolValue:
		return v.ValueBool()
	case basetypes.ListValue:
		out := make([]any, 0, len(v.Elements()))
		for i, e := range v.Elements() {
			if j := modelToJSON(e, p.AtListIndex(i), name, unknown); j != nil {
				out = append(out, j)
			}
		}
		return out
	case basetypes.MapValue:
		out := make(map[string]any, len(v.Elements()))
		for k, e := range v.Elements() {
			if j := modelToJSON(e, p.AtMapKey(k), name, unknown); j != nil {
				out[k] = j
			}
		}
		return out
	case basetypes.ObjectValue:
		out := make(map[string]any, len(v.Attributes()))
		for k, a := range v.Attributes() {
			if j := modelToJSON(a, p.AtName(k), k, unknown); j != nil {
				_, isList := a.(basetypes.ListValue)
				out[jsonName(k, isList)] = j
			}
		}
		return out
	}
	panic(fmt.Sprintf("modelToJSON: unexpected value type %T at %s", v, p))
}

// jsonToModel converts API JSON (decoded with UseNumber) to a framework value
// of type t, through the codec of t. An attribute absent from an object that
// has a schema default (schemaDefaults, keyed by block and attribute) gets
// that default: Kubernetes leaves zero values of plain fields out of the
// objects it returns.
func jsonToModel(j any, t attr.Type, name string) (attr.Value, error) {
	ctx := context.Background()
	c, err := newCodec(ctx, t, name)
	if err != nil {
		return nil, err
	}
	v, err := c.fromJSON(j)
	if err != nil {
		return nil, err
	}
	return t.ValueFromTerraform(ctx, v)
}

// toJSONMap round-trips v through encoding/json so that every number is a
// json.Number and every object a map[string]any.
func toJSONMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// modelDocument is the API JSON of the model's metadata and spec, and the
// paths of values not known yet.
func modelDocument(m *daemonSetResourceModel) (map[string]any, []path.Path) {
	var unknown []path.Path
	doc := map[string]any{"apiVersion": "apps/v1", "kind": "DaemonSet"}
	if j := modelToJSON(m.Metadata, path.Root("metadata"), "metadata", &unknown); j != nil {
		doc["metadata"] = j
	}
	if j := modelToJSON(m.Spec, path.Root("spec"), "spec", &unknown); j != nil {
		doc["spec"] = j
	}
	return doc, unknown
}

// daemonSetFromModel converts the model to the DaemonSet to apply, and
// returns the paths of values not known yet (none at apply time).
func daemonSetFromModel(m *daemonSetResourceModel) (*appsv1.DaemonSet, []path.Path, error) {
	doc, unknown := modelDocument(m)
	if md, ok := doc["metadata"].(map[string]any); ok {
		// Computed metadata is the server's: never send it.
		delete(md, "uid")
		delete(md, "generation")
		delete(md, "resourceVersion")
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, unknown, fmt.Errorf("encode daemonset: %w", err)
	}
	var ds appsv1.DaemonSet
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&ds); err != nil {
		return nil, unknown, fmt.Errorf("decode daemonset: %w", err)
	}
	if !m.Rollout.IsNull() && !m.Rollout.IsUnknown() {
		// A rollout block replaces the pods itself, wave by wave: the
		// controller must only create pods, never replace them.
		ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}
	}
	return &ds, unknown, nil
}

// managedDocument is the mask that Read keeps of a live DaemonSet when there
// is no prior state (import): the fields that our field manager owns.
// Server-side apply records an empty object for struct fields that Go
// always encodes (a container's `resources: {}`); those are dropped, or the
// imported state would hold empty blocks the configuration does not.
func managedDocument(live *appsv1.DaemonSet, fieldManager string) (map[string]any, error) {
	ac, err := appsv1ac.ExtractDaemonSet(live, fieldManager)
	if err != nil {
		return nil, fmt.Errorf("extract the fields of field manager %q: %w", fieldManager, err)
	}
	m, err := toJSONMap(ac)
	if err != nil {
		return nil, err
	}
	dropEmpty(m)
	dropAtomicDefaults(m)
	return m, nil
}

// dropAtomicDefaults removes the defaults that Kubernetes writes inside
// atomic structs, which a field manager therefore owns although it never
// sent them: a fieldRef's apiVersion "v1".
func dropAtomicDefaults(v any) {
	switch v := v.(type) {
	case map[string]any:
		if fr, ok := v["fieldRef"].(map[string]any); ok && fr["apiVersion"] == "v1" {
			delete(fr, "apiVersion")
		}
		for _, sub := range v {
			dropAtomicDefaults(sub)
		}
	case []any:
		for _, e := range v {
			dropAtomicDefaults(e)
		}
	}
}

func dropEmpty(m map[string]any) {
	for k, v := range m {
		switch v := v.(type) {
		case map[string]any:
			dropEmpty(v)
			if len(v) == 0 && !emptySelectors[k] {
				delete(m, k)
			}
		case []any:
			for _, e := range v {
				if em, ok := e.(map[string]any); ok {
					dropEmpty(em)
				}
			}
		}
	}
}

// pruneTo keeps the parts of live that mask has: map keys present in mask,
// list elements matched by their key (see elementKey). Scalars come from
// live, except a quantity that equals mask's: Kubernetes canonicalises
// quantities ("0.5" becomes "500m"), and the configuration's spelling is
// kept so that it causes no diff.
func pruneTo(live, mask any) any {
	switch l := live.(type) {
	case map[string]any:
		mm, ok := mask.(map[string]any)
		if !ok {
			return l
		}
		out := make(map[string]any, len(mm))
		for k, mv := range mm {
			if lv, ok := l[k]; ok && lv != nil {
				out[k] = pruneTo(lv, mv)
			} else if isEmpty(mv) || isZero(mv) {
				// An empty list, map or block of the configuration, and a
				// zero number, false or "" (Go's omitempty), are left out of
				// what Kubernetes returns: keep them as configured.
				out[k] = mv
			}
		}
		return out
	case []any:
		ma, ok := mask.([]any)
		if !ok {
			return l
		}
		if len(l) > 0 {
			if _, isObj := l[0].(map[string]any); !isObj {
				return l // lists of scalars are atomic
			}
		}
		byKey := make(map[string]any, len(ma))
		for i, e := range ma {
			byKey[elementKey(e, i)] = e
		}
		out := make([]any, 0, len(ma))
		for i, e := range l {
			if me, ok := byKey[elementKey(e, i)]; ok {
				out = append(out, pruneTo(e, me))
			}
		}
		return out
	case string:
		if ms, ok := mask.(string); ok && ms != l && sameQuantity(l, ms) {
			return ms
		}
		return l
	}
	return live
}

// elementKey identifies an element of a list of objects the way Kubernetes
// merges them: volume mounts by mount path, ports by number and protocol,
// most other things by name, and the rest by position.
func elementKey(e any, i int) string {
	m, ok := e.(map[string]any)
	if !ok {
		return strconv.Itoa(i)
	}
	if v, ok := m["mountPath"]; ok {
		return fmt.Sprint("mountPath=", v)
	}
	if v, ok := m["containerPort"]; ok {
		return fmt.Sprint("port=", v, "/", m["protocol"])
	}
	if v, ok := m["name"]; ok {
		return fmt.Sprint("name=", v)
	}
	return strconv.Itoa(i)
}

func isEmpty(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}

// isZero reports whether v is a scalar's zero value: 0, false or "".
func isZero(v any) bool {
	switch v := v.(type) {
	case string:
		return v == ""
	case bool:
		return !v
	case int64:
		return v == 0
	case int:
		return v == 0
	case float64:
		return v == 0
	case json.Number:
		return v.String() == "0"
	}
	return false
}

func sameQuantity(a, b string) bool {
	qa, err := resource.ParseQuantity(a)
	if err != nil {
		return false
	}
	qb, err := resource.ParseQuantity(b)
	if err != nil {
		return false
	}
	return qa.Cmp(qb) == 0
}

// daemonSetToModel fills m's metadata, spec, id and status from the live
// DaemonSet, keeping only the fields that mask (the API JSON of the prior
// state or plan, or managedDocument on import) has.
//
// This is how refresh ignores defaults: Kubernetes fills in
// imagePullPolicy, terminationMessagePath, dnsPolicy, schedulerName,
// revisionHistoryLimit and more, and other controllers add labels and
// annotations; none of these are in the configuration, so none are in the
// mask, and none reach the state. A field the configuration sets that
// someone changed behind Terraform's back (kubectl set image) is in the mask
// and read with its live value: the plan shows the drift.
func daemonSetToModel(ctx context.Context, live *appsv1.DaemonSet, mask map[string]any, m *daemonSetResourceModel) diag.Diagnostics {
	var diags diag.Diagnostics
	codecs, err := daemonSetCodecsOnce()
	if err != nil {
		diags.AddError("Cannot Read DaemonSet", err.Error())
		return diags
	}
	l, err := codecs.fromLive(ctx, live, mask)
	if err != nil {
		diags.AddError("Cannot Read DaemonSet", fmt.Sprintf("convert daemonset %s/%s: %s", live.Namespace, live.Name, err))
		return diags
	}
	s := daemonSetSchemaV0(ctx)
	meta, err := s.Blocks["metadata"].Type().ValueFromTerraform(ctx, l.metadata)
	if err == nil {
		var spec attr.Value
		spec, err = s.Blocks["spec"].Type().ValueFromTerraform(ctx, l.spec)
		if err == nil {
			metaObj, okMeta := meta.(basetypes.ObjectValue)
			specObj, okSpec := spec.(basetypes.ObjectValue)
			if !okMeta || !okSpec {
				err = fmt.Errorf("metadata and spec must be objects, got %T and %T", meta, spec)
			} else {
				m.Metadata, m.Spec = metaObj, specObj
			}
		}
	}
	if err != nil {
		diags.AddError("Cannot Read DaemonSet", fmt.Sprintf("convert daemonset %s/%s: %s", live.Namespace, live.Name, err))
		return diags
	}
	m.ID = types.StringValue(live.Namespace + "/" + live.Name)
	m.Status = statusValue(live.Status)
	return diags
}

// keptDocument is the API JSON of live pruned to mask (see daemonSetToModel),
// with the metadata that identifies it (name, namespace, uid, generation,
// resourceVersion) whatever mask says.
func keptDocument(live *appsv1.DaemonSet, mask map[string]any) (map[string]any, error) {
	full, err := toJSONMap(live)
	if err != nil {
		return nil, fmt.Errorf("encode daemonset %s/%s: %w", live.Namespace, live.Name, err)
	}
	mask = cloneMap(mask)
	md, _ := mask["metadata"].(map[string]any)
	if md == nil {
		md = map[string]any{}
		mask["metadata"] = md
	}
	for _, k := range []string{"name", "namespace", "uid", "generation", "resourceVersion"} {
		md[k] = true
	}
	kept, _ := pruneTo(full, mask).(map[string]any)
	return kept, nil
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if sub, ok := v.(map[string]any); ok {
			v = cloneMap(sub)
		}
		out[k] = v
	}
	return out
}
