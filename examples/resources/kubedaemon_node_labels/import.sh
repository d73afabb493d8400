# NODE:KEY1,KEY2 — the node and the label keys the resource should own.
terraform import kubedaemon_node_labels.prod worker-0:env,host
