package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

func podTemplateBlock() schema.SingleNestedBlock {
	return single("Template of the pods the DaemonSet runs on each node.", nil, map[string]schema.Block{
		"metadata": single("Metadata of the pods.", map[string]schema.Attribute{
			"labels":        strMap("Labels of the pods; they must match `spec.selector`."),
			"annotations":   strMap("Annotations of the pods."),
			"name":          optString("Accepted as in hashicorp/kubernetes; the DaemonSet controller names the pods itself."),
			"generate_name": optString("Accepted as in hashicorp/kubernetes; the DaemonSet controller names the pods itself."),
		}, nil),
		"spec": required(podSpecBlock()),
	})
}

func podSpecBlock() schema.SingleNestedBlock {
	return single("Spec of the pods.", map[string]schema.Attribute{
		"service_account_name":             optString("Service account the pods run as."),
		"automount_service_account_token":  optBool("Whether the service account's token is mounted into the pods."),
		"host_network":                     defaultBool(defaultHostNetworkKey, "Use the node's network namespace. Defaults to `false`."),
		"host_pid":                         defaultBool(defaultHostPIDKey, "Use the node's PID namespace. Defaults to `false`."),
		"host_ipc":                         defaultBool(defaultHostIPCKey, "Use the node's IPC namespace. Defaults to `false`."),
		"dns_policy":                       enumString("DNS policy of the pods; use `ClusterFirstWithHostNet` with `host_network`.", dnsPolicies),
		"priority_class_name":              optString("Priority class, e.g. `system-node-critical` for daemons nodes cannot do without."),
		"runtime_class_name":               optString("Runtime class of the pods."),
		"restart_policy":                   optString("Restart policy; a DaemonSet's pods must restart `Always` (the default)."),
		"node_selector":                    strMap("Labels a node must have to run the daemon, e.g. `{ env = \"prod\" }`."),
		"termination_grace_period_seconds": optInt("Seconds a pod gets to stop after SIGTERM before it is killed."),
		"active_deadline_seconds":          optInt("Seconds a pod may run before Kubernetes stops it."),
		"enable_service_links":             optBool("Whether the services of the namespace are put into the environment; Kubernetes defaults it to `true`."),
		"share_process_namespace":          optBool("One process namespace for all containers of a pod."),
		"scheduler_name":                   optString("Scheduler that places the pods; Kubernetes defaults it to `default-scheduler`."),
		"hostname":                         optString("Host name of the pods; the pod's name when unset."),
		"subdomain":                        optString("Subdomain of the pods, `<hostname>.<subdomain>.<namespace>.svc`."),
		"set_hostname_as_fqdn":             optBool("Use the fully qualified domain name as the host name."),
		"node_name":                        optString("Node to run on, bypassing the scheduler; the DaemonSet controller places its pods itself."),
		"host_users":                       optBool("`false` runs the pods in a user namespace of their own."),
		"priority":                         optInt("Priority; Kubernetes sets it from `priority_class_name`."),
		"preemption_policy":                optString("`PreemptLowerPriority` (the default) or `Never`."),
		"overhead":                         quantityMap("Resources the pod's sandbox uses, on top of its containers'; set by the RuntimeClass's admission, and must equal it."),
	}, map[string]schema.Block{
		"container":          containerBlock("Containers of the pods."),
		"init_container":     containerBlock("Containers run to completion, in order, before the containers start; one with `restart_policy = \"Always\"` is a sidecar that runs beside them."),
		"volume":             volumeBlock(),
		"toleration":         tolerationBlock(),
		"affinity":           affinityBlock(),
		"security_context":   podSecurityContextBlock(),
		"image_pull_secrets": list("Secrets to pull images with.", map[string]schema.Attribute{"name": reqString("Secret name.")}, nil),
		"dns_config": single("DNS settings added to those of `dns_policy`.", map[string]schema.Attribute{
			"nameservers": strList("Name server addresses."),
			"searches":    strList("Search domains."),
		}, map[string]schema.Block{
			"option": list("Resolver options.", map[string]schema.Attribute{
				"name":  reqString("Option name, e.g. `ndots`."),
				"value": optString("Option value."),
			}, nil),
		}),
		"host_aliases": list("Entries added to the pods' /etc/hosts.", map[string]schema.Attribute{
			"ip":        reqString("IP address."),
			"hostnames": strList("Host names of the address."),
		}, nil),
		"os": single("Operating system of the pods.", map[string]schema.Attribute{
			"name": reqString("`linux` or `windows`."),
		}, nil),
		"readiness_gate": list("Pod conditions that must be true, besides the containers', for a pod to be ready.", map[string]schema.Attribute{
			"condition_type": reqString("Condition type."),
		}, nil),
		"topology_spread_constraint": topologySpreadConstraintBlock(),
		"resources":                  podResourcesBlock(),
	})
}

func topologySpreadConstraintBlock() schema.ListNestedBlock {
	return list("How the pods spread over topology domains (rarely useful for a DaemonSet, whose pods follow the nodes).",
		map[string]schema.Attribute{
			"max_skew":             optInt("Most difference of pod counts between domains; Kubernetes requires it."),
			"min_domains":          optInt("Least number of eligible domains."),
			"topology_key":         optString("Node label whose values are the domains."),
			"when_unsatisfiable":   optString("`DoNotSchedule` or `ScheduleAnyway`."),
			"match_label_keys":     strList("Pod label keys whose values select the pods to count."),
			"node_affinity_policy": optString("`Honor` or `Ignore` the pod's node affinity when counting."),
			"node_taints_policy":   optString("`Honor` or `Ignore` node taints when counting."),
		}, map[string]schema.Block{"label_selector": labelSelectorBlock("Labels of the pods to count.")})
}

// podResourcesBlock is the pod-level resource budget (Kubernetes 1.34 and
// later), shared by the containers.
func podResourcesBlock() schema.SingleNestedBlock {
	return single("Compute resources of the pod as a whole, shared by its containers (Kubernetes 1.34 and later).", map[string]schema.Attribute{
		"requests": quantityMap("Resources reserved for the pod."),
		"limits":   quantityMap("Most resources the pod may use."),
	}, nil)
}

func containerBlock(desc string) schema.ListNestedBlock {
	return list(desc, map[string]schema.Attribute{
		"name":                       reqString("Container name, a DNS-1123 label unique in the pod."),
		"image":                      reqString("Container image, e.g. `alpine:3.20`."),
		"image_pull_policy":          enumString("When to pull the image. Kubernetes defaults it from the tag.", imagePullPolicies),
		"command":                    strList("Entrypoint; the image's when unset."),
		"args":                       strList("Arguments to the entrypoint."),
		"working_dir":                optString("Working directory."),
		"termination_message_path":   optString("File the container writes its termination message to."),
		"termination_message_policy": enumString("Where the termination message comes from.", terminationMessagePolicies),
		"restart_policy":             optString("`Always` on an init container makes it a sidecar: it starts before the containers and runs beside them."),
		"stdin":                      optBool("Allocate a buffer for standard input."),
		"stdin_once":                 optBool("Close standard input after the first attach ends."),
		"tty":                        optBool("Allocate a TTY."),
	}, map[string]schema.Block{
		"env":              envBlock(),
		"env_from":         envFromBlock(),
		"port":             portBlock(),
		"resources":        resourcesBlock(),
		"volume_mount":     volumeMountBlock(),
		"security_context": containerSecurityContextBlock(),
		"volume_device": list("Block devices of `volume`s mapped into the container.", map[string]schema.Attribute{
			"name":        reqString("Name of a `volume` (a claim with `volume_mode = \"Block\"`)."),
			"device_path": reqString("Path of the device in the container."),
		}, nil),
		"resize_policy": list("How the container takes a change of its resources in place.", map[string]schema.Attribute{
			"resource_name":  reqString("Resource, `cpu` or `memory`."),
			"restart_policy": reqString("`NotRequired` or `RestartContainer`."),
		}, nil),
		"lifecycle": single("Hooks run after the container starts and before it stops.", nil, map[string]schema.Block{
			"post_start": handlerBlock("Run right after the container starts."),
			"pre_stop":   handlerBlock("Run before the container is stopped, e.g. to deregister a CSI driver."),
		}),
		"liveness_probe":  probeBlock("Restart the container when it fails."),
		"readiness_probe": probeBlock("Count the pod ready only while it succeeds."),
		"startup_probe":   probeBlock("Hold the other probes until it succeeds."),
	})
}

func envBlock() schema.ListNestedBlock {
	ref := func(desc, nameAttr string) schema.SingleNestedBlock {
		return single(desc, map[string]schema.Attribute{
			nameAttr:   reqString("Name of the object."),
			"key":      reqString("Key in the object."),
			"optional": optBool("Whether the object or key may be missing."),
		}, nil)
	}
	return list("Environment variables.", map[string]schema.Attribute{
		"name":  reqString("Variable name."),
		"value": optString("Literal value."),
	}, map[string]schema.Block{
		"value_from": single("Value from the Downward API, a ConfigMap or a Secret.", nil, map[string]schema.Block{
			"field_ref": single("A field of the pod, e.g. `status.hostIP`, `spec.nodeName`, `metadata.namespace`.",
				map[string]schema.Attribute{
					"api_version": optString("API version of `field_path`; Kubernetes defaults it to `v1`."),
					"field_path":  reqString("Path of the field, e.g. `status.hostIP`."),
				}, nil),
			"resource_field_ref": single("A resource request or limit of a container.", map[string]schema.Attribute{
				"container_name": optString("Container; this one when unset."),
				"resource":       reqString("Resource, e.g. `limits.memory`."),
				"divisor":        optQuantity("Divisor quantity, e.g. `1Mi`."),
			}, nil),
			"config_map_key_ref": ref("A key of a ConfigMap.", "name"),
			"secret_key_ref":     ref("A key of a Secret.", "name"),
		}),
	})
}

func envFromBlock() schema.ListNestedBlock {
	ref := func(desc string) schema.SingleNestedBlock {
		return single(desc, map[string]schema.Attribute{
			"name":     reqString("Name of the object."),
			"optional": optBool("Whether the object may be missing."),
		}, nil)
	}
	return list("Environment variables from every key of a ConfigMap or Secret.", map[string]schema.Attribute{
		"prefix": optString("Prefix added to each variable name."),
	}, map[string]schema.Block{
		"config_map_ref": ref("The ConfigMap."),
		"secret_ref":     ref("The Secret."),
	})
}

func portBlock() schema.ListNestedBlock {
	return list("Ports the container exposes.", map[string]schema.Attribute{
		"container_port": schema.Int64Attribute{Required: true, MarkdownDescription: "Port in the container, 1-65535."},
		"host_port":      optInt("Port opened on the node and forwarded to `container_port`, 1-65535; unique per protocol on the node."),
		"host_ip":        optString("Node address to bind `host_port` to."),
		"protocol":       defaultEnum(defaultPortProtocolKey, "Protocol.", portProtocols),
		"name":           optString("Port name, an IANA service name unique in the pod, e.g. `metrics`."),
	}, nil)
}

func resourcesBlock() schema.SingleNestedBlock {
	return single("Compute resources of the container.", map[string]schema.Attribute{
		"requests": quantityMap("Resources reserved for the container, as quantities: `{ cpu = \"100m\", memory = \"200Mi\" }`."),
		"limits":   quantityMap("Most resources the container may use, as quantities."),
	}, nil)
}

func volumeMountBlock() schema.ListNestedBlock {
	return list("Volumes mounted into the container.", map[string]schema.Attribute{
		"name":                reqString("Name of a `volume` of the pod."),
		"mount_path":          reqString("Path in the container."),
		"sub_path":            optString("Path inside the volume to mount instead of its root."),
		"read_only":           defaultBool(defaultReadOnlyKey, "Mount read-only. Defaults to `false`."),
		"mount_propagation":   enumString("How mounts propagate between node and container; `Bidirectional` needs a privileged container.", mountPropagations),
		"sub_path_expr":       optString("Like `sub_path`, with `$(VAR)` expanded from the container's environment, e.g. `$(POD_NAME)`."),
		"recursive_read_only": optString("`Enabled`, `IfPossible` or `Disabled`: whether a read-only mount is read-only in its submounts too."),
	}, nil)
}

func capabilitiesBlock() schema.SingleNestedBlock {
	return single("Linux capabilities.", map[string]schema.Attribute{
		"add":  strList("Capabilities to add, e.g. `NET_ADMIN`."),
		"drop": strList("Capabilities to drop, e.g. `ALL`."),
	}, nil)
}

func seccompProfileBlock() schema.SingleNestedBlock {
	return single("Seccomp profile.", map[string]schema.Attribute{
		"type":              schema.StringAttribute{Required: true, MarkdownDescription: oneOf(seccompProfileTypes), Validators: enumValidators(seccompProfileTypes)},
		"localhost_profile": optString("Profile file on the node, for `Localhost`."),
	}, nil)
}

func containerSecurityContextBlock() schema.SingleNestedBlock {
	return single("Security settings of the container.", map[string]schema.Attribute{
		"privileged":                 optBool("Run privileged (needed for `Bidirectional` mount propagation)."),
		"run_as_user":                optInt("UID to run as."),
		"run_as_group":               optInt("GID to run as."),
		"run_as_non_root":            optBool("Refuse to start as root."),
		"read_only_root_filesystem":  optBool("Mount the root filesystem read-only."),
		"allow_privilege_escalation": optBool("Whether a process may gain more privileges than its parent."),
		"proc_mount":                 optString("`Default` or `Unmasked` /proc."),
	}, map[string]schema.Block{
		"capabilities":      capabilitiesBlock(),
		"seccomp_profile":   seccompProfileBlock(),
		"se_linux_options":  seLinuxOptionsBlock(),
		"windows_options":   windowsOptionsBlock(),
		"app_armor_profile": appArmorProfileBlock(),
	})
}

func seLinuxOptionsBlock() schema.SingleNestedBlock {
	return single("SELinux context.", map[string]schema.Attribute{
		"level": optString("SELinux level."),
		"role":  optString("SELinux role."),
		"type":  optString("SELinux type, e.g. `spc_t`."),
		"user":  optString("SELinux user."),
	}, nil)
}

func windowsOptionsBlock() schema.SingleNestedBlock {
	return single("Windows settings.", map[string]schema.Attribute{
		"gmsa_credential_spec":      optString("GMSA credential spec, inline."),
		"gmsa_credential_spec_name": optString("GMSACredentialSpec object to use."),
		"host_process":              optBool("Run as a host process container."),
		"run_as_username":           optString("Windows user to run as."),
	}, nil)
}

func appArmorProfileBlock() schema.SingleNestedBlock {
	return single("AppArmor profile.", map[string]schema.Attribute{
		"type":              reqString("`RuntimeDefault`, `Unconfined` or `Localhost`."),
		"localhost_profile": optString("Profile loaded on the node, for `Localhost`."),
	}, nil)
}

func podSecurityContextBlock() schema.SingleNestedBlock {
	return single("Security settings of the pod.", map[string]schema.Attribute{
		"run_as_user":                optInt("UID the containers run as."),
		"run_as_group":               optInt("GID the containers run as."),
		"run_as_non_root":            optBool("Refuse to start containers as root."),
		"fs_group":                   optInt("GID that owns the volumes."),
		"supplemental_groups":        schema.ListAttribute{Optional: true, ElementType: int64Type, MarkdownDescription: "Extra GIDs of the containers' processes."},
		"supplemental_groups_policy": optString("`Merge` (the default) or `Strict`: whether the image's groups of the user are added."),
		"fs_group_change_policy":     optString("`OnRootMismatch` or `Always`: when volumes are chowned to `fs_group`."),
		"se_linux_change_policy":     optString("`MountOption` or `Recursive`: how volumes get the pod's SELinux label."),
	}, map[string]schema.Block{
		"seccomp_profile":   seccompProfileBlock(),
		"se_linux_options":  seLinuxOptionsBlock(),
		"windows_options":   windowsOptionsBlock(),
		"app_armor_profile": appArmorProfileBlock(),
		"sysctl": list("Namespaced sysctls.", map[string]schema.Attribute{
			"name":  reqString("Sysctl name."),
			"value": reqString("Value."),
		}, nil),
	})
}

func handlerBlocks() map[string]schema.Block {
	return map[string]schema.Block{
		"exec": single("Run a command in the container.", map[string]schema.Attribute{
			"command": strList("Command and arguments; not run in a shell unless you call one."),
		}, nil),
		"http_get": single("Send an HTTP GET.", map[string]schema.Attribute{
			"path":   optString("Path, e.g. `/healthz`."),
			"port":   reqString("Port number or name."),
			"host":   optString("Host; the pod IP when unset."),
			"scheme": enumString("Scheme.", httpSchemes),
		}, map[string]schema.Block{
			"http_header": list("Request headers.", map[string]schema.Attribute{
				"name":  reqString("Header name."),
				"value": reqString("Header value."),
			}, nil),
		}),
		"tcp_socket": single("Open a TCP connection.", map[string]schema.Attribute{
			"port": reqString("Port number or name."),
		}, nil),
	}
}

func handlerBlock(desc string) schema.SingleNestedBlock {
	blocks := handlerBlocks()
	blocks["sleep"] = single("Sleep, e.g. so that a node agent drains before it stops.", map[string]schema.Attribute{
		"seconds": schema.Int64Attribute{Required: true, MarkdownDescription: "Seconds to sleep."},
	}, nil)
	return single(desc, nil, blocks)
}

func probeBlock(desc string) schema.SingleNestedBlock {
	blocks := handlerBlocks()
	blocks["grpc"] = single("Call the gRPC health service.", map[string]schema.Attribute{
		"port":    schema.Int64Attribute{Required: true, MarkdownDescription: "Port number."},
		"service": optString("Service name for the health check."),
	}, nil)
	return single(desc+" Kubernetes defaults the timings it is not given.", map[string]schema.Attribute{
		"initial_delay_seconds":            optInt("Seconds after start before the first probe."),
		"period_seconds":                   optInt("Seconds between probes."),
		"timeout_seconds":                  optInt("Seconds before a probe times out."),
		"success_threshold":                optInt("Successes in a row that count as success."),
		"failure_threshold":                optInt("Failures in a row that count as failure."),
		"termination_grace_period_seconds": optInt("Seconds a pod that fails this probe gets to stop; the pod's when unset."),
	}, blocks)
}
