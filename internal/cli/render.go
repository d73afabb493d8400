package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/render"
)

// renderOptions are the flags of `render`.
type renderOptions struct {
	valueFiles                       []string
	set, setString, setJSON, setFile []string
	name, namespace                  string
	outputDir, kubeVersion, output   string
	apiVersions, showOnly            []string
	strict                           bool
	includeCRDs, skipTests           bool
}

// releaseName is what release names and namespaces must be: a DNS label,
// as object names derive from them.
var releaseName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

func newRenderCommand(_ string, s streams) *cobra.Command {
	var o renderOptions
	cmd := &cobra.Command{
		Use:   "render [NAME] PRESET|CHART_DIR|CHART.tgz",
		Short: "Render a preset or a Helm chart into Kubernetes manifests",
		Long: "Render a built-in preset (see `presets`), a Helm chart folder or a packaged chart (.tgz) into " +
			"Kubernetes objects with Helm's own engine, as `helm template` renders it: in install order, then " +
			"the hooks, on standard output or, with --output-dir, as Helm writes them (DIR/CHART/templates/FILE). " +
			"Namespaced objects whose template names no namespace get the release namespace. NAME is the " +
			"release name, as in `helm template NAME CHART` (default: the chart's name).\n\n" +
			"Values: the chart's defaults, then each -f file in order (-f - reads standard input), then " +
			"--set-json, --set, --set-string and --set-file, merged as Helm merges them (null deletes a key). " +
			"--set values are typed by the chart's values.schema.json, so --set image.tag=1234567 stays a " +
			"string where the schema says string.",
		Example: "  kubedaemon render node-exporter -n monitoring --set image.tag=v1.9.1\n" +
			"  kubedaemon render logs fluent-bit -f logging.yaml --set output.type=loki --output-dir out/\n" +
			"  kubedaemon render agent ./my-chart -s templates/daemonset.yaml -o json\n" +
			"  cat prod.yaml | kubedaemon render ./my-chart-1.2.0.tgz -f -",
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 2 {
				if cmd.Flags().Changed("name") && o.name != args[0] {
					return &exitError{code: exitUsage, msg: fmt.Sprintf("the release name is given twice: as NAME (%q) and --name (%q); give one", args[0], o.name)}
				}
				o.name, args = args[0], args[1:]
			}
			return runRender(s, cmd.InOrStdin(), args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.valueFiles, "values", "f", nil, "values file (YAML), repeatable; later files win; - reads standard input")
	f.StringArrayVar(&o.set, "set", nil, "set a value: key=value, a.b=value, list[0]=value, list={a,b}; repeatable")
	f.StringArrayVar(&o.setString, "set-string", nil, "set a value as a string, whatever it looks like; repeatable")
	f.StringArrayVar(&o.setJSON, "set-json", nil, "set a value from JSON: key=JSON; repeatable")
	f.StringArrayVar(&o.setFile, "set-file", nil, "set a value to the content of a file: key=path; repeatable")
	f.StringVar(&o.name, "name", "", "release name, the base of object names (default: the chart's name); the same as NAME")
	f.StringVarP(&o.namespace, "namespace", "n", "", "namespace of the objects (default: the chart's kubedaemon.dev/namespace annotation, or default)")
	f.StringVar(&o.outputDir, "output-dir", "", "write the manifests into DIR/CHART/templates/FILE, as helm template --output-dir, instead of standard output")
	f.StringArrayVarP(&o.showOnly, "show-only", "s", nil, "only the manifests of this template, e.g. templates/daemonset.yaml (a glob works); repeatable")
	f.StringVarP(&o.output, "output", "o", "yaml", "output format: yaml (a YAML stream, as helm template) or json (a v1 List of the objects)")
	f.StringVar(&o.kubeVersion, "kube-version", "", "Kubernetes version templates see as .Capabilities.KubeVersion (default "+render.DefaultKubeVersion+")")
	f.StringArrayVarP(&o.apiVersions, "api-versions", "a", nil, "API version templates see in .Capabilities.APIVersions besides the built-in ones, e.g. monitoring.coreos.com/v1; repeatable")
	f.BoolVar(&o.strict, "strict", false, "fail when a template reads a value that is not set (by default it is empty, as in Helm)")
	f.BoolVar(&o.includeCRDs, "include-crds", false, "print the chart's crds/ files first, as helm template --include-crds")
	f.BoolVar(&o.skipTests, "skip-tests", false, "leave out test hooks (helm.sh/hook: test)")
	return cmd
}

// check refuses flag values the render cannot use, naming the flag.
func (o renderOptions) check() error {
	if o.name != "" && (len(o.name) > 53 || !releaseName.MatchString(o.name)) {
		return fmt.Errorf("release name %q (NAME or --name) is not valid: use at most 53 lowercase letters, digits and '-', "+
			"starting and ending with a letter or digit, e.g. node-exporter", o.name)
	}
	if o.namespace != "" && (len(o.namespace) > 63 || !releaseName.MatchString(o.namespace)) {
		return fmt.Errorf("--namespace %q is not a namespace name: use at most 63 lowercase letters, digits and '-', "+
			"starting and ending with a letter or digit, e.g. monitoring", o.namespace)
	}
	if o.output != "yaml" && o.output != "json" {
		return fmt.Errorf("--output %q is not a format: use yaml or json", o.output)
	}
	if o.outputDir != "" && o.output != "yaml" {
		return fmt.Errorf("--output-dir writes YAML files: leave out --output %s", o.output)
	}
	return nil
}

func runRender(s streams, stdin io.Reader, chart string, o renderOptions) error {
	if err := o.check(); err != nil {
		return &exitError{code: exitUsage, msg: err.Error()}
	}
	req := render.Request{
		Preset:      chart,
		Name:        o.name,
		Namespace:   o.namespace,
		Set:         o.set,
		SetString:   o.setString,
		SetJSON:     o.setJSON,
		SetFile:     o.setFile,
		KubeVersion: o.kubeVersion,
		APIVersions: o.apiVersions,
		Strict:      o.strict,
		IncludeCRDs: o.includeCRDs,
		SkipTests:   o.skipTests,
	}
	req.SetNames = map[render.Source]string{}
	for kind, exprs := range map[render.SourceKind][]string{
		render.SourceSet: o.set, render.SourceSetString: o.setString, render.SourceSetJSON: o.setJSON, render.SourceSetFile: o.setFile,
	} {
		for i, e := range exprs {
			req.SetNames[render.Source{Kind: kind, Index: i}] = "--" + kind.Flag() + " " + e
		}
	}
	for _, file := range o.valueFiles {
		var b []byte
		var err error
		if file == "-" {
			b, err = io.ReadAll(stdin)
		} else {
			b, err = os.ReadFile(file)
		}
		if err != nil {
			return fmt.Errorf("read values file (-f %s): %w", file, err)
		}
		req.ValuesYAML = append(req.ValuesYAML, b)
		req.ValuesNames = append(req.ValuesNames, "-f "+file)
	}
	res, err := render.Render(req)
	if err != nil {
		return fmt.Errorf("render %s:\n%w", chart, err)
	}
	docs := manifestDocs(res.Manifest)
	if len(o.showOnly) > 0 {
		if docs, err = showOnly(docs, res.Chart.Name, o.showOnly); err != nil {
			return err
		}
	}
	switch {
	case o.outputDir != "":
		return writeOutputDir(s, o.outputDir, docs)
	case o.output == "json":
		return writeJSONList(s, docs)
	}
	for _, d := range docs {
		if _, err := fmt.Fprintf(s.out, "---\n# Source: %s\n%s", d.source, d.yaml); err != nil {
			return err
		}
	}
	return nil
}

// manifestDoc is one document of a manifest and the template it came from.
type manifestDoc struct {
	source, yaml string
}

// manifestDocs splits a manifest at its "---\n# Source: " lines, as Helm's
// --show-only and --output-dir do.
func manifestDocs(manifest []byte) []manifestDoc {
	var out []manifestDoc
	for _, part := range strings.Split(string(manifest), "---\n# Source: ") {
		if part == "" {
			continue
		}
		source, body, _ := strings.Cut(part, "\n")
		out = append(out, manifestDoc{source: source, yaml: body})
	}
	return out
}

// showOnly keeps the documents of the templates the patterns name, relative
// to the chart (templates/daemonset.yaml) or with the chart's name; a
// pattern that names no template is an error, as in helm template.
func showOnly(docs []manifestDoc, chartName string, patterns []string) ([]manifestDoc, error) {
	var out []manifestDoc
	for _, pat := range patterns {
		pat = filepath.ToSlash(pat)
		full := pat
		if !strings.HasPrefix(pat, chartName+"/") {
			full = chartName + "/" + pat
		}
		found := false
		for _, d := range docs {
			if ok, _ := path.Match(full, d.source); ok || d.source == full {
				out = append(out, d)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("--show-only %s: chart %s renders no template by that name: give a path such as "+
				"templates/daemonset.yaml, relative to the chart", pat, chartName)
		}
	}
	return out, nil
}

// writeOutputDir writes each document into DIR/SOURCE, the documents of one
// template into one file, and lists the files, as helm template
// --output-dir does.
func writeOutputDir(s streams, dir string, docs []manifestDoc) error {
	written := map[string]bool{}
	for _, d := range docs {
		p := filepath.Join(dir, filepath.FromSlash(d.source))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("create --output-dir: %w", err)
		}
		flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
		if written[p] {
			flags = os.O_APPEND | os.O_WRONLY
		}
		f, err := os.OpenFile(p, flags, 0o644)
		if err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		_, err = fmt.Fprintf(f, "---\n# Source: %s\n%s", d.source, d.yaml)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		if !written[p] {
			fmt.Fprintf(s.out, "wrote %s\n", p)
		}
		written[p] = true
	}
	return nil
}

// writeJSONList prints the objects as one v1 List, as kubectl -o json prints
// several objects.
func writeJSONList(s streams, docs []manifestDoc) error {
	items := []any{}
	for _, d := range docs {
		var obj map[string]any
		if err := yaml.Unmarshal([]byte(d.yaml), &obj); err != nil {
			return fmt.Errorf("%s: %w", d.source, err)
		}
		if obj != nil {
			items = append(items, obj)
		}
	}
	b, err := json.MarshalIndent(map[string]any{"apiVersion": "v1", "kind": "List", "items": items}, "", "    ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(s.out, "%s\n", b)
	return err
}

// presetsFormats lists what `presets --output` prints; the first is the
// default.
var presetsFormats = []string{"table", "json", "yaml"}

func newPresetsCommand(_ string, s streams) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "presets",
		Short: "List the built-in presets",
		Long: "List the built-in presets: a table by default, or with -o json or -o yaml the list of presets " +
			"with their name, chart version, appVersion (the daemon's version), description and namespace.",
		Example: "  kubedaemon presets\n  kubedaemon presets -o json",
		Args:    cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return printPresets(s, output, render.List())
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", presetsFormats[0], "output format: "+strings.Join(presetsFormats, ", "))
	return cmd
}

// printPresets prints presets in the output format.
func printPresets(s streams, output string, presets []render.PresetInfo) error {
	if presets == nil {
		presets = []render.PresetInfo{}
	}
	switch output {
	case "table":
		w := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(w, "NAME\tVERSION\tNAMESPACE\tDESCRIPTION")
		for _, p := range presets {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", p.Name, p.Version, p.Namespace, p.Description)
		}
		return w.Flush()
	case "json":
		b, err := json.MarshalIndent(presets, "", "    ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(s.out, "%s\n", b)
		return err
	case "yaml":
		b, err := yaml.Marshal(presets)
		if err != nil {
			return err
		}
		_, err = s.out.Write(b)
		return err
	}
	return &exitError{code: exitUsage, msg: fmt.Sprintf("--output %q is not a format: use %s", output, strings.Join(presetsFormats, ", "))}
}

func newValuesCommand(_ string, s streams) *cobra.Command {
	return &cobra.Command{
		Use:     "values PRESET|CHART_DIR|CHART.tgz",
		Short:   "Print a preset's default values, with their comments, as helm show values",
		Example: "  kubedaemon values fluent-bit > logging.yaml",
		Args:    cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			b, err := render.DefaultValues(args[0])
			if err != nil {
				return err
			}
			_, err = s.out.Write(b)
			return err
		},
	}
}

func newSchemaCommand(_ string, s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "schema PRESET|CHART_DIR|CHART.tgz",
		Short: "Print a preset's values schema (values.schema.json)",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			b, err := render.Schema(args[0])
			if err != nil {
				return err
			}
			_, err = s.out.Write(b)
			return err
		},
	}
}

func newReadmeCommand(_ string, s streams) *cobra.Command {
	return &cobra.Command{
		Use:     "readme PRESET|CHART_DIR|CHART.tgz",
		Short:   "Print a preset's README.md, as helm show readme",
		Example: "  kubedaemon readme node-exporter",
		Args:    cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			b, err := render.Readme(args[0])
			if err != nil {
				return err
			}
			_, err = s.out.Write(b)
			return err
		},
	}
}
