"""Tools for people who write scenarios and log in by hand: `cpraudit codegen` (`codegen`) and
`cpraudit login` (`signin`)."""
