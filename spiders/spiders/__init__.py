"""darkpool's spiders (one per module, `name` equal to the module name)."""
