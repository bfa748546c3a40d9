//! gonogo-watch against a real Prometheus (Debian's package), started by the tests.
