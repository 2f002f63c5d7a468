"""The demo round and its generated answers (used by `load_demo` and the benchmark)."""
