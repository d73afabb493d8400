package cli

// The handshake Terraform's plugin client (hashicorp/go-plugin) and the
// provider server agree on, as terraform-plugin-go's tf5server and tf6server
// declare it. Terraform puts it in the environment of every provider it
// starts; a person's shell does not have it.
const (
	magicCookieKey   = "TF_PLUGIN_MAGIC_COOKIE"
	magicCookieValue = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
)

// ServesProvider reports whether the binary must serve the Terraform
// provider rather than run the command line: when Terraform started it (its
// magic cookie is in the environment), or when the only argument is the
// provider's -debug flag (`terraform-provider-kubedaemon -debug`, for
// debuggers such as delve).
//
// NOTE: the decision is the handshake, not the arguments: a mistyped
// subcommand, no arguments at all or cobra's hidden __complete must reach the
// command line, which explains itself, rather than the plugin server, which
// only says it is a plugin.
func ServesProvider(getenv func(string) string, args []string) bool {
	if getenv(magicCookieKey) == magicCookieValue {
		return true
	}
	if len(args) != 1 {
		return false
	}
	switch args[0] {
	case "-debug", "--debug", "-debug=true", "--debug=true":
		return true
	}
	return false
}
