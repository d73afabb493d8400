package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/k8s"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/release"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/rollout"
)

// dryRunTimeout bounds a plan's server-side dry run: an API server that does
// not answer must not hold the plan; the apply meets it again.
const dryRunTimeout = 15 * time.Second

// The warnings given once per plan when the API server cannot check it.
const (
	laterUnknownValues   = "unknown-values"
	laterProviderUnknown = "provider-unknown"
	laterUnreachable     = "unreachable"
	laterForbidden       = "forbidden"
)

// serverChecksLater warns, once per plan, that the API server's checks of
// the planned objects run at apply: why, and what was checked instead.
func (d *providerData) serverChecksLater(diags *diag.Diagnostics, key, why string) {
	if !d.once(key) {
		return
	}
	diags.AddWarning("Server Checks Run At Apply",
		why+" The provider's own checks ran; the API server's validation, defaults and admission policies "+
			"(pod security, ValidatingAdmissionPolicy, webhooks) check these objects when they are applied.")
}

// dryRunClient is the client that sends a plan's server-side dry runs, or
// nil when the plan sends none: dry runs are off, or the server cannot check
// this plan (warned once per plan, with why). firstUnknown names a planned
// value known only at apply ("" when all are known): an object with one
// cannot be sent.
func (d *providerData) dryRunClient(diags *diag.Diagnostics, firstUnknown string) *rollout.Client {
	if d == nil || d.noDryRun {
		return nil
	}
	if len(d.unknown) > 0 {
		d.serverChecksLater(diags, laterProviderUnknown, fmt.Sprintf("The provider's %s are known only at apply, "+
			"so this plan could not reach the cluster.", strings.Join(d.unknown, ", ")))
		return nil
	}
	if firstUnknown != "" {
		d.serverChecksLater(diags, laterUnknownValues, fmt.Sprintf("Some planned values are known only at apply "+
			"(such as %s), so those objects could not be sent to the API server.", firstUnknown))
		return nil
	}
	var clientDiags diag.Diagnostics
	rc := d.Rollout(&clientDiags)
	if rc == nil {
		d.serverChecksLater(diags, laterUnreachable, "The provider could not build a Kubernetes client: "+
			errorDetails(clientDiags)+".")
	}
	return rc
}

// serverVerdict sorts a dry run's error: the API server's refusal of the
// object, returned as its status for the caller to report, or no verdict,
// when the server did not answer (reachable is false: the plan's other dry
// runs would not be answered either) or the provider's credentials may not
// apply object. For no verdict it gives the once-per-plan warning. redact
// hides sensitive values in the messages it quotes.
func (d *providerData) serverVerdict(diags *diag.Diagnostics, object string, err error, redact func(string) string) (verdict *metav1.Status, reachable bool) {
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		d.serverChecksLater(diags, laterUnreachable, fmt.Sprintf("The API server did not answer the plan's "+
			"server-side dry run (%s).", redact(err.Error())))
		return nil, false
	}
	st := status.Status()
	switch {
	case apierrors.IsForbidden(err) && isAuthorizationDenial(st.Message):
		d.serverChecksLater(diags, laterForbidden, "The provider's credentials may not apply "+object+" ("+
			redact(st.Message)+"); the apply needs that permission.")
		return nil, true
	case st.Code >= 500 || apierrors.IsTimeout(err) || apierrors.IsServerTimeout(err) || apierrors.IsTooManyRequests(err):
		d.serverChecksLater(diags, laterUnreachable, fmt.Sprintf("The API server could not answer the plan's "+
			"server-side dry run (%s).", redact(st.Message)))
		return nil, false
	}
	return &st, true
}

// noRedaction leaves a message as it is: a DaemonSet's messages hold no
// secrets the provider could hide.
func noRedaction(s string) string { return s }

// daemonSetAPIType is the part of the schema that is the API object:
// metadata and spec, the root of the API field paths. Built once: the
// validator and the plan's error mapping read it on every call.
var daemonSetAPIType = sync.OnceValue(func() basetypes.ObjectType {
	s := daemonSetSchemaV0(context.Background())
	return basetypes.ObjectType{AttrTypes: map[string]attr.Type{
		"metadata": s.Blocks["metadata"].Type(),
		"spec":     s.Blocks["spec"].Type(),
	}}
})

// dryRun sends the planned DaemonSet to the API server as a server-side
// apply with dryRun=All, so that its validation, defaulting and admission
// run at plan time, and reports what it refuses on the attributes at fault.
//
// A plan that replaces the DaemonSet (a new selector) creates a new object:
// the dry run then creates one beside the old, under a name of its own, as
// an update of the old would be refused for the immutable field.
//
// adopting says that the apply takes over the fields of hashicorp/kubernetes's
// field managers first (after a moved block): a conflict with them is left
// out.
func (r *daemonSetResource) dryRun(ctx context.Context, plan *daemonSetResourceModel, replacing, adopting bool, diags *diag.Diagnostics) {
	d := r.data
	ds, unknown, err := daemonSetFromModel(plan)
	if err != nil {
		return // ValidateConfig reports it
	}
	unknown = slices.DeleteFunc(unknown, isServerMetadata)
	firstUnknown := ""
	if len(unknown) > 0 {
		firstUnknown = unknown[0].String() + " of a kubedaemon_daemonset"
	}
	rc := d.dryRunClient(diags, firstUnknown)
	if rc == nil {
		return
	}
	name := ds.Name
	shown := ds.Namespace + "/" + name
	if replacing {
		ds.Name = replacementCheckName(ds.Name)
	}
	dctx, cancel := context.WithTimeout(ctx, dryRunTimeout)
	defer cancel()
	opts := rollout.ApplyOptions{DryRun: true, Force: plan.ForceConflicts.ValueBool()}
	stored, err := rc.ApplyDaemonSet(dctx, ds, opts)
	if err != nil && !replacing && onlyImmutable(err) {
		// Terraform plans a replacement's create with no prior state,
		// while the old DaemonSet still exists: check the new one as the
		// create it is.
		ds.Name = replacementCheckName(name)
		stored, err = rc.ApplyDaemonSet(dctx, ds, opts)
	}
	if err != nil {
		var conflict *k8s.ConflictError
		if adopting && errors.As(err, &conflict) {
			return
		}
		addDryRunError(ctx, d, rc, plan.ForceConflicts.ValueBool(), diags, ds, shown, err)
		return
	}
	stored.Name = name // as planned, not as the replacement's check
	mask, _ := modelDocument(plan)
	addServerChanges(diags, mask, stored)
}

// onlyImmutable reports whether the API server refused an update for
// immutable fields alone.
func onlyImmutable(err error) bool {
	var status apierrors.APIStatus
	if !apierrors.IsInvalid(err) || !errors.As(err, &status) || status.Status().Details == nil {
		return false
	}
	causes := status.Status().Details.Causes
	for _, c := range causes {
		if !strings.Contains(c.Message, "field is immutable") {
			return false
		}
	}
	return len(causes) > 0
}

// replacesDaemonSet reports whether the plan replaces the DaemonSet: a new
// name, namespace or selector (the one immutable field of its spec).
func replacesDaemonSet(plan, prior *daemonSetResourceModel) bool {
	for _, a := range []struct {
		planned, was basetypes.ObjectValue
		name         string
	}{
		{plan.Metadata, prior.Metadata, "name"},
		{plan.Metadata, prior.Metadata, "namespace"},
		{plan.Spec, prior.Spec, "selector"},
	} {
		p, w := a.planned.Attributes()[a.name], a.was.Attributes()[a.name]
		if p == nil || w == nil || !p.Equal(w) {
			return true
		}
	}
	return false
}

// replacementCheckName is the name a replacement's dry run creates its
// object under: the planned name with a suffix, within the 253 characters
// of a name.
func replacementCheckName(name string) string {
	const suffix = "-replacement-check"
	if len(name)+len(suffix) > 253 {
		name = strings.TrimRight(name[:253-len(suffix)], ".-")
	}
	return name + suffix
}

// isServerMetadata reports whether p is metadata the API server sets (uid,
// generation, resource_version): unknown in a plan that changes the
// DaemonSet, and never sent.
func isServerMetadata(p path.Path) bool {
	for _, name := range []string{"uid", "generation", "resource_version"} {
		if p.Equal(path.Root("metadata").AtName(name)) {
			return true
		}
	}
	return false
}

// errorDetails joins the details of diags' errors in one line.
func errorDetails(diags diag.Diagnostics) string {
	var parts []string
	for _, e := range diags.Errors() {
		parts = append(parts, strings.TrimSuffix(e.Detail(), "."))
	}
	return strings.Join(parts, "; ")
}

// addDryRunError reports why the API server refused the dry run: each
// field it names as an error on its attribute; a namespace that does not
// exist yet as a warning (another resource of the plan may create it);
// a cluster it cannot reach, or credentials that may not apply, as the
// once-per-plan warning.
// ds is the DaemonSet sent; shown is its namespace/name as planned.
func addDryRunError(ctx context.Context, d *providerData, rc *rollout.Client, force bool, diags *diag.Diagnostics, ds *appsv1.DaemonSet, shown string, err error) {
	var conflict *k8s.ConflictError
	if errors.As(err, &conflict) {
		// Not an error yet: the plan shows the change (often drift another
		// tool made), and force_conflicts may still be set.
		diags.AddAttributeWarning(path.Root("force_conflicts"), "Fields Owned By Another Manager",
			conflict.Error()+"\nThe apply of this plan fails unless force_conflicts = true takes ownership of "+
				"them and overwrites them; or stop setting these fields here, or stop managing them with the other tool.")
		return
	}
	if release.MissingNamespace(err) {
		diags.AddAttributeWarning(path.Root("metadata").AtName("namespace"), "Namespace Does Not Exist Yet",
			fmt.Sprintf("Namespace %q does not exist in the cluster. If nothing in this configuration creates it "+
				"(a kubernetes_namespace_v1 resource, or a kubedaemon_preset with create_namespace = true that this "+
				"DaemonSet depends on), the apply fails: create it first, e.g. kubectl create namespace %s.",
				ds.Namespace, ds.Namespace))
		return
	}
	st, _ := d.serverVerdict(diags, "this object", err, noRedaction)
	if st == nil {
		return
	}
	root := daemonSetAPIType()
	var fields []metav1.StatusCause
	if st.Details != nil {
		for _, c := range st.Details.Causes {
			if c.Field != "" {
				fields = append(fields, c)
			}
		}
	}
	if len(fields) == 0 {
		// An admission policy or webhook says no without naming a field:
		// find the element of the pod spec it objects to.
		p, found := blame(ctx, rc, ds, force)
		where := ""
		if found {
			where = p.String() + ": "
		} else {
			p = path.Root("spec")
		}
		diags.AddAttributeError(p, "Refused By Kubernetes", fmt.Sprintf("%s%s\n\nThe API server refuses DaemonSet "+
			"%s in a server-side dry run of this plan%s. Nothing was created or changed. Change what the message "+
			"names and plan again.", where, st.Message, shown, blameNote(found)))
		return
	}
	for _, c := range fields {
		p, complete := apiFieldPath(root, c.Field)
		where := p.String()
		if !complete {
			where = fmt.Sprintf("%s (API field %s)", p, c.Field)
		}
		diags.AddAttributeError(p, "Refused By Kubernetes", fmt.Sprintf("%s: %s\n\n%s The API server checked "+
			"this plan with a server-side dry run of DaemonSet %s; nothing was created or changed.",
			where, c.Message, causeFix(c.Type, p), shown))
	}
}

// maxBlameTries bounds the extra dry runs that look for the element an
// admission denial objects to; they run only when the plan already fails.
const maxBlameTries = 12

// blame looks for the one element of the pod spec (a volume, a container,
// an init container, a toleration) without which the API server accepts
// the DaemonSet: the attribute that an admission policy's denial, which
// names no field, objects to.
func blame(ctx context.Context, rc *rollout.Client, ds *appsv1.DaemonSet, force bool) (path.Path, bool) {
	type candidate struct {
		p      path.Path
		remove func(*appsv1.DaemonSet)
	}
	spec := &ds.Spec.Template.Spec
	var cands []candidate
	for i, v := range spec.Volumes {
		cands = append(cands, candidate{podSpecPath.AtName("volume").AtListIndex(i), func(c *appsv1.DaemonSet) {
			ps := &c.Spec.Template.Spec
			ps.Volumes = slices.Delete(ps.Volumes, i, i+1)
			for _, cs := range [][]corev1.Container{ps.Containers, ps.InitContainers} {
				for j := range cs {
					cs[j].VolumeMounts = slices.DeleteFunc(cs[j].VolumeMounts, func(m corev1.VolumeMount) bool { return m.Name == v.Name })
				}
			}
		}})
	}
	if len(spec.Containers) > 1 {
		for i := range spec.Containers {
			cands = append(cands, candidate{podSpecPath.AtName("container").AtListIndex(i), func(c *appsv1.DaemonSet) {
				c.Spec.Template.Spec.Containers = slices.Delete(c.Spec.Template.Spec.Containers, i, i+1)
			}})
		}
	}
	for i := range spec.InitContainers {
		cands = append(cands, candidate{podSpecPath.AtName("init_container").AtListIndex(i), func(c *appsv1.DaemonSet) {
			c.Spec.Template.Spec.InitContainers = slices.Delete(c.Spec.Template.Spec.InitContainers, i, i+1)
		}})
	}
	for i := range spec.Tolerations {
		cands = append(cands, candidate{podSpecPath.AtName("toleration").AtListIndex(i), func(c *appsv1.DaemonSet) {
			c.Spec.Template.Spec.Tolerations = slices.Delete(c.Spec.Template.Spec.Tolerations, i, i+1)
		}})
	}
	if len(cands) > maxBlameTries {
		cands = cands[:maxBlameTries]
	}
	for _, c := range cands {
		trial := ds.DeepCopy()
		c.remove(trial)
		if _, err := rc.ApplyDaemonSet(ctx, trial, rollout.ApplyOptions{DryRun: true, Force: force}); err == nil {
			return c.p, true
		}
	}
	return path.Empty(), false
}

func blameNote(found bool) string {
	if found {
		return " (the API server accepts it without this element, so the denial is about it)"
	}
	return ""
}

// isAuthorizationDenial tells RBAC's "cannot" from an admission denial,
// both 403 Forbidden.
func isAuthorizationDenial(msg string) bool {
	return strings.Contains(msg, " cannot patch resource") || strings.Contains(msg, " cannot create resource")
}

// causeFix is the fix for a kind of field error.
func causeFix(t metav1.CauseType, p path.Path) string {
	switch t {
	case metav1.CauseTypeFieldValueRequired:
		return fmt.Sprintf("Set %s.", p)
	case metav1.CauseTypeFieldValueNotSupported:
		return fmt.Sprintf("Set %s to one of the values the message lists.", p)
	case metav1.CauseTypeFieldValueDuplicate:
		return fmt.Sprintf("Make %s unique.", p)
	case metav1.CauseType(field.ErrorTypeTooLong):
		return fmt.Sprintf("Shorten %s.", p)
	case metav1.CauseType(field.ErrorTypeForbidden):
		return fmt.Sprintf("Remove %s, or change what the message says forbids it.", p)
	}
	return fmt.Sprintf("Change %s to a value the message allows.", p)
}

// serverChange is a configured value that the API server stores otherwise.
type serverChange struct {
	field            string
	configured, kept any
}

// addServerChanges compares the dry run's object with the plan. A value the
// configuration sets that the API server would store otherwise (a default
// it applies to a zero value, a mutating admission webhook) would make the
// apply fail with "Provider produced inconsistent result after apply", or
// show a diff on every plan: it is an error now, with the value to write.
func addServerChanges(diags *diag.Diagnostics, mask map[string]any, stored *appsv1.DaemonSet) {
	full, err := toJSONMap(stored)
	if err != nil {
		return
	}
	kept, _ := pruneTo(full, mask).(map[string]any)
	root := daemonSetAPIType()
	var changes []serverChange
	diffConfigured("", root, map[string]any{"metadata": mask["metadata"], "spec": mask["spec"]}, kept, &changes)
	for _, c := range changes {
		p, _ := apiFieldPath(root, c.field)
		diags.AddAttributeError(p, "Kubernetes Would Store Another Value", fmt.Sprintf("%s: the API server "+
			"would store %s, not the configured %s (a default it applies, or a mutating admission webhook), so "+
			"the apply would fail with an inconsistent result. Set %s = %s, or remove it and let Kubernetes "+
			"decide.", p, showJSON(c.kept), showJSON(c.configured), p, showJSON(c.kept)))
	}
}

// diffConfigured appends the values of configured (API JSON of type t at
// field) that kept, the stored object pruned to the configuration, holds
// otherwise. Computed metadata is the server's and is skipped.
func diffConfigured(field string, t attr.Type, configured, kept any, out *[]serverChange) {
	switch c := configured.(type) {
	case map[string]any:
		k, _ := kept.(map[string]any)
		keys := make([]string, 0, len(c))
		for key := range c {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			switch tt := t.(type) {
			case basetypes.MapType:
				diffConfigured(field+"["+key+"]", tt.ElemType, c[key], k[key], out)
			case basetypes.ObjectType:
				if field == "metadata" && (key == "uid" || key == "generation" || key == "resourceVersion") {
					continue
				}
				_, at, ok := attributeForJSON(tt, key)
				if !ok {
					continue
				}
				sub := key
				if field != "" {
					sub = field + "." + key
				}
				diffConfigured(sub, at, c[key], k[key], out)
			}
		}
	case []any:
		k, _ := kept.([]any)
		if lt, ok := t.(basetypes.ListType); ok {
			if _, isObj := lt.ElemType.(basetypes.ObjectType); isObj {
				for i := range c {
					var ke any
					if i < len(k) {
						ke = k[i]
					}
					diffConfigured(fmt.Sprintf("%s[%d]", field, i), lt.ElemType, c[i], ke, out)
				}
				return
			}
		}
		if showJSON(c) != showJSON(k) && (len(c) > 0 || len(k) > 0) {
			*out = append(*out, serverChange{field: field, configured: c, kept: kept})
		}
	default:
		if kept != nil && showJSON(configured) == showJSON(kept) {
			return
		}
		if s, ok := configured.(string); ok {
			if ks, ok := kept.(string); ok && sameQuantity(s, ks) {
				return
			}
		}
		*out = append(*out, serverChange{field: field, configured: configured, kept: kept})
	}
}

// showJSON writes v as the configuration would: strings quoted, numbers and
// lists as they are, an absent value as null.
func showJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
