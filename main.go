// Command terraform-provider-kubedaemon serves the kubedaemon Terraform provider
// when Terraform starts it, and is the kubedaemon command line tool when a
// person runs it with a subcommand (render, presets, wait, ...).
package main

import (
	"context"
	"flag"
	"log"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/cli"
	"github.com/kubedaemon/terraform-provider-kubedaemon/internal/provider"
)

// version is set by goreleaser or `make build` through -ldflags.
var version = "dev"

func main() {
	if len(os.Args) > 1 && cli.IsCommand(os.Args[1]) {
		os.Exit(cli.Execute(context.Background(), version, os.Args[1:], os.Stdout, os.Stderr))
	}

	var debug bool
	flag.BoolVar(&debug, "debug", false, "set to true to run the provider with support for debuggers like delve")
	flag.Parse()

	err := providerserver.Serve(context.Background(), provider.New(version), providerserver.ServeOpts{
		Address: "registry.terraform.io/kubedaemon/kubedaemon",
		Debug:   debug,
	})
	if err != nil {
		log.Fatal(err.Error())
	}
}
