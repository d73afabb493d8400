// Command parity compares the pod template of hashicorp/kubernetes's
// kubernetes_daemon_set_v1 with kubedaemon_daemonset's, attribute by
// attribute, and prints the comparison as a Markdown table (the one in
// docs/guides/migrating-from-kubernetes.md). Its input is the output of
// `terraform providers schema -json` for a configuration that requires both
// providers, e.g. with `make build kubernetes-provider` and a CLI
// configuration whose dev_overrides point hashicorp/kubernetes and
// kubedaemon/kubedaemon at the two binaries:
//
//	terraform providers schema -json > schema.json
//	cd tools/kubernetes && go run ./parity < schema.json
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// The JSON layout of `terraform providers schema -json`, as much as this
// command reads.
type providerSchemas struct {
	ProviderSchemas map[string]struct {
		ResourceSchemas map[string]struct {
			Block block `json:"block"`
		} `json:"resource_schemas"`
	} `json:"provider_schemas"`
}

type block struct {
	Attributes map[string]attribute `json:"attributes"`
	BlockTypes map[string]struct {
		NestingMode string `json:"nesting_mode"`
		MaxItems    int    `json:"max_items"`
		Block       block  `json:"block"`
	} `json:"block_types"`
}

type attribute struct {
	Type     json.RawMessage `json:"type"`
	Optional bool            `json:"optional"`
	Required bool            `json:"required"`
	Computed bool            `json:"computed"`
}

// kind is how one schema has the attribute or block at a path.
func (a attribute) kind() string {
	var t any
	_ = json.Unmarshal(a.Type, &t)
	return typeName(t)
}

func typeName(t any) string {
	switch t := t.(type) {
	case string:
		return t
	case []any:
		if len(t) == 2 {
			return fmt.Sprintf("%s of %s", t[0], typeName(t[1]))
		}
	}
	return fmt.Sprint(t)
}

// walk records every attribute and block under b, by dotted path.
func walk(b block, at string, out map[string]string) {
	for name, a := range b.Attributes {
		out[join(at, name)] = a.kind()
	}
	for name, bt := range b.BlockTypes {
		kind := "block " + bt.NestingMode
		if bt.NestingMode == "list" && bt.MaxItems == 1 {
			kind = "block (one)"
		}
		if bt.NestingMode == "single" {
			kind = "block (one)"
		}
		out[join(at, name)] = kind
		walk(bt.Block, join(at, name), out)
	}
}

func join(at, name string) string {
	if at == "" {
		return name
	}
	return at + "." + name
}

// templateOf finds spec.template in a resource schema.
func templateOf(b block) (block, error) {
	for _, name := range []string{"spec", "template"} {
		bt, ok := b.BlockTypes[name]
		if !ok {
			return block{}, fmt.Errorf("no %s block", name)
		}
		b = bt.Block
	}
	return b, nil
}

func resourceBlock(s providerSchemas, provider, resource string) (block, error) {
	p, ok := s.ProviderSchemas[provider]
	if !ok {
		return block{}, fmt.Errorf("the schema has no provider %s", provider)
	}
	r, ok := p.ResourceSchemas[resource]
	if !ok {
		return block{}, fmt.Errorf("provider %s has no resource %s", provider, resource)
	}
	return templateOf(r.Block)
}

func run(in io.Reader, out io.Writer) error {
	var s providerSchemas
	if err := json.NewDecoder(in).Decode(&s); err != nil {
		return fmt.Errorf("decode the schema JSON: %w", err)
	}
	theirs, err := resourceBlock(s, "registry.terraform.io/hashicorp/kubernetes", "kubernetes_daemon_set_v1")
	if err != nil {
		return err
	}
	ours, err := resourceBlock(s, "registry.terraform.io/kubedaemon/kubedaemon", "kubedaemon_daemonset")
	if err != nil {
		return err
	}
	h, k := map[string]string{}, map[string]string{}
	walk(theirs, "", h)
	walk(ours, "", k)
	paths := make([]string, 0, len(h)+len(k))
	for p := range h {
		paths = append(paths, p)
	}
	for p := range k {
		if _, ok := h[p]; !ok {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	missing := 0
	fmt.Fprintln(out, "| attribute path (under `spec.template`) | hashicorp/kubernetes | kubedaemon |")
	fmt.Fprintln(out, "| --- | --- | --- |")
	for _, p := range paths {
		hk, kk := cell(h[p]), cell(k[p])
		if h[p] != "" && k[p] == "" {
			missing++
		}
		fmt.Fprintf(out, "| `%s` | %s | %s |\n", p, hk, kk)
	}
	fmt.Fprintf(out, "\n%d paths in hashicorp/kubernetes, %d in kubedaemon, %d of hashicorp's missing in kubedaemon.\n",
		len(h), len(k), missing)
	return nil
}

func cell(kind string) string {
	if kind == "" {
		return "—"
	}
	return strings.ReplaceAll(kind, "|", "\\|")
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "parity:", err)
		os.Exit(1)
	}
}
