# NODE:KEY:EFFECT,KEY:EFFECT — the node and the taints the resource should own.
terraform import kubedaemon_node_taints.gpu worker-gpu-0:dedicated:NoSchedule
