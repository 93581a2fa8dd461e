-- guard's webhooks now live in the platform's webhook_subscriptions (service 'guard').
INSERT INTO webhook_subscriptions (id, tenant_id, service, url, events, description, active, headers, auth_token, signing_secret, created_at)
    SELECT id, tenant_id, 'guard', url, events, description, active, headers, auth_token, signing_secret, created_at
    FROM guard_webhooks;
DROP TABLE guard_webhooks;
