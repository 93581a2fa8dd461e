-- netwatch: indexes for the GDPR export's keyset pages (alerts by id, proof-trail entries by
-- trace then seq, both within a tenant), so each page is a range read, not a scan.
CREATE INDEX netwatch_alerts_tenant_id ON netwatch_alerts(tenant_id, id);
CREATE INDEX netwatch_trail_entries_tenant ON netwatch_trail_entries(tenant_id, trace_id, seq);
