# Import a release by the namespace/name of its inventory: the objects that
# carry the annotation kubedaemon.dev/inventory=logging/fluent-bit.
terraform import kubedaemon_preset.fluent_bit logging/fluent-bit
