package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/render"
)

// renderOptions are the flags of `render`.
type renderOptions struct {
	valueFiles              []string
	set, setString, setJSON []string
	name, namespace         string
	outputDir, kubeVersion  string
	apiVersions             []string
	strict                  bool
	includeCRDs, skipTests  bool
}

func newRenderCommand(_ string, s streams) *cobra.Command {
	var o renderOptions
	cmd := &cobra.Command{
		Use:   "render PRESET|CHART_DIR|CHART.tgz",
		Short: "Render a preset or a Helm chart into Kubernetes manifests",
		Long: "Render a built-in preset (see `presets`), a Helm chart folder or a packaged chart (.tgz) into " +
			"Kubernetes objects with Helm's own engine, as `helm template` renders it: in install order, then " +
			"the hooks, on standard output or as one file per object in --output-dir. Namespaced objects " +
			"whose template names no namespace get the release namespace.\n\n" +
			"Values: the chart's defaults, then each -f file in order, then --set-json, --set and " +
			"--set-string, merged as Helm merges them (null deletes a key). --set values are typed by " +
			"the chart's values.schema.json, so --set image.tag=1234567 stays a string where the schema " +
			"says string.",
		Example: "  kubedaemon render node-exporter --namespace monitoring --set image.tag=v1.9.1\n" +
			"  kubedaemon render fluent-bit -f logging.yaml --set output.type=loki --output-dir out/\n" +
			"  kubedaemon render ./my-preset --name agent",
		Args: cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return runRender(s, args[0], o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.valueFiles, "values", "f", nil, "values file (YAML), repeatable; later files win")
	f.StringArrayVar(&o.set, "set", nil, "set a value: key=value, a.b=value, list[0]=value, list={a,b}; repeatable")
	f.StringArrayVar(&o.setString, "set-string", nil, "set a value as a string, whatever it looks like; repeatable")
	f.StringArrayVar(&o.setJSON, "set-json", nil, "set a value from JSON: key=JSON; repeatable")
	f.StringVar(&o.name, "name", "", "release name, the base of object names (default: the preset's name)")
	f.StringVar(&o.namespace, "namespace", "", "namespace of the objects (default: the preset's)")
	f.StringVar(&o.outputDir, "output-dir", "", "write one file per object into this folder instead of standard output")
	f.StringVar(&o.kubeVersion, "kube-version", "", "Kubernetes version templates see as .Capabilities.KubeVersion (default "+render.DefaultKubeVersion+")")
	f.StringArrayVarP(&o.apiVersions, "api-versions", "a", nil, "API version templates see in .Capabilities.APIVersions besides the built-in ones, e.g. monitoring.coreos.com/v1; repeatable")
	f.BoolVar(&o.strict, "strict", false, "fail when a template reads a value that is not set (by default it is empty, as in Helm)")
	f.BoolVar(&o.includeCRDs, "include-crds", false, "print the chart's crds/ files first, as helm template --include-crds")
	f.BoolVar(&o.skipTests, "skip-tests", false, "leave out test hooks (helm.sh/hook: test)")
	return cmd
}

func runRender(s streams, presetName string, o renderOptions) error {
	req := render.Request{
		Preset:      presetName,
		Name:        o.name,
		Namespace:   o.namespace,
		Set:         o.set,
		SetString:   o.setString,
		SetJSON:     o.setJSON,
		KubeVersion: o.kubeVersion,
		APIVersions: o.apiVersions,
		Strict:      o.strict,
		IncludeCRDs: o.includeCRDs,
		SkipTests:   o.skipTests,
	}
	for _, file := range o.valueFiles {
		b, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("read values file (-f): %w", err)
		}
		req.ValuesYAML = append(req.ValuesYAML, b)
		req.ValuesNames = append(req.ValuesNames, "-f "+file)
	}
	res, err := render.Render(req)
	if err != nil {
		return fmt.Errorf("render %s:\n%w", presetName, err)
	}
	if o.outputDir == "" {
		_, err := s.out.Write(res.Manifest)
		return err
	}
	if err := os.MkdirAll(o.outputDir, 0o755); err != nil {
		return fmt.Errorf("create --output-dir: %w", err)
	}
	// The number prefix keeps install order for `kubectl apply -f DIR`,
	// which applies files in name order.
	for i, obj := range res.Objects {
		name := fmt.Sprintf("%02d-%s-%s.yaml", i, strings.ToLower(obj.Kind), obj.Name)
		p := filepath.Join(o.outputDir, name)
		content := append([]byte("# Source: "+obj.Source+"\n"), obj.YAML...)
		if err := os.WriteFile(p, content, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		fmt.Fprintln(s.out, p)
	}
	return nil
}

func newPresetsCommand(_ string, s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "presets",
		Short: "List the built-in presets",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			w := tabwriter.NewWriter(s.out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "NAME\tVERSION\tNAMESPACE\tDESCRIPTION")
			for _, p := range render.List() {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", p.Name, p.Version, p.Namespace, p.Description)
			}
			return w.Flush()
		},
	}
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
