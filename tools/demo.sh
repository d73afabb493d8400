#!/usr/bin/env bash
# demo.sh applies examples/quickstart to the local cluster with the real
# Terraform or OpenTofu CLI and the provider built by `make build`, offline:
# the provider is installed from a local filesystem mirror, never a registry.
# `make demo` and `make demo-down` run it; everything it writes (a copy of the
# examples, the state, the plugin mirror) stays in bin/demo/CLUSTER_NAME/.
#
# usage: tools/demo.sh up|down CLUSTER_NAME VERSION PROVIDER_BINARY TF_BINARY
#
# BUILD_SECONDS (what `make demo` spent building first) joins the summary.
set -euo pipefail
action=${1:?usage: demo.sh up|down CLUSTER_NAME VERSION PROVIDER_BINARY TF_BINARY}
name=${2:?cluster name}
version=${3:?provider version}
binary=${4:?provider binary}
tf=${5:?terraform or tofu binary}
root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/bin/demo/$name"
# NOTE: a copy of examples/, so that the quickstart's "../modules/..." source
# resolves, and so that the state, the lock file and .terraform/ are written
# here and not in the tree, without the deprecated -state flag.
run="$work/examples/quickstart"
cluster() { (cd "$root/tools" && go run ./cluster "$@"); }

if ! command -v "$tf" >/dev/null 2>&1; then
	echo "demo: $tf is not on PATH. Install the Terraform CLI (1.11 or later), or run 'make demo TF=tofu' to build OpenTofu from the Go module proxy." >&2
	exit 1
fi
tf_name=$(basename "$tf")
tf_version=$("$tf" version 2>/dev/null | awk '/^(Terraform|OpenTofu) v/ && !n++')

# down_flags prints the make arguments that name this demo's cluster.
down_flags() { [ "$name" = demo ] || echo " CLUSTER_NAME=$name"; }

# seconds N prints N seconds as 1m05s or 42s.
seconds() { if [ "$1" -ge 60 ]; then printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); else printf '%ds' "$1"; fi; }

# cli_config writes the CLI configuration that installs the provider from the
# mirror under both registries' addresses: "kubedaemon/kubedaemon" is
# registry.terraform.io/... to Terraform and registry.opentofu.org/... to OpenTofu.
cli_config() {
	local mirror="$work/mirror" host
	rm -rf "$mirror"
	for host in registry.terraform.io registry.opentofu.org; do
		mkdir -p "$mirror/$host/kubedaemon/kubedaemon/$version/linux_amd64"
		cp "$binary" "$mirror/$host/kubedaemon/kubedaemon/$version/linux_amd64/terraform-provider-kubedaemon_v$version"
	done
	cat >"$work/terraformrc" <<RC
disable_checkpoint = true
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/kubedaemon/kubedaemon", "registry.opentofu.org/kubedaemon/kubedaemon"]
  }
  direct {
    exclude = ["registry.terraform.io/kubedaemon/kubedaemon", "registry.opentofu.org/kubedaemon/kubedaemon"]
  }
}
RC
}

# The environment both actions run the CLI in (OpenTofu reads TF_CLI_CONFIG_FILE too).
export TF_CLI_CONFIG_FILE="$work/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

# applied_with prints the CLI binary that applied the demo state, if the state
# holds any resources.
applied_with() {
	if [ -s "$work/applied-with" ] && [ -s "$run/terraform.tfstate" ] && ! grep -q '"resources": \[\]' "$run/terraform.tfstate"; then
		cat "$work/applied-with"
	fi
}

down() {
	local status kubeconfig prior
	prior=$(applied_with)
	status=$(cluster status --name "$name")
	if [ -n "$prior" ] && ! grep -q "NOT RUNNING\|is not running" <<<"$status"; then
		kubeconfig=$(sed -n 's/^kubeconfig: //p' <<<"$status")
		if [ "$prior" != "$tf" ]; then
			echo "demo: the demo on cluster \"$name\" was applied with $prior, which destroys it" >&2
			tf=$prior
		fi
		echo "==> $(basename "$tf") destroy in $run"
		# The cluster goes next anyway: a failed destroy is reported, not fatal.
		KUBE_CONFIG_PATH="$kubeconfig" "$tf" -chdir="$run" destroy -input=false -auto-approve ||
			echo "demo: destroy failed (see above); stopping the cluster all the same" >&2
	fi
	echo "==> local cluster \"$name\""
	cluster down --name "$name"
	rm -rf "$work"
}

up() {
	local start status kubeconfig t0 t_cluster t_init t_apply prior build total
	start=$(date +%s)
	prior=$(applied_with)
	if [ -n "$prior" ] && [ "$prior" != "$tf" ]; then
		echo "demo: the demo on cluster \"$name\" is applied with $(basename "$prior"); remove it first with 'make demo-down$(down_flags)', or use another CLUSTER_NAME." >&2
		exit 1
	fi

	echo "==> local cluster \"$name\""
	t0=$(date +%s)
	status=$(cluster status --name "$name")
	if grep -q "NOT RUNNING\|is not running" <<<"$status"; then
		cluster down --name "$name" >/dev/null
		cluster up --name "$name" --nodes "${NODES:-3}"
		status=$(cluster status --name "$name")
	fi
	kubeconfig=$(sed -n 's/^kubeconfig: //p' <<<"$status")
	echo "$status"
	t_cluster=$(($(date +%s) - t0))

	echo "==> provider $version from a local plugin mirror, $tf_version"
	mkdir -p "$run"
	cli_config
	# The examples as they are now; the state and .terraform/ stay.
	rm -rf "$work/examples/modules"
	find "$run" -maxdepth 1 -name '*.tf' -delete
	cp -R "$root/examples/quickstart/." "$run/"
	cp -R "$root/examples/modules" "$work/examples/"
	export KUBE_CONFIG_PATH="$kubeconfig"

	echo "==> $tf_name init / apply in a copy of examples/quickstart ($run)"
	t0=$(date +%s)
	"$tf" -chdir="$run" init -input=false -upgrade >/dev/null
	t_init=$(($(date +%s) - t0))
	t0=$(date +%s)
	echo "$tf" >"$work/applied-with"
	"$tf" -chdir="$run" apply -input=false -auto-approve
	t_apply=$(($(date +%s) - t0))
	echo
	echo "==> what $tf_name manages now"
	"$tf" -chdir="$run" state list
	cat <<EOM

Look around:
  export KUBECONFIG=$kubeconfig
  kubectl get nodes --show-labels
  kubectl get daemonsets -A -o wide
Change examples/quickstart and run 'make demo' again.

EOM
	build=${BUILD_SECONDS:-0}
	total=$(($(date +%s) - start + build))
	echo "demo: applied with $tf_version in $(seconds "$total") (build $(seconds "$build"), cluster $(seconds "$t_cluster"), init $(seconds "$t_init"), apply $(seconds "$t_apply")); remove it with: make demo-down$(down_flags)"
}

case "$action" in
up) up ;;
down) down ;;
*)
	echo "usage: demo.sh up|down CLUSTER_NAME VERSION PROVIDER_BINARY TF_BINARY" >&2
	exit 2
	;;
esac
