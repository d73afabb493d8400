package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/render"
)

// Modules whose versions `version` prints: the libraries that decide how
// kubedaemon talks to a cluster and how it renders charts.
const (
	clientGoModule = "k8s.io/client-go"
	helmModule     = "helm.sh/helm/v3"
)

// unknownVersion is printed for what the binary cannot tell about itself, e.g. the
// module versions in a test binary built without them.
const unknownVersion = "unknown"

func newVersionCommand(b Build, s streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the kubedaemon version and the versions of the libraries it is built with",
		Long: "Print, one per line: the kubedaemon version, the git commit it was built from, the Go " +
			"version and platform, and the versions of the Kubernetes client library (" + clientGoModule +
			") and of the Helm library (" + helmModule + ") it renders charts with. `kubedaemon --version` " +
			"prints the same. What the binary cannot tell is \"" + unknownVersion + "\".",
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprint(s.out, versionText(b))
			return err
		},
	}
}

// versionText is what `version` and `--version` print.
func versionText(b Build) string {
	deps := map[string]string{}
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, d := range info.Deps {
			if d.Replace != nil {
				d = d.Replace
			}
			deps[d.Path] = d.Version
		}
	}
	// NOTE: render pins HelmLibraryVersion to go.mod's Helm (a test keeps
	// them equal), so it stands in when the build info lists no modules.
	if deps[helmModule] == "" {
		deps[helmModule] = render.HelmLibraryVersion
	}
	var sb strings.Builder
	w := tabwriter.NewWriter(&sb, 0, 4, 2, ' ', 0)
	for _, line := range [][2]string{
		{"Version", orUnknown(b.Version)},
		{"Commit", orUnknown(b.Commit)},
		{"Go", runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH},
		{"Kubernetes client", clientGoModule + " " + orUnknown(deps[clientGoModule])},
		{"Helm library", helmModule + " " + orUnknown(deps[helmModule])},
	} {
		fmt.Fprintf(w, "%s:\t%s\n", line[0], line[1])
	}
	_ = w.Flush()
	return sb.String()
}

// orUnknown is v, or unknownVersion when v is empty.
func orUnknown(v string) string {
	if v == "" {
		return unknownVersion
	}
	return v
}

// develVersion is what the Go toolchain records as the main module's version
// when it builds from a checkout rather than from a module version.
const develVersion = "(devel)"

// WithBuildInfo returns b with what -ldflags left at its default ("dev",
// "none" or empty) filled from what the Go toolchain recorded in the binary:
// the module version of a `go install ...@v0.1.0` build, the commit of a build
// in a git checkout with VCS stamping on.
func (b Build) WithBuildInfo() Build {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return b
	}
	return b.withBuildInfo(info)
}

func (b Build) withBuildInfo(info *debug.BuildInfo) Build {
	if (b.Version == "" || b.Version == "dev") && info.Main.Version != "" && info.Main.Version != develVersion {
		b.Version = strings.TrimPrefix(info.Main.Version, "v")
	}
	if b.Commit == "" || b.Commit == "none" {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 7 {
				b.Commit = s.Value[:7]
			}
		}
	}
	return b
}
