"""Shows that bin/validate-deploy.sh catches what it claims to: on a copy of the repository, it breaks one
deployment file of each kind (one case at a time), runs the validator, and expects exit 1 with the problem
named. The unbroken copy must pass first. A case whose text is no longer in its file is itself a failure, so
that an edit of the manifests cannot quietly turn a case into one that breaks nothing.

    /usr/bin/python3 bin/validate-deploy-selftest.py [case-name ...]    # all cases, or those named

Exit 0 when every case is caught, 1 otherwise. Run by .ci/run after bin/validate-deploy.sh.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA_CHECK_MODULES = "deploy/schema-check/node_modules"

# (name, file, text in it, replacement, fragment the validator's output must contain)
CASES = [
    # The maintained tools.
    ("kustomize", "k8s/base/kustomization.yaml", "  - apps/gateway.yaml\n", "  - apps/no-such-file.yaml\n",
     "kubectl kustomize fails"),
    ("schema: unknown field", "k8s/base/apps/gateway-scaling.yaml", "  minReplicas: 2\n",
     "  minReplicas: 2\n  minimumReplicas: 2\n", "minimumReplicas"),
    ("compose schema", "docker-compose.yml", "      KAFKA_AUTO_CREATE_TOPICS_ENABLE: \"false\"\n",
     "      KAFKA_AUTO_CREATE_TOPICS_ENABLE: \"false\"\n    restart_policy_typo: always\n",
     "docker-compose config"),
    ("prometheus.yml", "deploy/prometheus/prometheus.yml", "  - job_name: gateway\n",
     "  - job_name: gateway\n    scrape_interval: soon\n", "promtool check config rejects it"),
    ("yamllint", "deploy/grafana/provisioning/datasources/prometheus.yaml", "apiVersion: 1",
     "apiVersion: [1", "yamllint"),
    ("bash -n", "deploy/kafka/create-topics.sh", "#!/", "if then\n#!/", "create-topics.sh: bash -n"),
    # The project's rules, file by file.
    ("Dockerfile: root user", "gateway/src/main/docker/Dockerfile.jvm", "USER 185", "USER root",
     "numeric non-root USER"),
    ("Dockerfile: ports", "events-service/src/main/docker/Dockerfile.jvm", "EXPOSE 8081 9081", "EXPOSE 8081",
     "EXPOSE 8081 9081"),
    ("compose: published service", "docker-compose.yml", "      EVENTLINE_TOPICS: eventline.events:6",
     "      EVENTLINE_TOPICS: eventline.events:3", "differ from local-stack's"),
    ("compose: healthcheck port", "docker-compose.yml", "/dev/tcp/127.0.0.1/9081", "/dev/tcp/127.0.0.1/8081",
     "healthcheck must probe /q/health/ready on the management port 9081"),
    ("images.env", "deploy/images.env", "EVENTLINE_TAG=0.1.0", "EVENTLINE_TAG=0.2.0",
     "as deploy/images.env says"),
    ("dev key", "k8s/overlays/dev/public-key-DEV-ONLY.pem", "-----END PUBLIC KEY-----",
     "-----END PUBLIC KEY-----\n\n", "differs from local-stack's development key"),
    ("prometheus.yml: scrape port", "deploy/prometheus/prometheus.yml", '"gateway:9080"', '"gateway:8080"',
     "job gateway must scrape gateway:9080/q/metrics"),
    ("ConfigMap: unread variable", "k8s/base/apps/gateway.yaml", "  EVENTLINE_STREAM_DRAIN_PERIOD: 20s\n",
     "  EVENTLINE_STREAM_DRAIN_PERIOD: 20s\n  EVENTLINE_STREAM_DRAIN_PERIODE: 20s\n",
     "sets EVENTLINE_STREAM_DRAIN_PERIODE, which gateway's application.properties does not read"),
    ("ConfigMap: service URL", "k8s/base/apps/gateway.yaml", "EVENTLINE_EVENTS_URL: http://events-service:8081",
     "EVENTLINE_EVENTS_URL: http://events-service:8091", "http://events-service:8091 is no Service port"),
    ("Deployment: drain budget", "k8s/base/apps/gateway.yaml", "terminationGracePeriodSeconds: 60",
     "terminationGracePeriodSeconds: 30", "leaves no room for preStop"),
    ("Deployment: security", "k8s/base/apps/gateway.yaml", "readOnlyRootFilesystem: true\n",
     "readOnlyRootFilesystem: false\n", "readOnlyRootFilesystem must be true"),
    ("Service: port", "k8s/base/apps/gateway.yaml", "      port: 9080\n      targetPort: management",
     "      port: 9080\n      targetPort: managment", "targetPort managment is no container port name"),
    ("HTTPRoute: stream timeout", "k8s/base/apps/http-route.yaml", "        request: 0s\n", "        request: 30s\n",
     "timeouts.request 30s may cut streams"),
    ("HTTPRoute: /q published", "k8s/base/apps/http-route.yaml", "            value: /api\n",
     "            value: /q\n", "publishes /q/*"),
    ("HPA", "k8s/base/apps/gateway-scaling.yaml", "          name: eventline_stream_open\n",
     "          name: eventline_streams\n", "does not scale the gateway on eventline_stream_open"),
    ("PodDisruptionBudget", "k8s/base/apps/gateway-scaling.yaml",
     "  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: gateway",
     "  maxUnavailable: 1\n  selector:\n    matchLabels:\n      app.kubernetes.io/name: gateways",
     "no PodDisruptionBudget for the gateway"),
    ("NetworkPolicy", "k8s/base/network/network-policies.yaml",
     "              kubernetes.io/metadata.name: envoy-gateway-system",
     "              kubernetes.io/metadata.name: ingress-nginx",
     "cannot reach gateway"),
    ("Kafka", "k8s/base/kafka/kafka.yaml", "      auto.create.topics.enable: false",
     "      auto.create.topics.enable: true", "must not auto-create topics"),
    ("KafkaTopic", "k8s/base/kafka/topics.yaml", "topicName: eventline.events\n  partitions: 6\n  replicas: 3\n",
     "topicName: eventline.events\n  partitions: 6\n  replicas: 1\n",
     "replicas 1 / min.insync.replicas 2 do not fit"),
    ("KafkaUser ACL", "k8s/base/kafka/users.yaml", "          name: eventline.messages\n          patternType: literal\n"
     "        operations: [Describe, Write]", "          name: eventline.events\n          patternType: literal\n"
     "        operations: [Describe, Write]", "may Write topic eventline.events (literal), which is events-service's"),
    ("Cluster", "k8s/base/postgres/cluster.yaml", "  maxSyncReplicas: 1\n", "  maxSyncReplicas: 3\n",
     "maxSyncReplicas must be below instances"),
    ("Database", "k8s/base/postgres/cluster.yaml", "  name: notifications\n  owner: notifications",
     "  name: notifications\n  owner: notification", "owner notification is no role of eventline-db"),
    ("PrometheusRule: runbook", "k8s/base/monitoring/prometheus-rule.yaml",
     "humanizeDuration }} to reach Kafka\"\n            runbook_url: https://eventline.example.com/docs/operations.md#",
     "humanizeDuration }} to reach Kafka\"\n            runbook_url: docs/operations.md#", "is no absolute https URL"),
    ("ServiceMonitor", "k8s/base/monitoring/service-monitor.yaml", "    - port: management\n      path: /q/metrics",
     "    - port: http\n      path: /q/metrics", "no ServiceMonitor scrapes gateway's /q/metrics"),
    ("dashboard", "k8s/base/monitoring/eventline-dashboard.json",
     '"expr": "sum by (job) (rate(http_server_requests_seconds_count{job=~\\"$job\\"}[$__rate_interval]))"',
     '"expr": "sum by (job) (rate(http_server_request_seconds_count{job=~\\"$job\\"}[$__rate_interval]))"',
     "queries http_server_request_seconds_count, which nothing exports"),
    ("ReferenceGrant", "k8s/overlays/prod/reference-grant.yaml", "      name: eventline-tls",
     "      name: eventline-tls-cert", "Secret eventline-tls-cert is neither in the overlay nor documented"),
    ("docs: configuration reference", "docs/operations.md", "| `EVENTLINE_STREAM_SECRET` |",
     "| `EVENTLINE_STREAM_SECRETS` |", "EVENTLINE_STREAM_SECRET (read by gateway) is not in the configuration"),
    ("docs: objects you create", "docs/operations.md", "| Secret | `eventline-stream` | `secret` |",
     "| Secret | `eventline-stream` | `key` |", "Secret eventline-stream is documented in docs/operations.md without the key secret"),
    ("compose: dependency", "docker-compose.yml", "    depends_on:\n      kafka:\n        condition: service_healthy\n",
     "    depends_on:\n      kafka:\n        condition: service_started\n", "depends on kafka without condition"),
    ("compose: database", "docker-compose.yml", "      EVENTLINE_DB_URL: jdbc:postgresql://postgres:5432/events\n",
     "      EVENTLINE_DB_URL: jdbc:postgresql://postgres:5432/event\n",
     "database event is not created by deploy/postgres/init-databases.sh"),
    ("Deployment: Kafka user", "k8s/base/apps/events-service.yaml",
     "                secretKeyRef:\n                  name: events-service\n                  key: sasl.jaas.config",
     "                secretKeyRef:\n                  name: messaging-service\n                  key: sasl.jaas.config",
     "connects to Kafka as KafkaUser messaging-service, not as its own KafkaUser events-service"),
    ("Service: selector", "k8s/base/apps/events-service.yaml", "  selector:\n    app.kubernetes.io/name: events-service\n",
     "  selector:\n    app.kubernetes.io/name: event-service\n", "Service events-service: selects no Deployment's pods"),
    ("Kafka: listener", "k8s/base/kafka/kafka.yaml", "        tls: true\n        authentication:\n          type: scram-sha-512\n",
     "        tls: true\n", "listener tls has no authentication"),
    ("KafkaUser: group", "k8s/base/kafka/users.yaml", "          name: team-example.\n          patternType: prefix",
     "          name: notification-\n          patternType: prefix",
     "may join consumer group notification-service of KafkaUser notification-service"),
    ("KafkaUser: gateway writes", "k8s/base/kafka/users.yaml", "          name: eventline.notifications\n"
     "          patternType: literal\n        operations: [Describe, Read]\n---",
     "          name: eventline.notifications\n          patternType: literal\n        operations: [Describe, Read, Write]\n---",
     "the gateway only reads"),
    ("NetworkPolicy: extra peer", "k8s/base/network/network-policies.yaml",
     "        - podSelector:\n            matchLabels:\n              app.kubernetes.io/name: gateway\n      ports:\n        - protocol: TCP\n          port: 8081",
     "        - podSelector:\n            matchLabels:\n              app.kubernetes.io/part-of: eventline\n      ports:\n        - protocol: TCP\n          port: 8081",
     "events-service admits"),
    ("PrometheusRule: alert", "k8s/base/monitoring/prometheus-rule.yaml", "- alert: EventlinePodsNotReady",
     "- alert: EventlinePodNotReady", "alert EventlinePodsNotReady is missing"),
    ("dashboard: metric", "k8s/base/monitoring/eventline-dashboard.json", "eventline_stream_resets_total",
     "eventline_stream_open", "shows no eventline_stream_resets_total"),
    ("code: topics", "change-record/src/main/java/io/eventline/changerecord/Topics.java",
     '"eventline.messages"', '"eventline.message"', "topics differ from change-record's Topics.java"),
]


def tracked_files():
    out = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    return [f for f in out.splitlines() if os.path.isfile(os.path.join(ROOT, f))]


def copy_tree(files, into):
    for f in files:
        os.makedirs(os.path.join(into, os.path.dirname(f)), exist_ok=True)
        shutil.copy2(os.path.join(ROOT, f), os.path.join(into, f))
    if os.path.isdir(os.path.join(ROOT, SCHEMA_CHECK_MODULES)):
        os.symlink(os.path.join(ROOT, SCHEMA_CHECK_MODULES), os.path.join(into, SCHEMA_CHECK_MODULES))


def validate(tree):
    out = subprocess.run(["bash", os.path.join(tree, "bin/validate-deploy.sh")], cwd=tree, capture_output=True,
                         text=True, timeout=300)
    return out.returncode, out.stdout + out.stderr


def run_case(case, files, scratch):
    name, file, old, new, fragment = case
    tree = tempfile.mkdtemp(prefix="case-", dir=scratch)
    copy_tree(files, tree)
    target = os.path.join(tree, file)
    with open(target, encoding="utf-8") as f:
        text = f.read()
    if text.count(old) != 1:
        return False, f"{name}: {file} holds the text to break {text.count(old)} times, not once (update the case)"
    with open(target, "w", encoding="utf-8") as f:
        f.write(text.replace(old, new))
    rc, output = validate(tree)
    shutil.rmtree(tree, ignore_errors=True)
    if rc == 1 and fragment in output:
        return True, f"{name}: caught ({file})"
    tail = " | ".join(line.strip() for line in output.splitlines() if "✘" in line)[-1500:]
    return False, f"{name}: NOT caught as expected ({file}; exit {rc}, wanted 1 and {fragment!r}); it said: {tail}"


def main():
    wanted = sys.argv[1:]
    cases = [c for c in CASES if not wanted or c[0] in wanted]
    if wanted and len(cases) != len(wanted):
        sys.exit(f"unknown cases: {sorted(set(wanted) - {c[0] for c in CASES})}")
    started, files = time.monotonic(), tracked_files()
    with tempfile.TemporaryDirectory(prefix="validate-deploy-selftest-") as scratch:
        baseline = os.path.join(scratch, "baseline")
        copy_tree(files, baseline)
        rc, output = validate(baseline)
        if rc != 0:
            sys.exit(f"validate-deploy-selftest: the unbroken copy does not pass (exit {rc}):\n{output}")
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            results = list(pool.map(lambda c: run_case(c, files, scratch), cases))
    for ok, line in results:
        print(("  ✔ " if ok else "  ✘ ") + line)
    missed = sum(not ok for ok, _ in results)
    print(f"validate-deploy-selftest: {len(results) - missed} of {len(results)} breakages caught "
          f"({time.monotonic() - started:.0f} s)")
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
