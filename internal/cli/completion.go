package cli

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/render"
)

// chartArgCommands are the commands whose chart argument (PRESET|CHART_DIR|
// CHART.tgz) completes to presets and charts.
var chartArgCommands = []string{"render", "values", "schema", "readme"}

// completedOutputs lists the --output values of the commands that have one.
var completedOutputs = map[string][]string{
	"render":  {"yaml", "json"},
	"presets": presetsFormats,
	"wait":    outputFormats,
}

// addCompletions teaches cobra's `completion` scripts the arguments and
// flag values of the subcommands. It lives apart from the commands so that
// every completion rule is in one place.
func addCompletions(root *cobra.Command) {
	for _, c := range root.Commands() {
		for _, name := range chartArgCommands {
			if c.Name() == name {
				c.ValidArgsFunction = completeChartArg
			}
		}
		if c.Name() == "wait" {
			c.ValidArgsFunction = completeWaitArg
		}
		if formats, ok := completedOutputs[c.Name()]; ok && c.Flags().Lookup("output") != nil {
			_ = c.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
		}
	}
}

// completeChartArg completes PRESET|CHART_DIR|CHART.tgz: the built-in
// presets and, in the working folder, chart folders and packaged charts.
// A word that is a path, or that names none of them, is left to the shell's
// own file completion, limited to folders and .tgz files.
//
// NOTE: the shells do file completion only when the program returns no
// word, so chart folders and archives beside the presets are listed here.
func completeChartArg(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if !wantsChartArg(cmd.Name(), args) {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	chartFiles := []string{"tgz"}
	if strings.ContainsAny(toComplete, `/\`) || strings.HasPrefix(toComplete, ".") || strings.HasPrefix(toComplete, "~") {
		return chartFiles, cobra.ShellCompDirectiveFilterFileExt
	}
	var words []string
	seen := map[string]bool{}
	for _, p := range render.List() {
		if strings.HasPrefix(p.Name, toComplete) {
			words = append(words, p.Name+"\t"+p.Description)
			seen[p.Name] = true
		}
	}
	entries, _ := os.ReadDir(".")
	for _, e := range entries {
		name := e.Name()
		if seen[name] || !strings.HasPrefix(name, toComplete) {
			continue
		}
		if isChartDir(name) {
			words = append(words, name+"\tchart folder")
		} else if !e.IsDir() && strings.HasSuffix(name, ".tgz") {
			words = append(words, name+"\tpackaged chart")
		}
	}
	if len(words) == 0 {
		return chartFiles, cobra.ShellCompDirectiveFilterFileExt
	}
	return words, cobra.ShellCompDirectiveNoFileComp
}

// wantsChartArg reports whether the next argument of the command is the
// chart: the first one, or for `render NAME CHART` the second one when the
// first names no chart (so it was the release name).
func wantsChartArg(command string, args []string) bool {
	switch len(args) {
	case 0:
		return true
	case 1:
		return command == "render" && !namesChart(args[0])
	}
	return false
}

// namesChart reports whether arg is a built-in preset or a path on disk.
func namesChart(arg string) bool {
	for _, p := range render.List() {
		if p.Name == arg {
			return true
		}
	}
	_, err := os.Stat(arg)
	return err == nil
}

// isChartDir reports whether dir is a folder with a Chart.yaml.
func isChartDir(dir string) bool {
	st, err := os.Stat(filepath.Join(dir, "Chart.yaml"))
	return err == nil && !st.IsDir()
}
