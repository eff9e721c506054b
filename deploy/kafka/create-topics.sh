#!/bin/bash
# One-shot: creates the change topics that the services expect. The broker does not auto-create
# topics, on purpose: a topic with the wrong partition count breaks ordering per key when fixed.
# EVENTLINE_TOPICS lists "name:partitions" pairs (docker-compose.yml, kept equal to local-stack's
# LocalStack.TOPICS by bin/validate-deploy.sh).
set -euo pipefail
: "${KAFKA_BOOTSTRAP_SERVERS:?}" "${EVENTLINE_TOPICS:?}"
topics=/opt/kafka/bin/kafka-topics.sh

for spec in $EVENTLINE_TOPICS; do
  name=${spec%%:*}
  partitions=${spec##*:}
  "$topics" --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" --create --if-not-exists \
    --topic "$name" --partitions "$partitions" --replication-factor 1 \
    --config retention.ms=604800000
  # An existing topic keeps its partitions: say so rather than pretend it was created as asked.
  actual=$("$topics" --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" --describe --topic "$name" \
    | sed -n 's/.*PartitionCount:[[:space:]]*\([0-9]*\).*/\1/p' | head -n 1)
  if [ "$actual" != "$partitions" ]; then
    echo "create-topics: $name has $actual partitions, expected $partitions" >&2
    exit 1
  fi
  echo "create-topics: $name ready with $partitions partitions"
done
