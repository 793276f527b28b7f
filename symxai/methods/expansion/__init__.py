"""Taylor expansions of models at a root point, and the radial-basis-function helpers they use."""
