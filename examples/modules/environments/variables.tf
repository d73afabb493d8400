variable "prod_nodes" {
  description = "Nodes labelled env=prod: the log compressor runs on them."
  type        = set(string)
  default     = []
}

variable "dev_nodes" {
  description = "Nodes labelled env=dev."
  type        = set(string)
  default     = []
  validation {
    condition     = length(setintersection(var.dev_nodes, var.prod_nodes)) == 0
    error_message = "A node cannot be in both prod_nodes and dev_nodes."
  }
}

variable "high_cpu_nodes" {
  description = "Nodes labelled host=high-cpu: the HDFS namenode runs on them. They may also be prod or dev nodes."
  type        = set(string)
  default     = []
}

variable "namespace" {
  description = "Namespace of the two daemons; created when missing."
  type        = string
  default     = "environments"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.namespace))
    error_message = "namespace must be a DNS label."
  }
}

variable "log_compressor" {
  description = "Settings of the log compressor: image, host log directory, and the age (minutes) of the files it compresses."
  type = object({
    image              = optional(string, "busybox:1.37")
    log_dir            = optional(string, "/var/log")
    older_than_minutes = optional(number, 60)
  })
  default = {}
  validation {
    condition     = startswith(var.log_compressor.log_dir, "/") && var.log_compressor.older_than_minutes >= 1
    error_message = "log_compressor.log_dir must be absolute and older_than_minutes at least 1."
  }
}

variable "namenode" {
  description = "Settings of the HDFS namenode: image, JVM heap (e.g. \"4g\") and host data directory."
  type = object({
    image     = optional(string, "apache/hadoop:3.4.1")
    heap_size = optional(string, "4g")
    data_dir  = optional(string, "/var/lib/hdfs/namenode")
  })
  default = {}
  validation {
    condition     = can(regex("^[0-9]+[mg]$", var.namenode.heap_size))
    error_message = "namenode.heap_size must look like \"512m\" or \"4g\"."
  }
}
