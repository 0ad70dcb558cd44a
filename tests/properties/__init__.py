"""Property-based tests: generated real-home noise over simulator traces."""
