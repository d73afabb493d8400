package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

func podTemplateBlock() schema.SingleNestedBlock {
	return single("Template of the pods the DaemonSet runs on each node.", nil, map[string]schema.Block{
		"metadata": single("Metadata of the pods.", map[string]schema.Attribute{
			"labels":      strMap("Labels of the pods; they must match `spec.selector`."),
			"annotations": strMap("Annotations of the pods."),
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
	}, map[string]schema.Block{
		"container":          containerBlock("Containers of the pods."),
		"init_container":     containerBlock("Containers run to completion, in order, before the containers start."),
		"volume":             volumeBlock(),
		"toleration":         tolerationBlock(),
		"affinity":           affinityBlock(),
		"security_context":   podSecurityContextBlock(),
		"image_pull_secrets": list("Secrets to pull images with.", map[string]schema.Attribute{"name": reqString("Secret name.")}, nil),
	})
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
	}, map[string]schema.Block{
		"env":              envBlock(),
		"env_from":         envFromBlock(),
		"port":             portBlock(),
		"resources":        resourcesBlock(),
		"volume_mount":     volumeMountBlock(),
		"security_context": containerSecurityContextBlock(),
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
		"name":              reqString("Name of a `volume` of the pod."),
		"mount_path":        reqString("Path in the container."),
		"sub_path":          optString("Path inside the volume to mount instead of its root."),
		"read_only":         defaultBool(defaultReadOnlyKey, "Mount read-only. Defaults to `false`."),
		"mount_propagation": enumString("How mounts propagate between node and container; `Bidirectional` needs a privileged container.", mountPropagations),
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
	}, map[string]schema.Block{
		"capabilities":    capabilitiesBlock(),
		"seccomp_profile": seccompProfileBlock(),
	})
}

func podSecurityContextBlock() schema.SingleNestedBlock {
	return single("Security settings of the pod.", map[string]schema.Attribute{
		"run_as_user":         optInt("UID the containers run as."),
		"run_as_group":        optInt("GID the containers run as."),
		"run_as_non_root":     optBool("Refuse to start containers as root."),
		"fs_group":            optInt("GID that owns the volumes."),
		"supplemental_groups": schema.ListAttribute{Optional: true, ElementType: int64Type, MarkdownDescription: "Extra GIDs of the containers' processes."},
	}, map[string]schema.Block{
		"seccomp_profile": seccompProfileBlock(),
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
	return single(desc, nil, handlerBlocks())
}

func probeBlock(desc string) schema.SingleNestedBlock {
	blocks := handlerBlocks()
	blocks["grpc"] = single("Call the gRPC health service.", map[string]schema.Attribute{
		"port":    schema.Int64Attribute{Required: true, MarkdownDescription: "Port number."},
		"service": optString("Service name for the health check."),
	}, nil)
	return single(desc+" Kubernetes defaults the timings it is not given.", map[string]schema.Attribute{
		"initial_delay_seconds": optInt("Seconds after start before the first probe."),
		"period_seconds":        optInt("Seconds between probes."),
		"timeout_seconds":       optInt("Seconds before a probe times out."),
		"success_threshold":     optInt("Successes in a row that count as success."),
		"failure_threshold":     optInt("Failures in a row that count as failure."),
	}, blocks)
}

func keyToPathBlock() schema.ListNestedBlock {
	return list("Keys to project, each to a path; every key when unset.", map[string]schema.Attribute{
		"key":  reqString("Key."),
		"path": reqString("Relative path of the file."),
		"mode": optInt("File mode, e.g. `0644` as decimal 420."),
	}, nil)
}

func downwardAPIItemsBlock() schema.ListNestedBlock {
	return list("Files with pod fields.", map[string]schema.Attribute{
		"path": reqString("Relative path of the file."),
		"mode": optInt("File mode."),
	}, map[string]schema.Block{
		"field_ref": single("A field of the pod.", map[string]schema.Attribute{
			"api_version": optString("API version of `field_path`."),
			"field_path":  reqString("Path of the field, e.g. `metadata.labels`."),
		}, nil),
		"resource_field_ref": single("A resource of a container.", map[string]schema.Attribute{
			"container_name": optString("Container."),
			"resource":       reqString("Resource, e.g. `limits.cpu`."),
			"divisor":        optQuantity("Divisor quantity."),
		}, nil),
	})
}

func volumeBlock() schema.ListNestedBlock {
	return list("Volumes of the pods.", map[string]schema.Attribute{
		"name": reqString("Volume name, a DNS-1123 label unique in the pod."),
	}, map[string]schema.Block{
		"host_path": single("A file or directory of the node, e.g. `/var/log`.", map[string]schema.Attribute{
			"path": reqString("Path on the node."),
			"type": enumString("What must be at `path`; no check when unset.", hostPathTypes),
		}, nil),
		"config_map": single("A ConfigMap's keys as files.", map[string]schema.Attribute{
			"name":         reqString("ConfigMap name."),
			"default_mode": optInt("Mode of the files."),
			"optional":     optBool("Whether the ConfigMap may be missing."),
		}, map[string]schema.Block{"items": keyToPathBlock()}),
		"secret": single("A Secret's keys as files.", map[string]schema.Attribute{
			"secret_name":  reqString("Secret name."),
			"default_mode": optInt("Mode of the files."),
			"optional":     optBool("Whether the Secret may be missing."),
		}, map[string]schema.Block{"items": keyToPathBlock()}),
		"empty_dir": single("A scratch directory that lives as long as the pod.", map[string]schema.Attribute{
			"medium":     optString("`Memory` for a tmpfs; the node's disk when unset."),
			"size_limit": optQuantity("Largest size, a quantity such as `1Gi`."),
		}, nil),
		"downward_api": single("Pod fields as files.", map[string]schema.Attribute{
			"default_mode": optInt("Mode of the files."),
		}, map[string]schema.Block{"items": downwardAPIItemsBlock()}),
		"projected": single("Several sources in one directory.", map[string]schema.Attribute{
			"default_mode": optInt("Mode of the files."),
		}, map[string]schema.Block{
			"sources": list("Sources, in order.", nil, map[string]schema.Block{
				"config_map": single("A ConfigMap.", map[string]schema.Attribute{
					"name":     reqString("ConfigMap name."),
					"optional": optBool("Whether it may be missing."),
				}, map[string]schema.Block{"items": keyToPathBlock()}),
				"secret": single("A Secret.", map[string]schema.Attribute{
					"name":     reqString("Secret name."),
					"optional": optBool("Whether it may be missing."),
				}, map[string]schema.Block{"items": keyToPathBlock()}),
				"downward_api": single("Pod fields.", nil, map[string]schema.Block{"items": downwardAPIItemsBlock()}),
				"service_account_token": single("A token of the pod's service account.", map[string]schema.Attribute{
					"audience":           optString("Audience of the token."),
					"expiration_seconds": optInt("Lifetime of the token."),
					"path":               reqString("Relative path of the file."),
				}, nil),
			}),
		}),
		"csi": single("A volume of a CSI driver.", map[string]schema.Attribute{
			"driver":            reqString("Driver name."),
			"read_only":         optBool("Mount read-only."),
			"fs_type":           optString("Filesystem type."),
			"volume_attributes": strMap("Driver-specific attributes."),
		}, map[string]schema.Block{
			"node_publish_secret_ref": single("Secret passed to the driver.", map[string]schema.Attribute{
				"name": reqString("Secret name."),
			}, nil),
		}),
	})
}
