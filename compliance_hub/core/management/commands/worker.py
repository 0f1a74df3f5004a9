from compliance_hub.core.worker import Command

__all__ = ["Command"]
