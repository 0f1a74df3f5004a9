from compliance_hub.partner_api.create_api_key import Command

__all__ = ["Command"]
