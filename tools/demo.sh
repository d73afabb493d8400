#!/usr/bin/env bash
# demo.sh starts (or reuses) the local cluster and applies examples/quickstart
# with the real Terraform CLI and the provider built by `make build`, offline:
# the provider is installed from a local filesystem mirror, never a registry.
#
# usage: tools/demo.sh CLUSTER_NAME VERSION PROVIDER_BINARY
set -euo pipefail
name=${1:-demo}
version=${2:-0.1.0}
binary=${3:-bin/terraform-provider-kubedaemon}
root=$(cd "$(dirname "$0")/.." && pwd)
work="$root/bin/demo"

if ! command -v terraform >/dev/null 2>&1; then
	echo "demo: the Terraform CLI (1.11 or later) is needed and is not on PATH; install it and run 'make demo' again." >&2
	exit 1
fi

echo "==> local cluster \"$name\""
status=$(cd "$root/tools" && go run ./cluster status --name "$name")
if grep -q "NOT RUNNING\|is not running" <<<"$status"; then
	(cd "$root/tools" && go run ./cluster down --name "$name" >/dev/null)
	(cd "$root/tools" && go run ./cluster up --name "$name" --nodes "${NODES:-3}")
	status=$(cd "$root/tools" && go run ./cluster status --name "$name")
fi
kubeconfig=$(sed -n 's/^kubeconfig: //p' <<<"$status")
echo "$status"

echo "==> provider $version from a local plugin mirror"
mirror="$work/mirror"
plugin_dir="$mirror/registry.terraform.io/kubedaemon/kubedaemon/$version/linux_amd64"
rm -rf "$mirror" && mkdir -p "$plugin_dir"
cp "$binary" "$plugin_dir/terraform-provider-kubedaemon_v$version"
cat >"$work/terraformrc" <<RC
disable_checkpoint = true
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/kubedaemon/kubedaemon"]
  }
  direct {
    exclude = ["registry.terraform.io/kubedaemon/kubedaemon"]
  }
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc" CHECKPOINT_DISABLE=1
export KUBE_CONFIG_PATH="$kubeconfig"
export TF_DATA_DIR="$work/terraform-data"

qs="$root/examples/quickstart"
echo "==> terraform init / apply in examples/quickstart"
rm -f "$qs/.terraform.lock.hcl"
terraform -chdir="$qs" init -input=false -upgrade >/dev/null
terraform -chdir="$qs" apply -input=false -auto-approve -state="$work/terraform.tfstate"
echo
echo "==> what Terraform manages now"
terraform -chdir="$qs" state list -state="$work/terraform.tfstate"
cat <<EOM

Look around:
  export KUBECONFIG=$kubeconfig
  kubectl get nodes --show-labels
  kubectl get daemonsets -A -o wide
  kubectl get pods -A -o wide
Change examples/quickstart and run 'make demo' again; tear down with:
  terraform -chdir=examples/quickstart destroy -state=$work/terraform.tfstate   (same environment as above)
  make cluster-down CLUSTER_NAME=$name
EOM
