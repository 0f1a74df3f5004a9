from compliance_hub.core.demo_link import Command

__all__ = ["Command"]
