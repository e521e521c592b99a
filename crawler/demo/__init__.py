"""The bundled demo portal that `cpraudit demo` starts on loopback and audits."""
