package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/convert"
)

func newConvertCommand(_ string, s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "convert FILE.tf",
		Short: "Print kubedaemon resources and moved blocks for a file's hashicorp/kubernetes DaemonSets, node labels and taints",
		Long: "Read FILE.tf and print, for each kubernetes_daemon_set_v1 (or kubernetes_daemonset), kubernetes_labels " +
			"of kind Node and kubernetes_node_taint in it, the same resource as kubedaemon_daemonset, " +
			"kubedaemon_node_labels or kubedaemon_node_taints, then a moved block for each (Terraform 1.8 or later). " +
			"Expressions and comments are kept; values that Kubernetes defaults anyway are left out, and octal file " +
			"modes (\"0644\") become numbers, as the state move does, so that `terraform plan` after the move is " +
			"empty. Other blocks of the file are not printed. Warnings (a value that is an expression, a " +
			"kubernetes_labels of another kind) go to standard error.",
		Example: "  kubedaemon convert daemonsets.tf > kubedaemon.tf",
		Args:    cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			src, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			out, warnings, err := convert.File(src, args[0])
			if err != nil {
				return err
			}
			for _, w := range warnings {
				fmt.Fprintln(s.errOut, "warning:", w)
			}
			_, err = s.out.Write(out)
			return err
		},
	}
}
