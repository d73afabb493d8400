package provider

import (
	"bytes"
	"flag"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

// update rewrites the generated parts of the module READMEs.
var update = flag.Bool("update", false, "rewrite the generated Inputs/Outputs tables of examples/modules/*/README.md")

// examplesDir is the repository's examples/ folder.
const examplesDir = "../../examples"

// exampleInputs are the arguments the examples that have required variables
// are planned with. A new example with a required variable fails
// TestAccExamples until it is listed here.
var exampleInputs = map[string]string{
	"provider":                `token = "example-token"`,
	"modules/csi-node-driver": `driver_name = "nfs.csi.k8s.io"` + "\n" + `driver_image = { repository = "registry.k8s.io/sig-storage/nfsplugin", tag = "v4.11.0" }`,
}

// exampleNodes are the nodes the examples name (the docs' examples use
// kubeadm-like names); the test adds them to the local cluster.
var exampleNodes = []string{"worker-0", "worker-1", "worker-2", "worker-gpu-0"}

// exampleDirs lists the folders under examples/ that hold a configuration,
// relative to examples/, e.g. "resources/kubedaemon_preset".
func exampleDirs(t *testing.T) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(examplesDir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".terraform" || d.Name() == "charts") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".tf") {
			rel, err := filepath.Rel(examplesDir, filepath.Dir(p))
			if err != nil {
				return err
			}
			if len(dirs) == 0 || dirs[len(dirs)-1] != rel {
				dirs = append(dirs, filepath.ToSlash(rel))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(dirs)
	return dirs
}

// TestAccExamples plans every configuration in examples/ (the docs'
// examples, the modules and the quickstart) against the local cluster, as a
// module of a configuration that passes the inputs in exampleInputs: every
// example must validate, and its data sources, chart paths and plan-time
// checks must work on a real cluster.
//
// NOTE: an example without a terraform block requires the provider by its
// implied address, hashicorp/kubedaemon; one with the block requires
// kubedaemon/kubedaemon. The in-process provider is served under the one the
// example asks for (TF_ACC_PROVIDER_NAMESPACE).
func TestAccExamples(t *testing.T) {
	addTestNodes(t, map[string]string{"kubedaemon.dev/test": "examples"}, exampleNodes...)
	dirs := exampleDirs(t)
	for want := range exampleInputs {
		if !contains(dirs, want) {
			t.Errorf("exampleInputs names %q, which is not an example folder", want)
		}
	}
	for _, dir := range dirs {
		t.Run(dir, func(t *testing.T) {
			abs, err := filepath.Abs(filepath.Join(examplesDir, dir))
			if err != nil {
				t.Fatal(err)
			}
			namespace := "hashicorp"
			if declaresProviderSource(t, abs) {
				namespace = "kubedaemon"
			}
			t.Setenv("TF_ACC_PROVIDER_NAMESPACE", namespace)
			// GOTCHA: Terraform copies a module with an absolute source into
			// .terraform/modules, where the quickstart's "../modules/..." and
			// the chart paths no longer resolve; a relative source is used in
			// place. The working directory is WorkingDir/workNNN.
			workingDir := t.TempDir()
			source, err := filepath.Rel(filepath.Join(workingDir, "work"), abs)
			if err != nil {
				t.Fatal(err)
			}
			// The output makes every plan non-empty, also the plan of an
			// example that only reads data sources.
			wrapper := fmt.Sprintf("module \"example\" {\n  source = %q\n  %s\n}\n\noutput \"example\" {\n  value     = module.example\n  sensitive = true\n}\n",
				filepath.ToSlash(source), exampleInputs[dir])
			file := filepath.Join(t.TempDir(), "main.tf")
			if err := os.WriteFile(file, []byte(wrapper), 0o600); err != nil {
				t.Fatal(err)
			}
			resource.Test(t, resource.TestCase{
				WorkingDir: workingDir,
				Steps: []resource.TestStep{{
					ConfigFile:               config.StaticFile(file),
					ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
					PlanOnly:                 true,
					ExpectNonEmptyPlan:       true,
				}},
			})
		})
	}
}

// declaresProviderSource reports whether the configuration in dir has a
// required_providers block.
func declaresProviderSource(t *testing.T, dir string) bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		body := parseHCL(t, f)
		for _, b := range body.Blocks {
			if b.Type != "terraform" {
				continue
			}
			for _, inner := range b.Body.Blocks {
				if inner.Type == "required_providers" {
					return true
				}
			}
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

func parseHCL(t *testing.T, file string) *hclsyntax.Body {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	f, diags := hclsyntax.ParseConfig(src, file, hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("%s: %s", file, diags.Error())
	}
	return f.Body.(*hclsyntax.Body)
}

// Markers of the generated part of a module README, as terraform-docs writes them.
const (
	docsBegin = "<!-- BEGIN_TF_DOCS -->"
	docsEnd   = "<!-- END_TF_DOCS -->"
)

// TestModuleREADMEs keeps the Inputs and Outputs tables of every module's
// README equal to its variables.tf and outputs.tf (terraform-docs' columns:
// name, description, type, default, required), and its usage examples on a
// released version (`?ref=vX.Y.Z`, the newest release in CHANGELOG.md).
// Run it with -update to rewrite the tables.
func TestModuleREADMEs(t *testing.T) {
	release := newestRelease(t)
	modules, err := filepath.Glob(filepath.Join(examplesDir, "modules", "*", "variables.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if len(modules) == 0 {
		t.Fatal("no module found under examples/modules")
	}
	sourceRef := regexp.MustCompile(`source\s*=\s*"([^"]*)"`)
	for _, vars := range modules {
		dir := filepath.Dir(vars)
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			readme := filepath.Join(dir, "README.md")
			raw, err := os.ReadFile(readme)
			if err != nil {
				t.Fatal(err)
			}
			text := string(raw)
			want := docsBegin + "\n" + moduleTables(t, dir) + docsEnd
			begin, end := strings.Index(text, docsBegin), strings.Index(text, docsEnd)
			got := ""
			if begin >= 0 && end > begin {
				got = text[begin : end+len(docsEnd)]
			}
			if got != want {
				if !*update {
					t.Errorf("%s: the Inputs/Outputs tables differ from variables.tf and outputs.tf; run "+
						"`go test ./internal/provider -run TestModuleREADMEs -update`.\nwant:\n%s", readme, want)
					return
				}
				if got == "" {
					// The first run replaces the hand-written tables from "## Inputs" on.
					if i := strings.Index(text, "## Inputs"); i >= 0 {
						text = text[:i]
					}
					text = strings.TrimRight(text, "\n") + "\n\n" + want + "\n"
				} else {
					text = strings.Replace(text, got, want, 1)
				}
				if err := os.WriteFile(readme, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			wantSource := fmt.Sprintf("github.com/kubedaemon/terraform-provider-kubedaemon//examples/modules/%s?ref=v%s", name, release)
			sources := sourceRef.FindAllStringSubmatch(text, -1)
			if len(sources) == 0 {
				t.Errorf("%s: no usage example with a module source", readme)
			}
			for _, s := range sources {
				if s[1] != wantSource {
					t.Errorf("%s: module source %q, want %q", readme, s[1], wantSource)
				}
			}
		})
	}
}

// newestRelease is the version of the first "## [X.Y.Z]" heading in CHANGELOG.md.
func newestRelease(t *testing.T) string {
	t.Helper()
	raw, err := os.ReadFile("../../CHANGELOG.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^## \[(\d+\.\d+\.\d+[^\]]*)\]`).FindSubmatch(raw)
	if m == nil {
		t.Fatal("CHANGELOG.md has no release heading such as ## [0.1.0]")
	}
	return string(m[1])
}

// moduleTables renders the Inputs and Outputs tables of the module in dir.
func moduleTables(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("## Inputs\n\n| Name | Description | Type | Default | Required |\n|------|-------------|------|---------|:--------:|\n")
	for _, v := range blocks(t, filepath.Join(dir, "variables.tf"), "variable") {
		def, required := "n/a", "yes"
		if v.attrs["default"] != "" {
			def, required = code(v.attrs["default"]), "no"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", v.name, cell(v.description), code(v.attrs["type"]), def, required)
	}
	b.WriteString("\n## Outputs\n\n| Name | Description |\n|------|-------------|\n")
	for _, o := range blocks(t, filepath.Join(dir, "outputs.tf"), "output") {
		fmt.Fprintf(&b, "| `%s` | %s |\n", o.name, cell(o.description))
	}
	return b.String()
}

// hclBlock is a variable or output: its name, description, and the source
// text of its other attributes.
type hclBlock struct {
	name, description string
	attrs             map[string]string
}

func blocks(t *testing.T, file, kind string) []hclBlock {
	t.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []hclBlock
	for _, b := range parseHCL(t, file).Blocks {
		if b.Type != kind || len(b.Labels) != 1 {
			continue
		}
		blk := hclBlock{name: b.Labels[0], attrs: map[string]string{}}
		for name, a := range b.Body.Attributes {
			if name == "description" {
				v, diags := a.Expr.Value(nil)
				if diags.HasErrors() {
					t.Fatalf("%s: %s.%s description: %s", file, kind, blk.name, diags.Error())
				}
				blk.description = v.AsString()
				continue
			}
			r := a.Expr.Range()
			blk.attrs[name] = string(bytes.TrimSpace(src[r.Start.Byte:r.End.Byte]))
		}
		out = append(out, blk)
	}
	return out
}

// code is HCL source as a table cell: inline code, or, when it spans lines,
// a <pre> block with <br> between the lines (as terraform-docs writes it).
func code(src string) string {
	if !strings.Contains(src, "\n") {
		return "`" + src + "`"
	}
	return "<pre>" + strings.ReplaceAll(html.EscapeString(src), "\n", "<br>") + "</pre>"
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ")
}

// TestDocsStateDefaultTimeouts keeps the default timeouts that the resources'
// doc templates state equal to the ones the code applies.
func TestDocsStateDefaultTimeouts(t *testing.T) {
	minutes := func(d time.Duration) string { return fmt.Sprintf("%d minutes", int(d.Minutes())) }
	for tmpl, defaults := range map[string][3]time.Duration{
		"daemonset.md.tmpl": {defaultCreateTimeout, defaultUpdateTimeout, defaultDeleteTimeout},
		"preset.md.tmpl":    {presetDefaultApplyTimeout, presetDefaultApplyTimeout, presetDefaultDeleteTimeout},
	} {
		raw, err := os.ReadFile(filepath.Join("..", "..", "doc-templates", "resources", tmpl))
		if err != nil {
			t.Fatal(err)
		}
		for i, op := range []string{"create", "update", "delete"} {
			row := regexp.MustCompile("(?m)^\\| `" + op + "` +\\| ([^|]*?) *\\|$").FindSubmatch(raw)
			if row == nil || string(row[1]) != minutes(defaults[i]) {
				t.Errorf("%s: the %s row of the Timeouts table must say %q, as the code does", tmpl, op, minutes(defaults[i]))
			}
		}
	}
}
