"""Day One: generate FastAPI SaaS backends from a YAML spec, and regenerate them safely."""

__version__ = "0.1.0"
