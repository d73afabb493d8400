#!/usr/bin/env bash
# Fleet-scale figures on a local cluster of N KWOK nodes, measured through the
# real Terraform CLI and the provider binary:
#   labels-create      kubedaemon_node_labels over every node (node_selector)
#   labels-refresh     terraform plan -refresh-only of it
#   labels-destroy     releasing the labels
#   taints-create      kubedaemon_node_taints over every node, and its
#   taints-refresh     refresh and destroy, as for the labels
#   taints-destroy
#   nodes-data         data.kubedaemon_nodes over every node (state size too)
#   nodes-names        the same with names_only = true
#   daemonset-create   kubedaemon_daemonset on every node, waited for
#   daemonset-update   a new image, 10% of the nodes at a time
#   daemonset-stuck    an unpullable image: fail-fast names the stuck pods
# For each step: seconds, the provider's peak RSS (VmHWM of every provider
# process Terraform starts) and the API server's own request counts
# (apiserver_request_total, all clients) of pods and nodes by verb.
#
# usage: bash tools/scale/run.sh N        e.g. 1000 or 5000
#        SCALE_STEPS=nodes bash tools/scale/run.sh N   labels, taints and nodes only
# needs: terraform (or TF=tofu) and kubectl on PATH, the cluster binaries
# (make cluster-binaries; built on first use otherwise, ~25 min on 2 cores).
set -euo pipefail
N=${1:-1000}
TF=${TF:-terraform}
root=$(cd "$(dirname "$0")/../.." && pwd)
for tool in "$TF" kubectl; do
	command -v "$tool" >/dev/null || { echo "$tool is not on PATH: install it and run again" >&2; exit 2; }
done
work=$(mktemp -d)
name=scale$N
cleanup() {
	(cd "$root" && "$TF" -chdir="$work/tf" destroy -auto-approve -input=false >/dev/null 2>&1) || true
	(cd "$root/tools" && go run ./cluster down --name "$name" >/dev/null 2>&1) || true
	rm -rf "$work"
}
trap cleanup EXIT

echo "building the provider and starting a cluster of $N nodes" >&2
mkdir -p "$work/bin" "$work/tf"
(cd "$root" && go build -o "$work/bin/terraform-provider-kubedaemon" .)
(cd "$root/tools" && go run ./cluster up --name "$name" --nodes "$N") >"$work/up.txt"
kubeconfig=$(awk '/^kubeconfig:/ {print $2}' "$work/up.txt")
cat >"$work/tfrc" <<EOF
provider_installation {
  dev_overrides { "registry.terraform.io/kubedaemon/kubedaemon" = "$work/bin" }
  direct {}
}
disable_checkpoint = true
EOF
export TF_CLI_CONFIG_FILE=$work/tfrc KUBE_CONFIG_PATH=$kubeconfig KUBECONFIG=$kubeconfig TF_IN_AUTOMATION=1

cat >"$work/tf/main.tf" <<'EOF'
terraform {
  required_providers {
    kubedaemon = { source = "kubedaemon/kubedaemon" }
  }
}
variable "image" { type = string }
variable "labels" { type = bool }
variable "taints" {
  type    = bool
  default = false
}
resource "kubedaemon_daemonset" "logd" {
  stuck_grace = "10s"
  timeouts {
    create = "30m"
    update = "30m"
  }
  metadata {
    name      = "logd"
    namespace = "default"
  }
  spec {
    selector {
      match_labels = { app = "logd" }
    }
    update_strategy {
      type = "RollingUpdate"
      rolling_update {
        max_unavailable = "10%"
      }
    }
    template {
      metadata {
        labels = { app = "logd" }
      }
      spec {
        container {
          name  = "logd"
          image = var.image
        }
      }
    }
  }
}
resource "kubedaemon_node_labels" "fleet" {
  count         = var.labels ? 1 : 0
  node_selector = { "kubernetes.io/os" = "linux" }
  labels        = { "example.com/fleet" = "scale" }
}
resource "kubedaemon_node_taints" "fleet" {
  count         = var.taints ? 1 : 0
  node_selector = { "kubernetes.io/os" = "linux" }
  taint {
    key    = "example.com/fleet"
    value  = "scale"
    effect = "PreferNoSchedule"
  }
}
EOF

# requests prints "pods:LIST=n nodes:PATCH=m ..." summed from the API
# server's metrics.
requests() {
	kubectl get --raw /metrics | awk '
		/^apiserver_request_total\{/ {
			if (match($0, /resource="(pods|nodes)"/) == 0) next
			res = substr($0, RSTART + 10, RLENGTH - 11)
			match($0, /verb="[A-Z]+"/); verb = substr($0, RSTART + 6, RLENGTH - 7)
			if ($0 ~ /subresource="[a-z]/) next
			# A list of the pods of one namespace is a DaemonSet (the wait
			# diagnosis); kwok lists pods across namespaces by node.
			if (res == "pods" && verb == "LIST" && $0 ~ /scope="cluster"/) res = "pods(all-namespaces)"
			n[res ":" verb] += $NF
		}
		END { for (k in n) printf "%s=%d\n", k, n[k] }' | sort
}

# delta BEFORE AFTER prints the counts that changed.
delta() {
	join -t= -a2 -e0 -o 0,1.2,2.2 <(echo "$1") <(echo "$2") |
		awk -F= '$3 - $2 > 0 { printf "%s %d, ", $1, $3 - $2 }' | sed 's/, $//'
}

# settle waits, up to three minutes, until no pod or node request reaches the
# API server for 10 s. "cluster up" returns once every node is Ready, but
# kwok then still reports node status and lists each node's pods for about a
# minute (at 5 000 nodes, 126 status patches and 104 pod listings a second,
# a core of the API server): a step measured then measures that.
settle() {
	local prev cur i
	prev=$(requests)
	for i in $(seq 18); do
		sleep 10
		cur=$(requests)
		[ -z "$(delta "$prev" "$cur")" ] && return 0
		prev=$cur
	done
	echo "  (the cluster did not settle within 3 minutes: $(delta "$prev" "$cur"))"
}
settle

printf '%-17s %8s %13s  %s\n' step seconds "peak RSS MiB" "API requests (pods/nodes, all clients)"
# provider_peak raises peak to the largest VmHWM (KiB) of the provider
# processes running now. It uses shell builtins only: step calls it every
# 50 ms on the machine it measures, where a pgrep and an awk per call took
# about a tenth of two cores.
provider_peak() {
	local d arg0 key value
	for d in /proc/[0-9]*; do
		{ IFS= read -r -d '' arg0 <"$d/cmdline"; } 2>/dev/null || continue
		[[ $arg0 == "$work/bin/terraform-provider-kubedaemon"* ]] || continue
		while read -r key value _; do
			if [ "$key" = VmHWM: ]; then
				[ "$value" -gt "$peak" ] && peak=$value
				break
			fi
		done 2>/dev/null <"$d/status"
	done
	return 0
}

step() {
	local label=$1 expect=$2
	shift 2
	local before after start end rc=0
	peak=0
	before=$(requests)
	start=$(date +%s.%N)
	(cd "${tfdir:-$work/tf}" && "$TF" "$@" -input=false -no-color >"$work/$label.log" 2>&1) &
	local tfpid=$!
	while kill -0 "$tfpid" 2>/dev/null; do
		provider_peak
		sleep 0.05
	done
	wait "$tfpid" || rc=$?
	end=$(date +%s.%N)
	after=$(requests)
	if { [ "$expect" = ok ] && [ "$rc" != 0 ]; } || { [ "$expect" = fail ] && [ "$rc" = 0 ]; }; then
		echo "$label: terraform exited $rc, expected $expect; log:" >&2
		tail -40 "$work/$label.log" >&2
		exit 1
	fi
	printf '%-17s %8.1f %13.1f  %s\n' "$label" "$(echo "$end - $start" | bc)" "$(echo "scale=1; $peak / 1024" | bc)" "$(delta "$before" "$after")"
}

# Labels, taints and the nodes data source first, on a cluster that runs no daemon
# yet: a DaemonSet of thousands of pods stuck in image pull back-off keeps a
# two-core machine busy, which is not what these steps measure.
labels=(-target='kubedaemon_node_labels.fleet' -var image=alpine:3.20)
step labels-create ok apply -auto-approve "${labels[@]}" -var labels=true
step labels-refresh ok plan -refresh-only "${labels[@]}" -var labels=true
step labels-destroy ok destroy -auto-approve "${labels[@]}" -var labels=true
taints=(-target='kubedaemon_node_taints.fleet' -var image=alpine:3.20 -var labels=false)
step taints-create ok apply -auto-approve "${taints[@]}" -var taints=true
step taints-refresh ok plan -refresh-only "${taints[@]}" -var taints=true
step taints-destroy ok destroy -auto-approve "${taints[@]}" -var taints=true


# The nodes data source, in a configuration of its own so that its state
# size is its own.
for mode in data names; do
	mkdir -p "$work/nodes-$mode"
	cat >"$work/nodes-$mode/main.tf" <<EOF
terraform {
  required_providers {
    kubedaemon = { source = "kubedaemon/kubedaemon" }
  }
}
data "kubedaemon_nodes" "all" {
  names_only = $([ "$mode" = names ] && echo true || echo false)
}
output "count" { value = length(data.kubedaemon_nodes.all.names) }
EOF
	tfdir=$work/nodes-$mode step "nodes-$mode" ok apply -auto-approve
	echo "  state: $(du -k "$work/nodes-$mode/terraform.tfstate" | cut -f1) KiB for $(cd "$work/nodes-$mode" && "$TF" output -raw count) nodes"
done

[ "${SCALE_STEPS:-all}" = nodes ] && exit 0

step daemonset-create ok apply -auto-approve -var image=alpine:3.20 -var labels=false
step daemonset-update ok apply -auto-approve -var image=alpine:3.21 -var labels=false
step daemonset-stuck fail apply -auto-approve -var image=registry.invalid/unpullable:1 -var labels=false
grep -E "and [0-9]+ more failing|failing in all" "$work/daemonset-stuck.log" | sed 's/^[│ ]*/  stuck diagnosis: /' || true
