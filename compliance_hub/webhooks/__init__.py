"""Partner webhooks: endpoints, a durable event outbox written with each change, signed
delivery by the worker (Standard Webhooks), and a reconciliation feed (docs/webhooks.md)."""
