from compliance_hub.core.demo import Command

__all__ = ["Command"]
