-- The W3C trace context of the request that wrote the change, published as Kafka headers
-- (traceparent, tracestate) so that one trace runs from the HTTP request to every consumer.
alter table changefeed_outbox add column traceparent varchar(55);
alter table changefeed_outbox add column tracestate varchar(512);
