package convert

import "strings"

// field names an attribute by the block it is in and its own name, as
// hashicorp/kubernetes and kubedaemon both spell them.
type field struct{ parent, attr string }

// defaults are the values hashicorp/kubernetes writes into its state when
// the configuration leaves an attribute out (its schema defaults, and what
// it reads back of Kubernetes' defaults), and which a configuration may
// also spell out. kubedaemon keeps neither: Kubernetes defaults them.
var defaults = map[field]any{
	{"update_strategy", "type"}:                        "RollingUpdate",
	{"strategy", "type"}:                               "RollingUpdate",
	{"spec", "revision_history_limit"}:                 int64(10),
	{"rolling_update", "max_unavailable"}:              "1",
	{"rolling_update", "max_surge"}:                    "0",
	{"spec", "automount_service_account_token"}:        true,
	{"spec", "enable_service_links"}:                   true,
	{"spec", "dns_policy"}:                             "ClusterFirst",
	{"spec", "restart_policy"}:                         "Always",
	{"spec", "scheduler_name"}:                         "default-scheduler",
	{"spec", "termination_grace_period_seconds"}:       int64(30),
	{"container", "termination_message_path"}:          "/dev/termination-log",
	{"container", "termination_message_policy"}:        "File",
	{"init_container", "termination_message_path"}:     "/dev/termination-log",
	{"init_container", "termination_message_policy"}:   "File",
	{"field_ref", "api_version"}:                       "v1",
	{"resource_field_ref", "divisor"}:                  "1",
	{"http_get", "scheme"}:                             "HTTP",
	{"toleration", "operator"}:                         "Equal",
	{"volume_mount", "mount_propagation"}:              "None",
	{"config_map", "default_mode"}:                     int64(0o644),
	{"secret", "default_mode"}:                         int64(0o644),
	{"downward_api", "default_mode"}:                   int64(0o644),
	{"projected", "default_mode"}:                      int64(0o644),
	{"service_account_token", "expiration_seconds"}:    int64(3600),
	{"security_context", "allow_privilege_escalation"}: true,
	{"liveness_probe", "failure_threshold"}:            int64(3),
	{"liveness_probe", "period_seconds"}:               int64(10),
	{"liveness_probe", "success_threshold"}:            int64(1),
	{"liveness_probe", "timeout_seconds"}:              int64(1),
	{"readiness_probe", "failure_threshold"}:           int64(3),
	{"readiness_probe", "period_seconds"}:              int64(10),
	{"readiness_probe", "success_threshold"}:           int64(1),
	{"readiness_probe", "timeout_seconds"}:             int64(1),
	{"startup_probe", "failure_threshold"}:             int64(3),
	{"startup_probe", "period_seconds"}:                int64(10),
	{"startup_probe", "success_threshold"}:             int64(1),
	{"startup_probe", "timeout_seconds"}:               int64(1),
}

// Default returns the value hashicorp/kubernetes records for attribute attr
// of block parent when the configuration leaves it out, if it has one that
// is not the zero value: an int64, a string or a bool.
func Default(parent, attr string) (any, bool) {
	v, ok := defaults[field{parent, attr}]
	return v, ok
}

// IsOctal reports whether hashicorp/kubernetes writes attribute attr as an
// octal string ("0644"): the file modes, which kubedaemon takes as numbers.
func IsOctal(attr string) bool { return attr == "mode" || attr == "default_mode" }

// DefaultPullPolicy is the image pull policy Kubernetes gives a container
// of image when it has none: Always for `latest` or no tag, IfNotPresent
// otherwise (and for an image by digest).
func DefaultPullPolicy(image string) string {
	if strings.Contains(image, "@") {
		return "IfNotPresent"
	}
	name := image[strings.LastIndex(image, "/")+1:]
	if i := strings.LastIndex(name, ":"); i >= 0 && name[i+1:] != "latest" {
		return "IfNotPresent"
	}
	return "Always"
}
