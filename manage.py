#!/usr/bin/env python
"""Same as the ``compliance-hub`` console script."""

from compliance_hub.cli import main

if __name__ == "__main__":
    main()
