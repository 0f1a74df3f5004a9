from compliance_hub.partner_api.create_partner import Command

__all__ = ["Command"]
