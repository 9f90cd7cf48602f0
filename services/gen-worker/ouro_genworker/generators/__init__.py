"""One module per proposal type; `registry.GENERATORS` maps each type to its generator."""
