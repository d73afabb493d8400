package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

// The volume sources of a pod, with the block and attribute names of
// hashicorp/kubernetes (ceph_monitors, rbd_image, data_disk_uri...: the
// exceptions are in jsonNames). File modes are numbers here: `mode = 420`
// is `0644`; hashicorp/kubernetes takes octal strings ("0644").

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

// secretRefBlock is a reference to a Secret by name.
func secretRefBlock(desc string) schema.SingleNestedBlock {
	return single(desc, map[string]schema.Attribute{"name": optString("Secret name.")}, nil)
}

func volumeBlock() schema.ListNestedBlock {
	return list("Volumes of the pods.", map[string]schema.Attribute{
		"name": reqString("Volume name, a DNS-1123 label unique in the pod."),
	}, volumeSourceBlocks())
}

func volumeSourceBlocks() map[string]schema.Block {
	blocks := map[string]schema.Block{
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
		"projected": projectedVolumeBlock(),
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
		"persistent_volume_claim": single("A PersistentVolumeClaim in the pod's namespace.", map[string]schema.Attribute{
			"claim_name": reqString("Claim name."),
			"read_only":  optBool("Mount read-only."),
		}, nil),
		"ephemeral": single("A volume provisioned for the pod by a PersistentVolumeClaim that lives as long as the pod.", nil,
			map[string]schema.Block{
				"volume_claim_template": single("The claim to create; Kubernetes requires it.", nil, map[string]schema.Block{
					"metadata": single("Labels and annotations of the claim.", map[string]schema.Attribute{
						"labels":      strMap("Labels."),
						"annotations": strMap("Annotations."),
					}, nil),
					"spec": persistentVolumeClaimSpecBlock(),
				}),
			}),
		"nfs": single("An NFS export.", map[string]schema.Attribute{
			"server":    reqString("NFS server address."),
			"path":      reqString("Exported path."),
			"read_only": optBool("Mount read-only."),
		}, nil),
		"image": single("An OCI image (or artifact) mounted read-only, e.g. a model or a tool set for the daemon.",
			map[string]schema.Attribute{
				"reference":   optString("Image reference, e.g. `registry.example.com/tools:v1`."),
				"pull_policy": enumString("When to pull the image.", imagePullPolicies),
			}, nil),
		"git_repo": single("A git repository cloned into the volume (deprecated and off by default since Kubernetes 1.33).",
			map[string]schema.Attribute{
				"repository": reqString("Repository URL."),
				"revision":   optString("Commit to check out."),
				"directory":  optString("Directory to clone into."),
			}, nil),
		"iscsi": single("An iSCSI disk.", map[string]schema.Attribute{
			"target_portal":   reqString("Target portal, `ip:port`."),
			"iqn":             reqString("iSCSI qualified name of the target."),
			"lun":             optInt("Target LUN."),
			"iscsi_interface": optString("iSCSI interface; `default` when unset."),
			"fs_type":         optString("Filesystem type."),
			"read_only":       optBool("Mount read-only."),
		}, nil),
		"fc": single("A Fibre Channel disk.", map[string]schema.Attribute{
			"target_ww_ns": strList("Target world wide names."),
			"lun":          optInt("Target LUN."),
			"fs_type":      optString("Filesystem type."),
			"read_only":    optBool("Mount read-only."),
		}, nil),
		"flex_volume": single("A volume of a FlexVolume driver (deprecated in Kubernetes).", map[string]schema.Attribute{
			"driver":    reqString("Driver name."),
			"fs_type":   optString("Filesystem type."),
			"options":   strMap("Driver options."),
			"read_only": optBool("Mount read-only."),
		}, map[string]schema.Block{"secret_ref": secretRefBlock("Secret passed to the driver.")}),
	}
	for name, b := range inTreeVolumeBlocks() {
		blocks[name] = b
	}
	return blocks
}

// inTreeVolumeBlocks are the cloud and storage-system volume sources that
// Kubernetes deprecated in favour of CSI drivers (it migrates them to
// those): kept for configurations that still use them.
func inTreeVolumeBlocks() map[string]schema.Block {
	fsRO := func(attrs map[string]schema.Attribute) map[string]schema.Attribute {
		attrs["fs_type"] = optString("Filesystem type.")
		attrs["read_only"] = optBool("Mount read-only.")
		return attrs
	}
	return map[string]schema.Block{
		"aws_elastic_block_store": single("An AWS EBS volume (deprecated: use the EBS CSI driver).", fsRO(map[string]schema.Attribute{
			"volume_id": reqString("Volume ID."),
			"partition": optInt("Partition number."),
		}), nil),
		"gce_persistent_disk": single("A GCE persistent disk (deprecated: use the PD CSI driver).", fsRO(map[string]schema.Attribute{
			"pd_name":   reqString("Disk name."),
			"partition": optInt("Partition number."),
		}), nil),
		"azure_disk": single("An Azure data disk (deprecated: use the Azure Disk CSI driver).", map[string]schema.Attribute{
			"disk_name":     reqString("Disk name."),
			"data_disk_uri": reqString("Disk URI."),
			"caching_mode":  reqString("Host caching: `None`, `ReadOnly` or `ReadWrite`."),
			"kind":          optString("`Shared`, `Dedicated` or `Managed`."),
			"fs_type":       optString("Filesystem type."),
			"read_only":     optBool("Mount read-only."),
		}, nil),
		"azure_file": single("An Azure file share (deprecated: use the Azure File CSI driver).", map[string]schema.Attribute{
			"secret_name": reqString("Secret with the account name and key."),
			"share_name":  reqString("Share name."),
			"read_only":   optBool("Mount read-only."),
		}, nil),
		"cinder": single("An OpenStack Cinder volume (deprecated: use the Cinder CSI driver).", fsRO(map[string]schema.Attribute{
			"volume_id": reqString("Volume ID."),
		}), map[string]schema.Block{"secret_ref": secretRefBlock("Secret with the OpenStack credentials.")}),
		"vsphere_volume": single("A vSphere volume (deprecated: use the vSphere CSI driver).", map[string]schema.Attribute{
			"volume_path": reqString("Path of the VMDK."),
			"fs_type":     optString("Filesystem type."),
		}, nil),
		"ceph_fs": single("A CephFS mount (removed from recent Kubernetes: use the Ceph CSI driver).", map[string]schema.Attribute{
			"monitors":    strList("Ceph monitors; Kubernetes requires them."),
			"path":        optString("Path in the file system."),
			"user":        optString("Ceph user."),
			"secret_file": optString("Keyring file of the user."),
			"read_only":   optBool("Mount read-only."),
		}, map[string]schema.Block{"secret_ref": secretRefBlock("Secret with the user's key.")}),
		"rbd": single("A Ceph RBD image (removed from recent Kubernetes: use the Ceph CSI driver).", fsRO(map[string]schema.Attribute{
			"ceph_monitors": strList("Ceph monitors; Kubernetes requires them."),
			"rbd_image":     reqString("Image name."),
			"rbd_pool":      optString("Pool; `rbd` when unset."),
			"rados_user":    optString("RADOS user; `admin` when unset."),
			"keyring":       optString("Keyring file."),
		}), map[string]schema.Block{"secret_ref": secretRefBlock("Secret with the user's key.")}),
		"glusterfs": single("A GlusterFS volume (removed from recent Kubernetes).", map[string]schema.Attribute{
			"endpoints_name": reqString("Endpoints object of the Gluster cluster."),
			"path":           reqString("Volume path."),
			"read_only":      optBool("Mount read-only."),
		}, nil),
		"photon_persistent_disk": single("A Photon persistent disk (removed from recent Kubernetes).", map[string]schema.Attribute{
			"pd_id":   reqString("Disk ID."),
			"fs_type": optString("Filesystem type."),
		}, nil),
		"quobyte": single("A Quobyte volume (removed from recent Kubernetes).", map[string]schema.Attribute{
			"registry":  reqString("Quobyte registry, `host:port`."),
			"volume":    reqString("Volume name."),
			"user":      optString("User."),
			"group":     optString("Group."),
			"read_only": optBool("Mount read-only."),
		}, nil),
		"flocker": single("A Flocker dataset (removed from recent Kubernetes).", map[string]schema.Attribute{
			"dataset_name": optString("Dataset name."),
			"dataset_uuid": optString("Dataset UUID."),
		}, nil),
	}
}

func projectedVolumeBlock() schema.SingleNestedBlock {
	return single("Several sources in one directory.", map[string]schema.Attribute{
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
			"cluster_trust_bundle": single("Certificates of ClusterTrustBundle objects, as one PEM file.", map[string]schema.Attribute{
				"name":        optString("ClusterTrustBundle name; or `signer_name` with `label_selector`."),
				"signer_name": optString("Signer whose bundles to take."),
				"optional":    optBool("Whether the bundle may be missing."),
				"path":        reqString("Relative path of the file."),
			}, map[string]schema.Block{"label_selector": labelSelectorBlock("Labels of the bundles to take.")}),
		}),
	})
}

// labelSelectorBlock is a metav1.LabelSelector.
func labelSelectorBlock(desc string) schema.SingleNestedBlock {
	return single(desc, map[string]schema.Attribute{
		"match_labels": strMap("Labels an object must have."),
	}, map[string]schema.Block{"match_expressions": labelSelectorRequirementBlock()})
}

func persistentVolumeClaimSpecBlock() schema.SingleNestedBlock {
	return single("Spec of the claim.", map[string]schema.Attribute{
		"access_modes":                 strList("Access modes, e.g. `ReadWriteOnce`."),
		"storage_class_name":           optString("Storage class; the cluster's default when unset."),
		"volume_mode":                  optString("`Filesystem` (the default) or `Block`."),
		"volume_name":                  optString("PersistentVolume to bind to."),
		"volume_attributes_class_name": optString("VolumeAttributesClass of the volume."),
	}, map[string]schema.Block{
		"resources": single("Storage to request.", map[string]schema.Attribute{
			"requests": quantityMap("Storage requested, e.g. `{ storage = \"1Gi\" }`."),
			"limits":   quantityMap("Most storage the volume may have."),
		}, nil),
		"selector": labelSelectorBlock("Labels of the volumes the claim may bind to."),
		"data_source": single("An object (a VolumeSnapshot, another claim) to fill the volume from.", map[string]schema.Attribute{
			"api_group": optString("API group of the object; the core group when unset."),
			"kind":      reqString("Kind of the object."),
			"name":      reqString("Name of the object."),
		}, nil),
		"data_source_ref": single("An object, possibly in another namespace, to fill the volume from.", map[string]schema.Attribute{
			"api_group": optString("API group of the object; the core group when unset."),
			"kind":      reqString("Kind of the object."),
			"name":      reqString("Name of the object."),
			"namespace": optString("Namespace of the object."),
		}, nil),
	})
}
