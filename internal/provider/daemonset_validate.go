package provider

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
)

var (
	podSpecPath  = path.Root("spec").AtName("template").AtName("spec")
	selectorPath = path.Root("spec").AtName("selector")
	rollingPath  = path.Root("spec").AtName("update_strategy").AtName("rolling_update")
)

// daemonSetValidator collects every problem of a configuration, each on its
// attribute path. Values not known yet (unknown) are skipped: the checks run
// again when they are.
type daemonSetValidator struct {
	unknown []path.Path
	diags   diag.Diagnostics
}

// validateDaemonSet checks what the schema's validators cannot: relations
// between attributes, and the formats of names, quantities and percents.
func validateDaemonSet(m *daemonSetResourceModel) diag.Diagnostics {
	return validateDocument(modelDocument(m))
}

// validateDocument is validateDaemonSet on the model's API JSON and the
// paths of its unknown values.
func validateDocument(doc map[string]any, unknown []path.Path) diag.Diagnostics {
	v := &daemonSetValidator{unknown: unknown}
	v.quantities(doc)
	v.explicitZeros(doc)
	b, err := json.Marshal(doc)
	if err == nil {
		var ds appsv1.DaemonSet
		d := json.NewDecoder(bytes.NewReader(b))
		if err = d.Decode(&ds); err == nil {
			v.daemonSet(&ds)
		}
	}
	if err != nil {
		v.diags.AddError("Invalid DaemonSet", "The configuration does not convert to a Kubernetes DaemonSet; check "+
			"the numbers and quantities in it.\n\nOriginal Error: "+err.Error())
	}
	return v.diags
}

// known reports whether every value at or under p is known: no unknown
// value lies on p, above it or below it. Paths compare step by step, so
// container[1] is not container[10].
func (v *daemonSetValidator) known(p path.Path) bool {
	for _, u := range v.unknown {
		if stepsPrefix(p.Steps(), u.Steps()) || stepsPrefix(u.Steps(), p.Steps()) {
			return false
		}
	}
	return true
}

// stepsPrefix reports whether a is b or an ancestor of b.
func stepsPrefix(a, b path.PathSteps) bool {
	if len(a) > len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equal(b[i]) {
			return false
		}
	}
	return true
}

func (v *daemonSetValidator) errorf(p path.Path, summary, format string, args ...any) {
	v.diags.AddAttributeError(p, summary, fmt.Sprintf(format, args...))
}

// quantities checks (and removes, so that the rest can be decoded and
// checked) every quantity of the document: each attribute of the schema
// whose type is a quantity (container resources, emptyDir size limits,
// resource_field_ref divisors, wherever they are).
func (v *daemonSetValidator) quantities(doc map[string]any) {
	root := daemonSetAPIType()
	for _, top := range []string{"metadata", "spec"} {
		v.quantitiesIn(doc, top, root.AttrTypes[top], path.Root(top))
	}
}

// quantitiesIn checks parent[key], of type t at p.
func (v *daemonSetValidator) quantitiesIn(parent map[string]any, key string, t attr.Type, p path.Path) {
	switch t := t.(type) {
	case quantityType:
		s, ok := parent[key].(string)
		if !ok {
			return
		}
		if _, err := resource.ParseQuantity(s); err != nil {
			v.errorf(p, "Invalid Quantity", "%q is not a Kubernetes quantity. Write a number with an optional "+
				"suffix, e.g. \"100m\" (0.1 CPU), \"2\", \"200Mi\" or \"1Gi\".", s)
			delete(parent, key)
		}
	case basetypes.ObjectType:
		obj, _ := parent[key].(map[string]any)
		for name, at := range t.AttrTypes {
			_, isList := at.(basetypes.ListType)
			v.quantitiesIn(obj, jsonName(name, isList), at, p.AtName(name))
		}
	case basetypes.ListType:
		list, _ := parent[key].([]any)
		for i, e := range list {
			v.quantitiesIn(map[string]any{"": e}, "", t.ElemType, p.AtListIndex(i))
		}
	case basetypes.MapType:
		m, _ := parent[key].(map[string]any)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			v.quantitiesIn(m, k, t.ElemType, p.AtMapKey(k))
		}
	}
}

// nonNegative adds an error if a number that Kubernetes requires to be 0 or
// more is negative; what says what the number is.
func (v *daemonSetValidator) nonNegative(p path.Path, n int64, what string) {
	if n < 0 && v.known(p) {
		v.errorf(p, "Negative Number", "%s = %d is negative, and Kubernetes refuses it: it is the %s. Use 0 or "+
			"more, or remove the attribute for Kubernetes' default.", p, n, what)
	}
}

// explicitZeros checks the numbers whose zero the API reads as "not set",
// so that a configured 0 could not come back from Kubernetes as configured:
// a port's host_port (a host port is 1-65535; without one the port is the
// pod's only).
func (v *daemonSetValidator) explicitZeros(doc map[string]any) {
	spec := dig(doc, "spec", "template", "spec")
	for _, kind := range []string{"container", "init_container"} {
		for i, c := range objectList(spec[jsonName(kind, true)]) {
			for j, port := range objectList(c["ports"]) {
				if hp, ok := port["hostPort"].(int64); ok && hp == 0 {
					v.errorf(podSpecPath.AtName(kind).AtListIndex(i).AtName("port").AtListIndex(j).AtName("host_port"),
						"Invalid Host Port", "host_port = 0 is not a host port: use a port between 1 and 65535, or "+
							"remove host_port to expose the port on the pod only.")
				}
			}
		}
	}
}

func dig(m any, keys ...string) map[string]any {
	cur, _ := m.(map[string]any)
	for _, k := range keys {
		cur, _ = cur[k].(map[string]any)
	}
	return cur
}

func objectList(v any) []map[string]any {
	a, _ := v.([]any)
	out := make([]map[string]any, 0, len(a))
	for _, e := range a {
		m, _ := e.(map[string]any)
		out = append(out, m)
	}
	return out
}

func (v *daemonSetValidator) daemonSet(ds *appsv1.DaemonSet) {
	if n := ds.Name; n != "" {
		if errs := validation.IsDNS1123Subdomain(n); len(errs) > 0 {
			v.errorf(path.Root("metadata").AtName("name"), "Invalid DaemonSet Name",
				"%q is not a valid name: %s. Use lower-case letters, digits, '-' and '.', starting and ending with a "+
					"letter or digit, e.g. \"node-exporter\".", n, strings.Join(errs, "; "))
		}
	}
	if ns := ds.Namespace; ns != "" {
		if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
			v.errorf(path.Root("metadata").AtName("namespace"), "Invalid Namespace",
				"%q is not a valid namespace: %s. Use lower-case letters, digits and '-', e.g. \"kube-system\".", ns, strings.Join(errs, "; "))
		}
	}
	v.nonNegative(path.Root("spec").AtName("min_ready_seconds"), int64(ds.Spec.MinReadySeconds),
		"seconds a new pod must be ready to count as available; 0 counts it at once")
	if ds.Spec.RevisionHistoryLimit != nil {
		v.nonNegative(path.Root("spec").AtName("revision_history_limit"), int64(*ds.Spec.RevisionHistoryLimit),
			"old revisions kept for rollback")
	}
	if g := ds.Spec.Template.Spec.TerminationGracePeriodSeconds; g != nil {
		v.nonNegative(podSpecPath.AtName("termination_grace_period_seconds"), *g,
			"seconds a pod gets to stop before it is killed; 0 kills it at once")
	}
	v.selector(ds)
	v.updateStrategy(ds.Spec.UpdateStrategy)
	v.podSpec(&ds.Spec.Template.Spec)
}

// selector: since apps/v1 the selector must match the template's labels,
// or Kubernetes rejects the DaemonSet.
func (v *daemonSetValidator) selector(ds *appsv1.DaemonSet) {
	labelsPath := path.Root("spec").AtName("template").AtName("metadata").AtName("labels")
	if ds.Spec.Selector == nil || !v.known(selectorPath) || !v.known(labelsPath) {
		return
	}
	sel, err := metav1.LabelSelectorAsSelector(ds.Spec.Selector)
	if err != nil {
		v.errorf(selectorPath, "Invalid Selector", "The selector is not valid: %s.", err)
		return
	}
	if sel.Empty() {
		v.errorf(selectorPath, "Empty Selector", "A DaemonSet's selector must select its pods: set match_labels "+
			"(or match_expressions) to labels of spec.template.metadata.labels, e.g. match_labels = { name = %q }.", ds.Name)
		return
	}
	tl := ds.Spec.Template.Labels
	if !sel.Matches(labels.Set(tl)) {
		v.errorf(selectorPath, "Selector Does Not Match Template Labels",
			"The selector %q does not select the pod template's labels %q, and Kubernetes requires that it does. "+
				"Add the selector's labels to spec.template.metadata.labels, or change the selector.",
			sel.String(), labels.Set(tl).String())
	}
}

func (v *daemonSetValidator) updateStrategy(us appsv1.DaemonSetUpdateStrategy) {
	ru := us.RollingUpdate
	if ru == nil || !v.known(path.Root("spec").AtName("update_strategy")) {
		return
	}
	surgeZero := v.intOrPercent(ru.MaxSurge, rollingPath.AtName("max_surge"))
	unavailZero := v.intOrPercent(ru.MaxUnavailable, rollingPath.AtName("max_unavailable"))
	if us.Type == appsv1.OnDeleteDaemonSetStrategyType {
		p := rollingPath.AtName("max_unavailable")
		if ru.MaxSurge != nil {
			p = rollingPath.AtName("max_surge")
		}
		v.errorf(p, "Rolling Update Settings With OnDelete",
			"update_strategy.type is \"OnDelete\": pods are replaced only when you delete them, so rolling_update "+
				"(max_surge, max_unavailable) does not apply. Remove the rolling_update block, or set type = \"RollingUpdate\".")
		return
	}
	if surgeZero && unavailZero {
		v.errorf(rollingPath.AtName("max_unavailable"), "Rolling Update Cannot Progress",
			"max_surge and max_unavailable are both 0, so no pod could ever be replaced. Set max_unavailable to at "+
				"least 1 (or \"10%%\"), or max_surge to at least 1.")
	}
}

// intOrPercent reports whether a set value is zero, and adds an error if it
// is neither a non-negative integer nor a percent.
func (v *daemonSetValidator) intOrPercent(x *intstr.IntOrString, p path.Path) bool {
	if x == nil {
		return false
	}
	if x.Type == intstr.Int {
		if x.IntVal < 0 {
			v.errorf(p, "Invalid Number Or Percent", "%d is negative. Use a number of nodes (0 or more) or a percent such as \"25%%\".", x.IntVal)
		}
		return x.IntVal == 0
	}
	s := x.StrVal
	n, err := strconv.Atoi(strings.TrimSuffix(s, "%"))
	if strings.HasSuffix(s, "%") && err == nil && n > 100 {
		v.errorf(p, "Invalid Percent", "%q is above 100%%, and a percent of the nodes above 100%% is not allowed. "+
			"Use a percent from 0%% to 100%%, e.g. \"25%%\", or a number of nodes such as \"2\".", s)
		return false
	}
	if !strings.HasSuffix(s, "%") || err != nil || n < 0 {
		v.errorf(p, "Invalid Number Or Percent", "%q is neither a number of nodes nor a percent. Use e.g. \"1\" or \"25%%\".", s)
		return false
	}
	return n == 0
}

type hostPortUse struct {
	protocol corev1.Protocol
	hostIP   string
	port     int32
}

func (v *daemonSetValidator) podSpec(ps *corev1.PodSpec) {
	if rp := ps.RestartPolicy; rp != "" && rp != corev1.RestartPolicyAlways {
		v.errorf(podSpecPath.AtName("restart_policy"), "Invalid Restart Policy",
			"%q is not allowed: a DaemonSet's pods must restart \"Always\". Remove restart_policy or set it to \"Always\".", rp)
	}
	if len(ps.Containers) == 0 && v.known(podSpecPath.AtName("container")) {
		v.errorf(podSpecPath.AtName("container"), "No Container",
			"spec.template.spec has no container block, and a pod needs at least one. Add one, e.g. "+
				"container { name = \"agent\"\n image = \"registry.k8s.io/pause:3.10\" }.")
	}
	volumes := map[string]bool{}
	volumesKnown := v.known(podSpecPath.AtName("volume"))
	for i, vol := range ps.Volumes {
		p := podSpecPath.AtName("volume").AtListIndex(i).AtName("name")
		if vol.Name == "" {
			volumesKnown = false
			continue
		}
		v.dnsLabel(p, "Volume", vol.Name)
		if volumes[vol.Name] {
			v.errorf(p, "Duplicate Volume Name", "Volume name %q is used more than once. Give each volume a unique name.", vol.Name)
		}
		volumes[vol.Name] = true
	}
	names := map[string]bool{}
	hostPorts := map[hostPortUse]bool{}
	check := func(kind string, cs []corev1.Container) {
		for i := range cs {
			c := &cs[i]
			cp := podSpecPath.AtName(kind).AtListIndex(i)
			if c.Name != "" {
				v.dnsLabel(cp.AtName("name"), "Container", c.Name)
				if names[c.Name] {
					v.errorf(cp.AtName("name"), "Duplicate Container Name",
						"Container name %q is used more than once (containers and init containers share names). Give each a unique name.", c.Name)
				}
				names[c.Name] = true
			}
			v.ports(cp, c, hostPorts)
			v.mounts(cp, c, volumes, volumesKnown)
		}
	}
	check("init_container", ps.InitContainers)
	check("container", ps.Containers)
	for i, t := range ps.Tolerations {
		if t.Operator == corev1.TolerationOpExists && t.Value != "" {
			v.errorf(podSpecPath.AtName("toleration").AtListIndex(i).AtName("value"), "Value With Exists Operator",
				"A toleration with operator \"Exists\" matches every value of the taint, so it takes no value (got %q). "+
					"Remove value, or use operator = \"Equal\".", t.Value)
		}
	}
}

func (v *daemonSetValidator) dnsLabel(p path.Path, what, name string) {
	if errs := validation.IsDNS1123Label(name); len(errs) > 0 {
		v.errorf(p, "Invalid "+what+" Name", "%q is not a valid %s name: %s. Use lower-case letters, digits and '-', "+
			"e.g. \"log-collector\".", name, strings.ToLower(what), strings.Join(errs, "; "))
	}
}

func (v *daemonSetValidator) ports(cp path.Path, c *corev1.Container, hostPorts map[hostPortUse]bool) {
	names := map[string]bool{}
	for j, port := range c.Ports {
		pp := cp.AtName("port").AtListIndex(j)
		if port.ContainerPort != 0 && (port.ContainerPort < 1 || port.ContainerPort > 65535) {
			v.errorf(pp.AtName("container_port"), "Invalid Port", "container_port %d is outside 1-65535.", port.ContainerPort)
		}
		if port.Name != "" {
			if names[port.Name] {
				v.errorf(pp.AtName("name"), "Duplicate Port Name", "Port name %q is used more than once in container %q. Give each port a unique name.", port.Name, c.Name)
			}
			names[port.Name] = true
		}
		if port.HostPort == 0 {
			continue
		}
		if !v.known(pp.AtName("protocol")) || !v.known(pp.AtName("host_ip")) {
			// Which host port this is depends on a value known only at
			// apply time, when the duplicate check runs again.
			continue
		}
		if port.HostPort < 1 || port.HostPort > 65535 {
			v.errorf(pp.AtName("host_port"), "Invalid Host Port", "host_port %d is outside 1-65535. Use a port "+
				"between 1 and 65535, or remove host_port to expose the port on the pod only.", port.HostPort)
			continue
		}
		proto := port.Protocol
		if proto == "" {
			proto = corev1.ProtocolTCP
		}
		use := hostPortUse{protocol: proto, hostIP: port.HostIP, port: port.HostPort}
		if hostPorts[use] {
			v.errorf(pp.AtName("host_port"), "Duplicate Host Port", "host_port %d/%s is already used by another "+
				"port of this pod; a node can give it to only one. Use another host_port or protocol.", port.HostPort, proto)
		}
		hostPorts[use] = true
	}
}

func (v *daemonSetValidator) mounts(cp path.Path, c *corev1.Container, volumes map[string]bool, volumesKnown bool) {
	for j, vm := range c.VolumeMounts {
		mp := cp.AtName("volume_mount").AtListIndex(j)
		if vm.Name != "" && volumesKnown && !volumes[vm.Name] {
			v.errorf(mp.AtName("name"), "Volume Mount Names No Volume",
				"volume_mount %q names no volume of the pod. Add a volume block with name = %q to "+
					"spec.template.spec, or mount one of the volumes it has.", vm.Name, vm.Name)
		}
		if vm.MountPropagation != nil && *vm.MountPropagation == corev1.MountPropagationBidirectional &&
			(c.SecurityContext == nil || c.SecurityContext.Privileged == nil || !*c.SecurityContext.Privileged) &&
			v.known(cp.AtName("security_context")) {
			v.errorf(mp.AtName("mount_propagation"), "Bidirectional Propagation Needs Privileged",
				"mount_propagation \"Bidirectional\" is allowed only in a privileged container. Set "+
					"security_context { privileged = true } on container %q, or use \"HostToContainer\".", c.Name)
		}
	}
}
