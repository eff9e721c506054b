#!/usr/bin/env bash
# Starts the whole system as a developer would, checks every service is ready through HTTP,
# stops it, and fails if any process it started is left behind.
set -euo pipefail
cd "$(dirname "$0")/.."

leftovers() {
  ps -eo pid,args | grep -E 'bin/postgres -D .*eventline-local-stack|kafka\.Kafka .*eventline-local-stack|quarkus-app/quarkus-run\.jar|eventline-watchdog' \
    | grep -v grep || true
}

if [ -n "$(leftovers)" ]; then echo "smoke: processes from an earlier run are still there:"; leftovers; exit 1; fi

trap './eventline down >/dev/null 2>&1 || true' EXIT
./eventline up --detach
# /q/* is on each service's management port (9080-9083), and only there: its API port answers 404.
for port in 8080 8081 8082 8083; do
  management=$((port + 1000))
  status=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$management/q/health/ready")
  [ "$status" = 200 ] || { echo "smoke: 127.0.0.1:$management/q/health/ready answered $status"; exit 1; }
  for path in /q/health/ready /q/metrics /q/openapi; do
    status=$(curl -s -o /dev/null -w '%{http_code}' "http://localhost:$port$path")
    [ "$status" = 404 ] || { echo "smoke: the API port localhost:$port answered $status for $path (want 404)"; exit 1; }
  done
  echo "  localhost:$port ready on :$management, no /q/* on :$port"
done
curl -s http://127.0.0.1:9080/q/health/ready | grep -q '"status": "UP"'
# One origin: the API answers through the gateway, with a development token.
token=$(./eventline token --sub smoke --role partner)
for path in /api/events /api/events/mine /api/conversations /api/messages/unread-count /api/notifications/unread-count; do
  status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "http://localhost:8080$path")
  [ "$status" = 200 ] || { echo "smoke: GET $path through the gateway answered $status"; exit 1; }
done
echo "  the API answers through the gateway on :8080"
# The demo app: served at /, and the dev sign-in it uses mints a token the services accept.
curl -sf http://localhost:8080/ | grep -q '<div id="root">' || { echo "smoke: GET / did not serve the web app"; exit 1; }
persona=$(curl -sf -H 'Content-Type: application/json' -d '{"sub":"smoke-ui","role":"user"}' http://localhost:8080/dev/token \
  | sed -E 's/.*"token":"([^"]+)".*/\1/')
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $persona" http://localhost:8080/api/bookings/mine)
[ "$status" = 200 ] || { echo "smoke: a token from POST /dev/token got $status on /api/bookings/mine"; exit 1; }
echo "  the web app is served at / and its dev sign-in works"
./eventline down
trap - EXIT

for _ in $(seq 1 30); do [ -z "$(leftovers)" ] && break; sleep 1; done
if [ -n "$(leftovers)" ]; then echo "smoke: left behind after down:"; leftovers; exit 1; fi
echo "  nothing left running"

# Dev mode's infrastructure: ./eventline up --infra starts PostgreSQL and Kafka only, and writes the
# .env that ./mvnw quarkus:dev -pl <service> reads; down deletes them.
trap './eventline down >/dev/null 2>&1 || true' EXIT
./eventline up --infra --detach >/dev/null
for pair in events-service:8081 messaging-service:8082 notification-service:8083 gateway:8080; do
  module=${pair%%:*} port=${pair##*:}
  env_file="$module/.env"
  [ -f "$env_file" ] || { echo "smoke: up --infra wrote no $env_file"; exit 1; }
  grep -qx "_DEV_QUARKUS_HTTP_PORT=$port" "$env_file" || { echo "smoke: $env_file does not set _DEV_QUARKUS_HTTP_PORT=$port"; exit 1; }
  grep -qx "_DEV_QUARKUS_MANAGEMENT_PORT=$((port + 1000))" "$env_file" ||
    { echo "smoke: $env_file does not set _DEV_QUARKUS_MANAGEMENT_PORT=$((port + 1000))"; exit 1; }
  kafka=$(sed -n 's/^_DEV_KAFKA_BOOTSTRAP_SERVERS=//p' "$env_file")
  (exec 3<>"/dev/tcp/${kafka%:*}/${kafka##*:}") 2>/dev/null || { echo "smoke: Kafka of $env_file ($kafka) is not reachable"; exit 1; }
  if [ "$module" != gateway ]; then
    db=$(sed -n 's|^_DEV_QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://\([^/]*\)/.*|\1|p' "$env_file")
    (exec 3<>"/dev/tcp/${db%:*}/${db##*:}") 2>/dev/null || { echo "smoke: PostgreSQL of $env_file ($db) is not reachable"; exit 1; }
  fi
done
status=$(curl -s -o /dev/null -w '%{http_code}' http://localhost:8080/ || true)
[ "$status" = 000 ] || { echo "smoke: up --infra started a gateway (:8080 answered $status)"; exit 1; }
echo "  up --infra: PostgreSQL and Kafka reachable, each service's .env written, no service started"
./eventline down >/dev/null
trap - EXIT
for f in events-service/.env messaging-service/.env notification-service/.env gateway/.env; do
  [ ! -e "$f" ] || { echo "smoke: $f is still there after down"; exit 1; }
done
for _ in $(seq 1 30); do [ -z "$(leftovers)" ] && break; sleep 1; done
if [ -n "$(leftovers)" ]; then echo "smoke: left behind after down (--infra):"; leftovers; exit 1; fi
echo "  down deleted the .env files; nothing left running"
