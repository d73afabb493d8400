package convert

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// targets maps the hashicorp/kubernetes resource types File converts to
// kubedaemon's.
var targets = map[string]string{
	"kubernetes_daemon_set_v1": "kubedaemon_daemonset",
	"kubernetes_daemonset":     "kubedaemon_daemonset",
	"kubernetes_labels":        "kubedaemon_node_labels",
	"kubernetes_node_taint":    "kubedaemon_node_taints",
}

// File converts the resources of one .tf file. It returns the kubedaemon
// resources and a `moved` block for each, and a warning per resource it
// leaves alone (kubernetes_labels of another kind than Node) or per value
// it cannot check (an expression where a default or an octal mode may be).
func File(src []byte, filename string) ([]byte, []string, error) {
	in, diags := hclwrite.ParseConfig(src, filename, hcl.InitialPos)
	if diags.HasErrors() {
		return nil, nil, fmt.Errorf("parse %s: %w", filename, diags)
	}
	out := hclwrite.NewEmptyFile()
	var moved [][2]string
	var warnings []string
	for _, b := range in.Body().Blocks() {
		labels := b.Labels()
		if b.Type() != "resource" || len(labels) != 2 || targets[labels[0]] == "" {
			continue
		}
		from, name := labels[0], labels[1]
		c := &converter{at: from + "." + name}
		var converted *hclwrite.Block
		switch from {
		case "kubernetes_labels":
			converted = c.labels(b)
		case "kubernetes_node_taint":
			converted = c.taints(b)
		default:
			c.daemonSet(b.Body(), "resource")
			converted = b
		}
		warnings = append(warnings, c.warnings...)
		if converted == nil {
			continue
		}
		converted.SetLabels([]string{targets[from], name})
		if len(out.Body().Blocks()) > 0 {
			out.Body().AppendNewline()
		}
		out.Body().AppendBlock(converted)
		moved = append(moved, [2]string{from + "." + name, targets[from] + "." + name})
	}
	for _, m := range moved {
		out.Body().AppendNewline()
		mb := out.Body().AppendNewBlock("moved", nil)
		mb.Body().SetAttributeTraversal("from", traversal(m[0]))
		mb.Body().SetAttributeTraversal("to", traversal(m[1]))
	}
	return append(hclwrite.Format(out.Bytes()), '\n'), warnings, nil
}

func traversal(addr string) hcl.Traversal {
	t, diags := hclsyntax.ParseTraversalAbs([]byte(addr), "", hcl.InitialPos)
	if diags.HasErrors() {
		panic(fmt.Sprintf("traversal %q: %s", addr, diags))
	}
	return t
}

type converter struct {
	at       string
	warnings []string
}

func (c *converter) warnf(format string, args ...any) {
	c.warnings = append(c.warnings, c.at+": "+fmt.Sprintf(format, args...))
}

// literal is the value of an attribute's expression when it is a constant
// (no variable, no function); ok is false otherwise.
func literal(a *hclwrite.Attribute) (cty.Value, bool) {
	expr, diags := hclsyntax.ParseExpression(a.Expr().BuildTokens(nil).Bytes(), "", hcl.InitialPos)
	if diags.HasErrors() || len(expr.Variables()) > 0 {
		return cty.NilVal, false
	}
	v, diags := expr.Value(nil)
	if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() {
		return cty.NilVal, false
	}
	return v, true
}

// goValue is v as Default's values are: an int64, a string or a bool.
func goValue(v cty.Value) any {
	switch v.Type() {
	case cty.String:
		return v.AsString()
	case cty.Bool:
		return v.True()
	case cty.Number:
		if i, acc := v.AsBigFloat().Int64(); acc == 0 {
			return i
		}
	}
	return nil
}

// daemonSet rewrites a DaemonSet's block body (of block type parent): the
// strategy block becomes update_strategy, octal modes become numbers, and
// attributes set to what Kubernetes defaults anyway are left out, as the
// state move leaves them out. A block emptied that way goes too.
func (c *converter) daemonSet(body *hclwrite.Body, parent string) {
	attrs := body.Attributes()
	names := make([]string, 0, len(attrs))
	for name := range attrs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		a := attrs[name]
		v, ok := literal(a)
		if !ok {
			if _, has := Default(parent, name); has || IsOctal(name) {
				c.warnf("%s.%s is an expression: check that it is not %s's default, and that a mode is a number", parent, name, parent)
			}
			continue
		}
		if def, has := Default(parent, name); has && goValue(v) == def {
			body.RemoveAttribute(name)
			continue
		}
		if IsOctal(name) && v.Type() == cty.String {
			n, err := strconv.ParseInt(v.AsString(), 8, 64)
			if err != nil {
				c.warnf("%s.%s = %q is not an octal file mode", parent, name, v.AsString())
				continue
			}
			body.SetAttributeValue(name, cty.NumberIntVal(n))
		}
	}
	if parent == "container" || parent == "init_container" {
		c.dropDefaultPullPolicy(body)
	}
	for _, b := range body.Blocks() {
		if b.Type() == "strategy" {
			b.SetType("update_strategy")
		}
		before := len(b.Body().Attributes()) + len(b.Body().Blocks())
		c.daemonSet(b.Body(), b.Type())
		if before > 0 && len(b.Body().Attributes())+len(b.Body().Blocks()) == 0 {
			body.RemoveBlock(b)
		}
	}
}

func (c *converter) dropDefaultPullPolicy(body *hclwrite.Body) {
	pa, ia := body.GetAttribute("image_pull_policy"), body.GetAttribute("image")
	if pa == nil || ia == nil {
		return
	}
	policy, ok1 := literal(pa)
	image, ok2 := literal(ia)
	if ok1 && ok2 && policy.Type() == cty.String && image.Type() == cty.String &&
		policy.AsString() == DefaultPullPolicy(image.AsString()) {
		body.RemoveAttribute("image_pull_policy")
	}
}

// nodeName moves metadata { name = ... } of body to node_name.
func (c *converter) nodeName(from, to *hclwrite.Body) bool {
	md := from.FirstMatchingBlock("metadata", nil)
	if md == nil || md.Body().GetAttribute("name") == nil {
		c.warnf("no metadata.name: left out")
		return false
	}
	to.SetAttributeRaw("node_name", md.Body().GetAttribute("name").Expr().BuildTokens(nil))
	return true
}

// labels converts a kubernetes_labels of kind Node. Its field manager is
// not written: the state move keeps it.
func (c *converter) labels(b *hclwrite.Block) *hclwrite.Block {
	body := b.Body()
	if k := body.GetAttribute("kind"); k != nil {
		if v, ok := literal(k); !ok || v.Type() != cty.String || v.AsString() != "Node" {
			c.warnf("labels something else than a Node: left out (kubedaemon_node_labels labels nodes)")
			return nil
		}
	}
	nb := hclwrite.NewBlock("resource", b.Labels())
	if !c.nodeName(body, nb.Body()) {
		return nil
	}
	if l := body.GetAttribute("labels"); l != nil {
		nb.Body().SetAttributeRaw("labels", l.Expr().BuildTokens(nil))
	}
	if f := body.GetAttribute("force"); f != nil {
		nb.Body().SetAttributeRaw("force_conflicts", f.Expr().BuildTokens(nil))
	}
	return nb
}

// taints converts a kubernetes_node_taint. Its force and field manager have
// no counterpart: kubedaemon merges taints without a conflict with other
// clients.
func (c *converter) taints(b *hclwrite.Block) *hclwrite.Block {
	body := b.Body()
	nb := hclwrite.NewBlock("resource", b.Labels())
	if !c.nodeName(body, nb.Body()) {
		return nil
	}
	for _, t := range body.Blocks() {
		if t.Type() == "taint" {
			nb.Body().AppendBlock(t)
		}
	}
	return nb
}
