package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// withBlockTypes returns s with the type of every nested block computed once
// and kept as the block's CustomType, which is the same plain object type
// the framework would compute: the values, the state and the protocol
// schema are unchanged.
//
// GOTCHA: the framework computes a block's type from its attributes and
// blocks every time it asks for it, and it asks for it at every step of the
// path of every value it visits when it converts a configuration, plan or
// state from and to the protocol (NullifyCollectionBlocks visits every set
// value, ReifyNullCollectionBlocks every null one). With the pod spec's
// blocks nested six deep, that rebuilt the type of whole subtrees for each
// unset attribute: most of the CPU of a plan, hundreds of ms per DaemonSet.
// A block with a CustomType answers at once.
func withBlockTypes(s schema.Schema) schema.Schema {
	s.Blocks = blocksWithTypes(s.Blocks)
	return s
}

// blocksWithTypes sets the CustomType of each block in blocks, and of the
// blocks they nest first, so that each type is computed from types already
// kept. A block that has a CustomType of its own keeps it.
func blocksWithTypes(blocks map[string]schema.Block) map[string]schema.Block {
	if len(blocks) == 0 {
		return blocks
	}
	out := make(map[string]schema.Block, len(blocks))
	for name, b := range blocks {
		switch b := b.(type) {
		case schema.SingleNestedBlock:
			b.Blocks = blocksWithTypes(b.Blocks)
			if t, ok := b.Type().(basetypes.ObjectType); ok && b.CustomType == nil {
				b.CustomType = t
			}
			out[name] = b
		case schema.ListNestedBlock:
			b.NestedObject = nestedObjectWithTypes(b.NestedObject)
			out[name] = b
		case schema.SetNestedBlock:
			b.NestedObject = nestedObjectWithTypes(b.NestedObject)
			out[name] = b
		default:
			out[name] = b
		}
	}
	return out
}

func nestedObjectWithTypes(o schema.NestedBlockObject) schema.NestedBlockObject {
	o.Blocks = blocksWithTypes(o.Blocks)
	if t, ok := o.Type().(basetypes.ObjectType); ok && o.CustomType == nil {
		o.CustomType = t
	}
	return o
}
