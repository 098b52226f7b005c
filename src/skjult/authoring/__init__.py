"""Tools for people who write rules: annotated rule tests, a rule explained, the rule JSON
Schema. They use the engine and the readers; the engine never uses them."""
