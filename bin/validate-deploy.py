"""Checks the deployment files against each other and against the code; run by bin/validate-deploy.sh.

Every check adds to one list of problems; the script prints them all and exits 1 if there is any.
The source of truth is the code: each module's application.properties (the variables it reads and
its port), the @ConfigMapping interfaces, the Micrometer meters, local-stack's topics.
"""
import base64
import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.getcwd()
MODULES = ["events-service", "messaging-service", "notification-service", "gateway"]
OVERLAYS = ["dev", "prod"]
PROBLEMS = []
NOTES = []


def problem(where, message):
    PROBLEMS.append(f"{where}: {message}")


def note(message):
    NOTES.append(message)


def path(*parts):
    return os.path.join(ROOT, *parts)


def read(*parts):
    with open(path(*parts), encoding="utf-8") as f:
        return f.read()


def rel(p):
    return os.path.relpath(p, ROOT)


# ---------------------------------------------------------------------------------------------
# What the code says
# ---------------------------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}")


def properties(module):
    """key -> value of a module's application.properties (profiles kept in the key)."""
    props = {}
    for line in read(module, "src/main/resources/application.properties").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        props[key.strip()] = value.strip()
    return props


def variables_read(module):
    """Environment variables a module's application.properties reads: name -> default or None."""
    found = {}
    for value in properties(module).values():
        for name, default in PLACEHOLDER.findall(value):
            if name.isupper():
                found[name] = default if ":" in value[value.find("${" + name):].split("}")[0] else None
    return found


def http_port(module):
    return int(properties(module)["quarkus.http.port"])


def env_name(prop):
    return re.sub(r"[^A-Za-z0-9]", "_", prop).upper()


def java_files(module):
    base = path(module, "src/main/java")
    for dirpath, _, files in os.walk(base):
        for f in files:
            if f.endswith(".java"):
                yield os.path.join(dirpath, f)


def depends_on(module, artifact):
    return f"<artifactId>{artifact}</artifactId>" in read(module, "pom.xml")


def config_envs(module):
    """Variables of the typed configuration (@ConfigMapping, @ConfigProperty) a module can take."""
    sources = list(java_files(module))
    for lib in ("change-feed", "service-http"):
        if os.path.isdir(path(lib)) and depends_on(module, lib):
            sources += list(java_files(lib))
    envs = set()
    for f in sources:
        text = open(f, encoding="utf-8").read()
        m = re.search(r'@ConfigMapping\(prefix\s*=\s*"([^"]+)"\)', text)
        if m:
            for method in re.findall(r"^\s+[\w<>, ?]+\s+(\w+)\(\);", text, re.M):
                kebab = re.sub(r"(?<!^)([A-Z])", r"-\1", method).lower()
                envs.add(env_name(m.group(1) + "." + kebab))
        for prop in re.findall(r'@ConfigProperty\(name\s*=\s*"([^"]+)"', text):
            envs.add(env_name(prop))
    return envs


# Kafka client settings a Deployment may pass as KAFKA_* variables: Quarkus collects every kafka.*
# property and KAFKA_* variable into its default-kafka-broker map, which the outbox relay, the
# notification consumer and the gateway's stream hand to their Kafka clients. A fixed list, so that
# a misspelt variable (which Kafka would only warn about) is a problem here.
KAFKA_CLIENT_ENVS = {
    "KAFKA_BOOTSTRAP_SERVERS", "KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_MECHANISM", "KAFKA_SASL_JAAS_CONFIG",
    "KAFKA_SSL_TRUSTSTORE_TYPE", "KAFKA_SSL_TRUSTSTORE_CERTIFICATES", "KAFKA_SSL_TRUSTSTORE_LOCATION",
    "KAFKA_SSL_TRUSTSTORE_PASSWORD",
}


def takes_kafka_settings(module):
    """Whether the module's Kafka clients are configured from Quarkus' kafka.* map."""
    if depends_on(module, "quarkus-messaging-kafka"):
        return True
    sources = list(java_files(module))
    for lib in ("change-feed", "service-http"):
        if os.path.isdir(path(lib)) and depends_on(module, lib):
            sources += list(java_files(lib))
    return any('"default-kafka-broker"' in open(f, encoding="utf-8").read() for f in sources)


def allowed_envs(module):
    """Every variable a container of this module may set, and why."""
    kafka = KAFKA_CLIENT_ENVS if takes_kafka_settings(module) else set()
    return set(variables_read(module)) | config_envs(module) | {"JAVA_OPTS"} | kafka


def env_allowed(module, name):
    # QUARKUS_* maps onto any Quarkus property; JAVA_OPTS is read by the image's entrypoint.
    return name in allowed_envs(module) or name.startswith("QUARKUS_")


def required_envs(module):
    """Variables a container must set: no default, an empty one, or one that means localhost."""
    return {n for n, d in variables_read(module).items() if d is None or d == "" or "localhost" in d}


def local_stack_topics():
    text = read("local-stack/src/main/java/io/eventline/localstack/LocalStack.java")
    block = re.search(r"TOPICS\s*=\s*Map\.of\((.*?)\);", text, re.S)
    if not block:
        problem("LocalStack.java", "cannot find the TOPICS map (the validator reads partition counts from it)")
        return {}
    return {t: int(n) for t, n in re.findall(r'"([^"]+)",\s*(\d+)', block.group(1))}


def local_stack_dead_letter_topics():
    """local-stack's dead-letter topics and partition counts, or None if it declares none."""
    text = read("local-stack/src/main/java/io/eventline/localstack/LocalStack.java")
    block = re.search(r"DEAD_LETTER_TOPICS\s*=\s*Map\.of\((.*?)\);", text, re.S)
    return {t: int(n) for t, n in re.findall(r'"([^"]+)",\s*(\d+)', block.group(1))} if block else None


def exported_metrics():
    """Prometheus names of the meters the code registers (Micrometer's naming convention)."""
    names = set()
    for module in os.listdir(ROOT):
        src = path(module, "src/main/java")
        if not os.path.isdir(src):
            continue
        for f in java_files(module):
            text = open(f, encoding="utf-8").read()
            for kind, name in re.findall(
                    r'(Counter|Gauge|Timer|DistributionSummary)\.builder\(\s*"([a-z0-9_.]+)"', text):
                names |= prometheus_names(kind, name, text)
            for kind, name in re.findall(r'registry\.(counter|gauge|timer)\(\s*"([a-z0-9_.]+)"', text):
                names |= prometheus_names(kind.capitalize(), name, text)
    return names


def prometheus_names(kind, name, text):
    base = name.replace(".", "_")
    if kind == "Counter":
        return {base + "_total"}
    if kind == "Gauge":
        return {base}
    if kind == "Timer":
        base += "_seconds"
    out = {base + "_count", base + "_sum", base + "_max"}
    builder = text[text.find('"' + name + '"'):]
    if "publishPercentileHistogram()" in builder[:builder.find(".register(")]:
        out.add(base + "_bucket")
    return out


# Quarkus' own meters (http server, JVM, process) that the dashboard and alerts may use; request
# latency is a histogram (http-common's HttpMetrics turns it on in the gateway and every service).
STANDARD_METRICS = {
    "http_server_requests_seconds_bucket", "http_server_requests_seconds_count", "http_server_requests_seconds_sum", "http_server_requests_seconds_max",
    "jvm_memory_used_bytes", "jvm_memory_committed_bytes", "jvm_memory_max_bytes",
    "jvm_gc_pause_seconds_count", "jvm_gc_pause_seconds_sum", "jvm_gc_pause_seconds_max",
    "jvm_threads_live_threads", "process_cpu_usage", "system_cpu_usage", "system_cpu_count",
    "process_uptime_seconds", "up",
}
# Metrics of the platform the alerts rely on: kube-state-metrics and Strimzi's Kafka Exporter.
PLATFORM_METRICS = {
    "kube_deployment_status_replicas_available", "kube_deployment_spec_replicas", "kafka_consumergroup_lag",
}
PROMQL_WORDS = {
    "sum", "avg", "min", "max", "count", "rate", "irate", "increase", "histogram_quantile", "by", "without",
    "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset", "topk", "bottomk",
    "abs", "clamp_min", "clamp_max", "delta", "deriv", "label_values", "time", "vector", "scalar", "quantile",
    "avg_over_time", "max_over_time", "min_over_time", "absent", "le", "inf", "nan",
}


def metric_names(expr):
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)        # strings
    e = re.sub(r"\{[^}]*\}", "", e)                      # label matchers
    e = re.sub(r"\[[^\]]*\]", "", e)                     # ranges
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", e)
    e = re.sub(r"\$\w+", "", e)                          # Grafana variables
    e = re.sub(r"label_values\(([^,()]+),\s*\w+\)", r"(\1)", e)  # Grafana: label_values(metric, label)
    names = set()
    for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", e):
        word = m.group(0)
        following = e[m.end():].lstrip()[:1]
        if word.lower() in PROMQL_WORDS or following == "(" or re.fullmatch(r"\d+\w*", word):
            continue
        names.add(word)
    return names


# ---------------------------------------------------------------------------------------------
# YAML everywhere
# ---------------------------------------------------------------------------------------------

SKIP_DIRS = {".git", "target", "node_modules", ".eventline", ".idea", ".vscode"}


def check_yaml_parses():
    count = 0
    for dirpath, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for f in files:
            if f.endswith((".yaml", ".yml")):
                p = os.path.join(dirpath, f)
                try:
                    with open(p, encoding="utf-8") as fh:
                        list(yaml.safe_load_all(fh))
                    count += 1
                except yaml.YAMLError as e:
                    problem(rel(p), f"does not parse as YAML: {e}")
    note(f"{count} YAML files parse")


# ---------------------------------------------------------------------------------------------
# Dockerfiles and images
# ---------------------------------------------------------------------------------------------

def check_dockerfiles():
    for module in MODULES:
        where = f"{module}/src/main/docker/Dockerfile.jvm"
        if not os.path.isfile(path(where)):
            problem(where, "missing")
            continue
        text = read(where)
        port = http_port(module)
        if not re.search(r"^FROM\s+\S*(temurin:21-jre|openjdk-21-runtime)\S*", text, re.M):
            problem(where, "base image is not a JRE 21 (eclipse-temurin:21-jre or ubi9/openjdk-21-runtime)")
        user = re.findall(r"^USER\s+(\S+)", text, re.M)
        if not user or not user[-1].split(":")[0].isdigit() or user[-1].split(":")[0] == "0":
            problem(where, "must end as a numeric non-root USER (Kubernetes' runAsNonRoot verifies a uid)")
        if not re.search(rf"^EXPOSE\s+{port}\b", text, re.M):
            problem(where, f"EXPOSE {port} (quarkus.http.port of {module}) is missing")
        hc = re.search(r"^HEALTHCHECK.*?CMD\s+(.*)$", text, re.M | re.S)
        if not hc or "/q/health/ready" not in hc.group(1) or f"/{port}" not in hc.group(1):
            problem(where, f"HEALTHCHECK must probe /q/health/ready on port {port}")
        for layer in ("target/quarkus-app/lib/", "target/quarkus-app/*.jar", "target/quarkus-app/app/",
                      "target/quarkus-app/quarkus/"):
            if layer not in text:
                problem(where, f"does not copy {layer} (Quarkus fast-jar layout)")
        if "MaxRAMPercentage" not in text:
            problem(where, "JAVA_OPTS lacks -XX:MaxRAMPercentage")
        if "quarkus-run.jar" not in text:
            problem(where, "does not run quarkus-run.jar")


def image_uid(module):
    users = re.findall(r"^USER\s+(\d+)", read(module, "src/main/docker/Dockerfile.jvm"), re.M)
    return int(users[-1]) if users else None


def images_env():
    env = {}
    for line in read("deploy/images.env").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            k, v = line.split("=", 1)
            env[k.strip()] = v.strip()
    for k in ("EVENTLINE_REGISTRY", "EVENTLINE_TAG"):
        if not env.get(k):
            problem("deploy/images.env", f"{k} is not set")
    return env


# ---------------------------------------------------------------------------------------------
# docker-compose.yml
# ---------------------------------------------------------------------------------------------

def check_compose():
    where = "docker-compose.yml"
    compose = yaml.safe_load(read(where))
    services = compose.get("services", {})
    one_shot = {t for s in services.values() for t, c in (s.get("depends_on") or {}).items()
                if isinstance(c, dict) and c.get("condition") == "service_completed_successfully"}

    for name, svc in services.items():
        if name not in one_shot and not svc.get("healthcheck"):
            problem(where, f"service {name} has no healthcheck")
        deps = svc.get("depends_on") or {}
        for target, cond in (deps.items() if isinstance(deps, dict) else [(d, None) for d in deps]):
            if target not in services:
                problem(where, f"{name} depends on {target}, which is not a service")
            elif not isinstance(cond, dict) or cond.get("condition") not in (
                    "service_healthy", "service_completed_successfully"):
                problem(where, f"{name} depends on {target} without condition service_healthy/_completed_successfully")
            elif cond["condition"] == "service_healthy" and not services[target].get("healthcheck"):
                problem(where, f"{name} waits for {target} to be healthy, but {target} has no healthcheck")
        for volume in svc.get("volumes") or []:
            source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source", "")
            if source.startswith("."):
                if not os.path.exists(path(source)):
                    problem(where, f"{name} mounts {source}, which does not exist")

    postgres_env = services.get("postgres", {}).get("environment", {})
    init = read("deploy/postgres/init-databases.sh")
    for module in MODULES:
        svc = services.get(module)
        if not svc:
            problem(where, f"service {module} is missing")
            continue
        build = svc.get("build") or {}
        context = build.get("context", "") if isinstance(build, dict) else build
        if os.path.normpath(context) != module:
            problem(where, f"{module} must build from its module directory ./{module}")
        elif not os.path.isfile(path(context, build.get("dockerfile", "Dockerfile"))):
            problem(where, f"{module}: Dockerfile {build.get('dockerfile')} does not exist in {context}")
        if not re.fullmatch(r"\$\{EVENTLINE_REGISTRY:-[^}]+\}/" + module + r":\$\{EVENTLINE_TAG:-[^}]+\}",
                            str(svc.get("image", ""))):
            problem(where, f"{module}: image must be ${{EVENTLINE_REGISTRY:-…}}/{module}:${{EVENTLINE_TAG:-…}} "
                           "(names from deploy/images.env)")
        env = svc.get("environment") or {}
        if isinstance(env, list):
            env = dict(e.split("=", 1) for e in env)
        for var in env:
            if not env_allowed(module, var):
                problem(where, f"{module} sets {var}, which {module}'s application.properties does not read")
        for var in sorted(required_envs(module) - set(env)):
            problem(where, f"{module} does not set {var}, which its production profile needs")
        port = http_port(module)
        test = " ".join(map(str, (svc.get("healthcheck") or {}).get("test", [])))
        if "/q/health/ready" not in test or f"/{port}" not in test:
            problem(where, f"{module}: healthcheck must probe /q/health/ready on port {port}")
        key_location = str(env.get("EVENTLINE_JWT_PUBLIC_KEY_LOCATION", ""))
        if key_location:
            mounted = [v.split(":")[1] for v in svc.get("volumes") or [] if isinstance(v, str)]
            if not any(key_location.endswith(m) for m in mounted):
                problem(where, f"{module}: EVENTLINE_JWT_PUBLIC_KEY_LOCATION {key_location} is not a mounted file")
        db_url = str(env.get("EVENTLINE_DB_URL", ""))
        if db_url:
            m = re.fullmatch(r"jdbc:postgresql://([\w-]+):(\d+)/(\w+)", db_url)
            if not m or m.group(1) not in services:
                problem(where, f"{module}: EVENTLINE_DB_URL {db_url} does not name a compose service")
            else:
                db = m.group(3)
                if not re.search(rf"^create {db} ", init, re.M):
                    problem(where, f"{module}: database {db} is not created by deploy/postgres/init-databases.sh")
                if env.get("EVENTLINE_DB_USER") != db:
                    problem(where, f"{module}: EVENTLINE_DB_USER must be the database's owner role {db}")
                expected = postgres_env.get(f"{db.upper()}_DB_PASSWORD")
                if env.get("EVENTLINE_DB_PASSWORD") != expected:
                    problem(where, f"{module}: EVENTLINE_DB_PASSWORD differs from postgres' {db.upper()}_DB_PASSWORD")
        for var, target in (("EVENTLINE_EVENTS_URL", "events-service"), ("EVENTLINE_MESSAGING_URL", "messaging-service"),
                            ("EVENTLINE_NOTIFICATION_URL", "notification-service")):
            if var in env and env[var] != f"http://{target}:{http_port(target)}":
                problem(where, f"{module}: {var} must be http://{target}:{http_port(target)}")
        if "KAFKA_BOOTSTRAP_SERVERS" in env and env["KAFKA_BOOTSTRAP_SERVERS"].split(":")[0] not in services:
            problem(where, f"{module}: KAFKA_BOOTSTRAP_SERVERS does not name a compose service")
        secret = env.get("EVENTLINE_STREAM_SECRET")
        if secret is not None and len(str(secret)) < 32:
            problem(where, f"{module}: EVENTLINE_STREAM_SECRET must have at least 32 characters")

    if not any(str(p).endswith("8080:8080") for p in services.get("gateway", {}).get("ports", [])):
        problem(where, "the gateway must be published on 8080")
    # Loopback unless the operator opts in: the stack accepts tokens of the committed dev key.
    for name, svc in services.items():
        for p in svc.get("ports", []) or []:
            if not str(p).startswith("${EVENTLINE_BIND:-127.0.0.1}:"):
                problem(where, f"{name} publishes {p}: bind it as ${{EVENTLINE_BIND:-127.0.0.1}}:<port>:<port>")
    for name, svc in services.items():
        if name != "gateway" and name in MODULES and svc.get("ports"):
            problem(where, f"{name} publishes a port: only the gateway is the way in")

    # Kafka: no auto-creation, and the topics local-stack creates, with its partition counts.
    kafka_env = services.get("kafka", {}).get("environment", {})
    if str(kafka_env.get("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "")).lower() != "false":
        problem(where, "kafka must not auto-create topics (KAFKA_AUTO_CREATE_TOPICS_ENABLE: \"false\")")
    topics_env = [s.get("environment", {}).get("EVENTLINE_TOPICS") for s in services.values()
                  if s.get("environment", {}).get("EVENTLINE_TOPICS")]
    if len(topics_env) != 1:
        problem(where, "exactly one service must create the topics (EVENTLINE_TOPICS)")
    else:
        declared = {t.split(":")[0]: int(t.split(":")[1]) for t in topics_env[0].split()}
        expected = local_stack_topics() | (local_stack_dead_letter_topics() or {})
        if declared != expected:
            problem(where, f"topics {declared} differ from local-stack's {expected}")
    topic_constants = set(re.findall(r'"(eventline\.[a-z]+)"', read("change-record/src/main/java/io/eventline/changefeed/Topics.java")))
    if topic_constants != set(local_stack_topics()):
        problem("LocalStack.java", f"topics differ from change-record's Topics.java {sorted(topic_constants)}")

    monitoring = {n for n, s in services.items() if "monitoring" in (s.get("profiles") or [])}
    if not {"prometheus", "grafana"} <= monitoring or not monitoring <= {"prometheus", "grafana", "jaeger"}:
        problem(where, f"profile monitoring must hold prometheus and grafana (and may hold jaeger), holds {sorted(monitoring)}")
    scrape = yaml.safe_load(read("deploy/prometheus/prometheus.yml"))
    jobs = {j["job_name"]: j for j in scrape.get("scrape_configs", [])}
    for module in MODULES:
        job = jobs.get(module)
        target = f"{module}:{http_port(module)}"
        if not job or job.get("metrics_path") != "/q/metrics" or target not in job["static_configs"][0]["targets"]:
            problem("deploy/prometheus/prometheus.yml", f"job {module} must scrape {target}/q/metrics")

    # The compose schema, by Debian's docker-compose (no Docker engine needed for `config`).
    for extra in ([], ["--env-file", path("deploy/images.env")]):
        run = subprocess.run(["docker-compose", "--project-directory", ROOT, "-f", path(where)] + extra + ["config", "-q"],
                             capture_output=True, text=True, cwd=ROOT)
        if run.returncode != 0:
            problem(where, "docker-compose config rejects it: " + (run.stderr or run.stdout).strip())
    run = subprocess.run(["docker-compose", "-f", path(where), "--env-file", path("deploy/images.env"), "config"],
                         capture_output=True, text=True, cwd=ROOT)
    env = images_env()
    if run.returncode == 0:
        for module in MODULES:
            image = f"{env.get('EVENTLINE_REGISTRY')}/{module}:{env.get('EVENTLINE_TAG')}"
            if f"image: {image}" not in run.stdout:
                problem(where, f"with deploy/images.env, {module}'s image is not {image}")
    note("docker-compose.yml: compose schema (docker-compose config), services, variables, topics")


# ---------------------------------------------------------------------------------------------
# kustomize: the real one when there is one, a small renderer otherwise
# ---------------------------------------------------------------------------------------------

CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
                  "PriorityClass", "StorageClass"}
KNOWN_KUSTOMIZATION_KEYS = {"apiVersion", "kind", "resources", "namespace", "images", "patches",
                            "configMapGenerator", "secretGenerator"}
MERGE_KEYS = {"containers": "name", "initContainers": "name", "env": "name", "volumes": "name",
              "volumeMounts": "mountPath", "envFrom": None}


def kustomize_command():
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        out = subprocess.run(["kubectl", "version", "--client"], capture_output=True, text=True).stdout
        m = re.search(r"Kustomize Version: v(\d+)", out)
        if m and int(m.group(1)) >= 4:
            return ["kubectl", "kustomize"]
    return None


def load_docs(p):
    with open(p, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d]


def render(directory, where=None):
    """Renders a kustomization the way kustomize does, for the features used here."""
    where = where or rel(directory)
    kfile = os.path.join(directory, "kustomization.yaml")
    if not os.path.isfile(kfile):
        problem(where, "no kustomization.yaml")
        return []
    k = yaml.safe_load(open(kfile, encoding="utf-8"))
    for key in set(k) - KNOWN_KUSTOMIZATION_KEYS:
        problem(rel(kfile), f"field {key} is not supported by the validator's renderer (extend bin/validate-deploy.py)")
    objs = []
    for r in k.get("resources", []):
        p = os.path.join(directory, r)
        if os.path.isdir(p):
            objs += render(p)
        elif os.path.isfile(p):
            objs += load_docs(p)
        else:
            problem(rel(kfile), f"resource {r} does not exist")
    for kind, gens in (("ConfigMap", k.get("configMapGenerator", [])), ("Secret", k.get("secretGenerator", []))):
        for g in gens:
            data = {}
            for lit in g.get("literals", []):
                key, value = lit.split("=", 1)
                data[key] = value
            for f in g.get("files", []):
                key, file = f.split("=", 1) if "=" in f else (os.path.basename(f), f)
                fp = os.path.join(directory, file)
                if not os.path.isfile(fp):
                    problem(rel(kfile), f"generator {g['name']}: file {file} does not exist")
                    continue
                data[key] = open(fp, encoding="utf-8").read()
            obj = {"apiVersion": "v1", "kind": kind, "metadata": {"name": g["name"]}}
            labels = (g.get("options") or {}).get("labels")
            if labels:
                obj["metadata"]["labels"] = dict(labels)
            if kind == "Secret":
                obj["type"] = g.get("type", "Opaque")
                obj["data"] = {key: base64.b64encode(v.encode()).decode() for key, v in data.items()}
            else:
                obj["data"] = data
            objs.append(obj)
    for p in k.get("patches", []):
        body = p.get("patch")
        if body is None:
            fp = os.path.join(directory, p.get("path", ""))
            if not os.path.isfile(fp):
                problem(rel(kfile), f"patch {p.get('path')} does not exist")
                continue
            body = open(fp, encoding="utf-8").read()
        patch = yaml.safe_load(body)
        target = p.get("target")
        if target is None:
            if not isinstance(patch, dict):
                problem(rel(kfile), "a JSON 6902 patch needs a target")
                continue
            target = {"kind": patch.get("kind"), "name": patch.get("metadata", {}).get("name")}
        matched = [o for o in objs if selects(target, o)]
        if not matched:
            problem(rel(kfile), f"patch {p.get('path') or target} matches no resource")
        for o in matched:
            if isinstance(patch, list):
                json6902(o, patch, rel(kfile))
            else:
                strategic_merge(o, {k2: v for k2, v in patch.items() if k2 not in ("apiVersion", "kind", "metadata")},
                                builtin=o.get("apiVersion", "").count(".") == 0 or ".k8s.io/" in o.get("apiVersion", ""))
    ns = k.get("namespace")
    if ns:
        for o in objs:
            if o.get("kind") not in CLUSTER_SCOPED:
                o.setdefault("metadata", {})["namespace"] = ns
    for im in k.get("images", []):
        for o in objs:
            for c in containers(o):
                name = re.split(r"[@]", c.get("image", ""))[0]
                repo = name.rsplit(":", 1)[0] if ":" in name.split("/")[-1] else name
                if repo == im["name"]:
                    c["image"] = im.get("newName", repo) + ":" + str(im.get("newTag", "latest"))
    return objs


def selects(target, o):
    if target.get("kind") and target["kind"] != o.get("kind"):
        return False
    if target.get("group") and target["group"] != o.get("apiVersion", "").split("/")[0]:
        return False
    if target.get("name") and not re.fullmatch(target["name"], o.get("metadata", {}).get("name", "")):
        return False
    return True


def json6902(obj, ops, where):
    for op in ops:
        parts = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].split("/")[1:]]
        parent = obj
        try:
            for p in parts[:-1]:
                parent = parent[int(p)] if isinstance(parent, list) else parent[p]
            last = parts[-1]
            if op["op"] == "replace":
                if isinstance(parent, list):
                    parent[int(last)] = op["value"]
                elif last not in parent:
                    raise KeyError(last)
                else:
                    parent[last] = op["value"]
            elif op["op"] == "add":
                if isinstance(parent, list):
                    parent.append(op["value"]) if last == "-" else parent.insert(int(last), op["value"])
                else:
                    parent[last] = op["value"]
            elif op["op"] == "remove":
                del parent[int(last) if isinstance(parent, list) else last]
            else:
                problem(where, f"patch op {op['op']} is not supported by the validator's renderer")
        except (KeyError, IndexError, ValueError, TypeError):
            problem(where, f"patch path {op['path']} does not exist in {obj.get('kind')} {obj['metadata'].get('name')}")


def strategic_merge(base, patch, builtin, key=None):
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            strategic_merge(base[k], v, builtin, k)
        elif (builtin and isinstance(v, list) and isinstance(base.get(k), list) and MERGE_KEYS.get(k)):
            mk = MERGE_KEYS[k]
            for item in v:
                existing = next((b for b in base[k] if b.get(mk) == item.get(mk)), None)
                if existing is None:
                    base[k].append(item)
                else:
                    strategic_merge(existing, item, builtin, k)
        elif v is None:
            base.pop(k, None)
        else:
            base[k] = copy.deepcopy(v)


def pod_spec(o):
    if o.get("kind") in ("Deployment", "StatefulSet", "DaemonSet", "Job"):
        return o.get("spec", {}).get("template", {}).get("spec", {})
    return None


def containers(o):
    spec = pod_spec(o) or {}
    return spec.get("containers", []) + spec.get("initContainers", [])


def normalise(objs, hashed_names):
    text = json.dumps(sorted(objs, key=lambda o: (o.get("kind", ""), o.get("metadata", {}).get("name", ""))),
                      sort_keys=True)
    for name in hashed_names:
        text = re.sub(re.escape(name) + r"-[a-z0-9]{10}\b", name, text)
    return json.loads(text)


def hashed_generators(directory):
    names = []
    k = yaml.safe_load(open(os.path.join(directory, "kustomization.yaml"), encoding="utf-8"))
    for g in k.get("configMapGenerator", []) + k.get("secretGenerator", []):
        if not (g.get("options") or {}).get("disableNameSuffixHash"):
            names.append(g["name"])
    for r in k.get("resources", []):
        if os.path.isdir(os.path.join(directory, r)):
            names += hashed_generators(os.path.join(directory, r))
    return names


def render_overlays(overlays=OVERLAYS):
    command = kustomize_command()
    rendered = {}
    for overlay in overlays:
        directory = path("k8s/overlays", overlay)
        own = render(directory)
        if command:
            run = subprocess.run(command + [directory], capture_output=True, text=True)
            if run.returncode != 0:
                problem(f"k8s/overlays/{overlay}", f"{' '.join(command)} fails: {run.stderr.strip()}")
                rendered[overlay] = own
                continue
            real = [d for d in yaml.safe_load_all(run.stdout) if d]
            hashed = hashed_generators(directory)
            if normalise(real, hashed) != normalise(own, hashed):
                a = {(o["kind"], o["metadata"]["name"]): o for o in normalise(real, hashed)}
                b = {(o["kind"], o["metadata"]["name"]): o for o in normalise(own, hashed)}
                differing = sorted(str(key) for key in set(a) | set(b) if a.get(key) != b.get(key))
                problem(f"k8s/overlays/{overlay}", "kustomize and the validator's own renderer disagree on "
                        f"{', '.join(differing[:5])}: fix bin/validate-deploy.py so that CI without kustomize sees the same")
            rendered[overlay] = real
        else:
            rendered[overlay] = own
    note(f"k8s overlays rendered by {' '.join(command) if command else 'the built-in renderer (no kustomize v4+ on PATH)'}"
         + (" and cross-checked against the built-in renderer" if command else ""))
    return rendered


# ---------------------------------------------------------------------------------------------
# Kubernetes: strict schema of the built-in kinds, from the API models of python3-kubernetes
# ---------------------------------------------------------------------------------------------

def model_for(api_version, kind):
    import kubernetes.client as k8s
    group_version = {"v1": "V1", "apps/v1": "V1", "networking.k8s.io/v1": "V1", "policy/v1": "V1",
                     # python3-kubernetes 22 predates autoscaling/v2, whose schema is v2beta2's.
                     "autoscaling/v2": "V2beta2"}.get(api_version)
    if not group_version:
        return None
    return getattr(k8s, group_version + kind, None)


def check_schema(value, type_name, where, errors):
    import kubernetes.client as k8s
    if value is None:
        return
    if type_name.startswith("list["):
        if not isinstance(value, list):
            errors.append(f"{where}: expected a list")
            return
        for i, item in enumerate(value):
            check_schema(item, type_name[5:-1], f"{where}[{i}]", errors)
    elif type_name.startswith("dict("):
        if not isinstance(value, dict):
            errors.append(f"{where}: expected a map")
            return
        inner = type_name[5:-1].split(", ", 1)[1]
        for key, item in value.items():
            check_schema(item, inner, f"{where}.{key}", errors)
    elif type_name == "str":
        if not isinstance(value, str):
            errors.append(f"{where}: expected a string, got {type(value).__name__} {value!r} (quote it)")
    elif type_name == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            errors.append(f"{where}: expected an integer, got {value!r}")
    elif type_name == "bool":
        if not isinstance(value, bool):
            errors.append(f"{where}: expected true or false, got {value!r}")
    elif type_name in ("object", "datetime", "float"):
        pass  # int-or-string, raw extensions, quantities as numbers
    else:
        model = getattr(k8s, type_name, None)
        if model is None:
            return
        if not isinstance(value, dict):
            errors.append(f"{where}: expected an object ({type_name})")
            return
        json_to_attr = {v: k for k, v in model.attribute_map.items()}
        for key, item in value.items():
            attr = json_to_attr.get(key)
            if attr is None:
                errors.append(f"{where}: unknown field {key!r} ({type_name})")
            else:
                check_schema(item, model.openapi_types[attr], f"{where}.{key}", errors)


def check_required(obj, model, where):
    """Required fields, by letting the client's own models deserialize the object."""
    import kubernetes.client as k8s
    api = k8s.ApiClient()
    try:
        api._ApiClient__deserialize(obj, model.__name__)
    except ValueError as e:
        problem(where, f"invalid: {e}")


def check_strict_schema(overlay, objs):
    builtin = 0
    for o in objs:
        kind, api_version = o.get("kind"), o.get("apiVersion", "")
        where = f"{overlay}: {kind} {o.get('metadata', {}).get('name')}"
        group = api_version.split("/")[0] if "/" in api_version else ""
        if group and "." in group and not group.endswith(".k8s.io"):
            continue  # custom resources: check_npm_schemas (their CRD schemas) and check_operators
        model = model_for(api_version, kind)
        if model is None:
            problem(where, f"{api_version} {kind} is not a kind the validator knows; add it to model_for()")
            continue
        errors = []
        check_schema(o, model.__name__, kind, errors)
        for e in errors:
            problem(where, e)
        check_required(o, model, where)
        builtin += 1
    note(f"{overlay}: {builtin} built-in objects pass strict schema checks (python3-kubernetes API models)")


# ---------------------------------------------------------------------------------------------
# Kubernetes: strict schema of every object, built-in and custom, by deploy/schema-check (node)
# ---------------------------------------------------------------------------------------------

SCHEMA_CHECK = "deploy/schema-check"


def write_rendered(objs, file):
    """The rendered objects of one overlay as a JSON array, as check.mjs (and anyone) reads them."""
    text = json.dumps(objs, indent=1, ensure_ascii=False) + "\n"
    if file == "-":
        sys.stdout.write(text)
    else:
        with open(file, "w", encoding="utf-8") as f:
            f.write(text)


def check_npm_schemas(rendered):
    """Every rendered object against the JSON schemas of the pinned npm models: the Kubernetes API
    (kubernetes-models, which has autoscaling/v2 and policy/v1) and the Strimzi, CloudNativePG and
    prometheus-operator CRDs, unknown fields rejected. bin/validate-deploy.sh installs node and
    runs `npm ci` in deploy/schema-check beforehand."""
    node = shutil.which("node")
    if not node:
        problem(SCHEMA_CHECK, "node is not installed (bin/validate-deploy.sh installs it)")
        return
    if not os.path.isdir(path(SCHEMA_CHECK, "node_modules")):
        problem(SCHEMA_CHECK, "node_modules is missing: run `npm ci` there (bin/validate-deploy.sh does)")
        return
    with tempfile.TemporaryDirectory(prefix="validate-deploy-") as tmp:
        args = []
        for overlay, objs in rendered.items():
            file = os.path.join(tmp, f"{overlay}.json")
            write_rendered(objs, file)
            args.append(f"{overlay}={file}")
        run = subprocess.run([node, path(SCHEMA_CHECK, "check.mjs")] + args, capture_output=True, text=True,
                             timeout=300)
    found = 0
    for line in run.stdout.splitlines():
        if line.startswith("✔ "):
            note(line[2:])
        elif line.startswith("✘ "):
            found += 1
            parts = line[2:].split(": ", 2)
            problem(": ".join(parts[:2]), parts[2] if len(parts) > 2 else "")
    if run.returncode != 0 and not found:
        problem(SCHEMA_CHECK, f"check.mjs failed (exit {run.returncode}): {(run.stderr or run.stdout).strip()}")


# ---------------------------------------------------------------------------------------------
# Kubernetes: the rules of issue 7
# ---------------------------------------------------------------------------------------------

def external_objects():
    """Secrets and ConfigMaps an operator creates before deploying prod: docs/operations.md."""
    text = read("docs/operations.md")
    section = re.search(r"^## Objects you create.*?(?=^## )", text, re.S | re.M)
    objects = {}
    if not section:
        problem("docs/operations.md", "no section '## Objects you create' listing the external Secrets and ConfigMaps")
        return objects
    for kind, name, keys in re.findall(r"^\|\s*(Secret|ConfigMap)\s*\|\s*`([^`]+)`\s*\|([^|]*)\|", section.group(0), re.M):
        objects[(kind, name)] = set(re.findall(r"`([^`]+)`", keys))
    return objects


def check_k8s_rules(overlay, objs, external):
    by_kind = {}
    for o in objs:
        by_kind.setdefault(o["kind"], {})[o["metadata"]["name"]] = o

    operator_secrets = strimzi_secrets(by_kind)

    def exists(kind, name, key, where, optional=False):
        obj = by_kind.get(kind, {}).get(name)
        if kind == "Secret" and name in operator_secrets:
            if key and key not in operator_secrets[name]:
                problem(where, f"Secret {name} (written by Strimzi) has no key {key}")
            return
        if obj is not None:
            keys = set(obj.get("data", {}) or {}) | set(obj.get("stringData", {}) or {})
            if key and key not in keys:
                problem(where, f"{kind} {name} has no key {key}")
            return
        if optional:
            return
        if overlay == "prod" and (kind, name) in external:
            if key and key not in external[(kind, name)]:
                problem(where, f"{kind} {name} is documented in docs/operations.md without the key {key}")
            return
        problem(where, f"{kind} {name} is neither in the overlay"
                + (" nor documented as created by the operator (docs/operations.md)" if overlay == "prod" else ""))

    deployments = by_kind.get("Deployment", {})
    for module in MODULES:
        if module not in deployments:
            problem(overlay, f"no Deployment {module}")
    for name, d in deployments.items():
        where = f"{overlay}: Deployment {name}"
        spec = pod_spec(d)
        module = name if name in MODULES else None
        pod_sc = spec.get("securityContext", {}) or {}
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for v in volumes.values():
            if "configMap" in v:
                exists("ConfigMap", v["configMap"]["name"], None, where, v["configMap"].get("optional", False))
            if "secret" in v:
                exists("Secret", v["secret"]["secretName"], None, where, v["secret"].get("optional", False))
        for c in spec.get("containers", []):
            cw = f"{where} container {c['name']}"
            ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
            for probe, path_ in (("startupProbe", "/q/health/started"), ("readinessProbe", "/q/health/ready"),
                                 ("livenessProbe", "/q/health/live")):
                p = (c.get(probe) or {}).get("httpGet") or {}
                if p.get("path") != path_:
                    problem(cw, f"{probe} must be an httpGet of {path_}")
                elif p.get("port") not in ports and p.get("port") not in ports.values():
                    problem(cw, f"{probe} probes port {p.get('port')}, which the container does not declare")
            res = c.get("resources", {}) or {}
            for need in ("requests.cpu", "requests.memory", "limits.memory"):
                a, b = need.split(".")
                if not (res.get(a) or {}).get(b):
                    problem(cw, f"resources.{need} is not set")
            sc = c.get("securityContext", {}) or {}
            if sc.get("allowPrivilegeEscalation") is not False:
                problem(cw, "securityContext.allowPrivilegeEscalation must be false")
            if sc.get("readOnlyRootFilesystem") is not True:
                problem(cw, "securityContext.readOnlyRootFilesystem must be true")
            if "ALL" not in ((sc.get("capabilities") or {}).get("drop") or []):
                problem(cw, "securityContext.capabilities.drop must contain ALL")
            if not (sc.get("runAsNonRoot") or pod_sc.get("runAsNonRoot")):
                problem(cw, "runAsNonRoot must be true")
            seccomp = (sc.get("seccompProfile") or pod_sc.get("seccompProfile") or {}).get("type")
            if seccomp != "RuntimeDefault":
                problem(cw, "seccompProfile must be RuntimeDefault")
            tmp = [m for m in c.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
            if not tmp or "emptyDir" not in volumes.get(tmp[0]["name"], {}):
                problem(cw, "/tmp must be an emptyDir (the root filesystem is read-only)")
            for m in c.get("volumeMounts", []):
                if m["name"] not in volumes:
                    problem(cw, f"mounts volume {m['name']}, which the pod does not define")
            if module:
                image = c.get("image", "")
                repo = image.split("@")[0].rsplit(":", 1)[0] if ":" in image.split("/")[-1] else image
                if repo.split("/")[-1] != module or not os.path.isfile(path(module, "src/main/docker/Dockerfile.jvm")):
                    problem(cw, f"image {image} is not the {module} artifact's image")
                if ":" not in image.split("/")[-1]:
                    problem(cw, f"image {image} has no tag: set it in the overlay's images")
                if http_port(module) not in ports.values():
                    problem(cw, f"containerPort must be {http_port(module)} (quarkus.http.port)")
                uid = spec.get("securityContext", {}).get("runAsUser") or sc.get("runAsUser")
                if uid is not None and uid != image_uid(module):
                    problem(cw, f"runAsUser {uid} differs from the image's USER {image_uid(module)}")
            # Variables: each one read by the service, references resolvable, the required ones set.
            names = set()
            for e in c.get("env", []):
                names.add(e["name"])
                ref = (e.get("valueFrom") or {})
                if "secretKeyRef" in ref:
                    r = ref["secretKeyRef"]
                    exists("Secret", r["name"], r["key"], cw, r.get("optional", False))
                if "configMapKeyRef" in ref:
                    r = ref["configMapKeyRef"]
                    exists("ConfigMap", r["name"], r["key"], cw, r.get("optional", False))
            for ef in c.get("envFrom", []):
                if "configMapRef" in ef:
                    exists("ConfigMap", ef["configMapRef"]["name"], None, cw, ef["configMapRef"].get("optional", False))
                    names |= set((by_kind.get("ConfigMap", {}).get(ef["configMapRef"]["name"]) or {}).get("data", {}) or {})
                if "secretRef" in ef:
                    exists("Secret", ef["secretRef"]["name"], None, cw, ef["secretRef"].get("optional", False))
                    names |= set((by_kind.get("Secret", {}).get(ef["secretRef"]["name"]) or {}).get("data", {}) or {})
            if module:
                for n in sorted(names):
                    if not env_allowed(module, n):
                        problem(cw, f"sets {n}, which {module}'s application.properties does not read")
                for n in sorted(required_envs(module) - names):
                    problem(cw, f"does not set {n}, which the production profile needs")

    # The gateway: autoscaled on CPU and streams, disruption budget, drain on shutdown.
    gw = deployments.get("gateway")
    if gw:
        spec = pod_spec(gw)
        hpa = next((h for h in by_kind.get("HorizontalPodAutoscaler", {}).values()
                    if h["spec"]["scaleTargetRef"]["name"] == "gateway"), None)
        if not hpa:
            problem(overlay, "no HorizontalPodAutoscaler for the gateway")
        else:
            metrics = hpa["spec"].get("metrics", [])
            if not any(m.get("type") == "Resource" and m["resource"]["name"] == "cpu" for m in metrics):
                problem(overlay, "the gateway's HPA does not scale on CPU")
            if overlay == "prod" and not any(m.get("type") == "Pods" and m["pods"]["metric"]["name"] == "eventline_stream_open"
                                             for m in metrics):
                problem(overlay, "the gateway's HPA does not scale on eventline_stream_open")
            if "replicas" in gw["spec"]:
                problem(overlay, "the gateway Deployment sets replicas, which fights its HPA")
        if not any(p["spec"]["selector"].get("matchLabels", {}).get("app.kubernetes.io/name") == "gateway"
                   for p in by_kind.get("PodDisruptionBudget", {}).values()):
            problem(overlay, "no PodDisruptionBudget for the gateway")
        c = spec["containers"][0]
        pre = (((c.get("lifecycle") or {}).get("preStop") or {}).get("exec") or {}).get("command", [])
        sleep = int(pre[-1]) if pre and pre[0] == "sleep" else None
        if sleep is None:
            problem(overlay, "the gateway has no preStop sleep (endpoints must go before SIGTERM)")
        drain = None
        for cm in c.get("envFrom", []):
            data = (by_kind.get("ConfigMap", {}).get(cm.get("configMapRef", {}).get("name")) or {}).get("data", {}) or {}
            drain = data.get("EVENTLINE_STREAM_DRAIN_PERIOD", drain)
        for e in c.get("env", []):
            drain = e.get("value", drain) if e["name"] == "EVENTLINE_STREAM_DRAIN_PERIOD" else drain
        m = re.fullmatch(r"(\d+)s", str(drain or ""))
        if not m:
            problem(overlay, "the gateway must set EVENTLINE_STREAM_DRAIN_PERIOD in seconds (e.g. 20s)")
        elif sleep is not None:
            grace = spec.get("terminationGracePeriodSeconds", 30)
            if grace < sleep + int(m.group(1)) + 10:
                problem(overlay, f"the gateway's terminationGracePeriodSeconds {grace} leaves no room for preStop "
                        f"{sleep}s + drain {drain} + shutdown")

    # Services: selectors match pods, target ports exist.
    for name, svc in by_kind.get("Service", {}).items():
        sel = svc["spec"].get("selector", {})
        pods = [d for d in deployments.values()
                if all(d["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in sel.items())]
        if not pods:
            problem(f"{overlay}: Service {name}", "selects no Deployment's pods")
        for p in svc["spec"]["ports"]:
            names = {cp.get("name") for d in pods for c in pod_spec(d)["containers"] for cp in c.get("ports", [])}
            if isinstance(p.get("targetPort"), str) and p["targetPort"] not in names:
                problem(f"{overlay}: Service {name}", f"targetPort {p['targetPort']} is no container port name")
    for name in ("events-service", "messaging-service", "notification-service", "gateway"):
        svc = by_kind.get("Service", {}).get(name)
        if not svc or svc["spec"]["ports"][0]["port"] != http_port(name):
            problem(overlay, f"Service {name} must serve port {http_port(name)}")

    # The gateway's service URLs and the bootstrap address name real Services.
    for cm in by_kind.get("ConfigMap", {}).values():
        for key, value in (cm.get("data") or {}).items():
            m = re.fullmatch(r"http://([\w-]+):(\d+)", str(value))
            if key.endswith("_URL") and m:
                svc = by_kind.get("Service", {}).get(m.group(1))
                if not svc or int(m.group(2)) not in [p["port"] for p in svc["spec"]["ports"]]:
                    problem(f"{overlay}: ConfigMap {cm['metadata']['name']}", f"{key} {value} is no Service port")
            if key == "KAFKA_BOOTSTRAP_SERVERS":
                cluster = str(value).split("-kafka-bootstrap")[0]
                if cluster not in by_kind.get("Kafka", {}):
                    problem(f"{overlay}: ConfigMap {cm['metadata']['name']}", f"{value} is not a Strimzi Kafka bootstrap")
            if key == "EVENTLINE_DB_URL":
                m = re.fullmatch(r"jdbc:postgresql://([\w-]+)-rw:5432/(\w+)", str(value))
                if not m or m.group(1) not in by_kind.get("Cluster", {}):
                    problem(f"{overlay}: ConfigMap {cm['metadata']['name']}", f"{value} is not a CloudNativePG -rw Service")
                else:
                    check_database(overlay, by_kind, m.group(1), m.group(2), cm)

    # Ingress: SSE settings on ingress-nginx, backend the gateway, /q/* not published.
    ingresses = by_kind.get("Ingress", {})
    if not ingresses:
        problem(overlay, "no Ingress")
    for name, ing in ingresses.items():
        a = ing["metadata"].get("annotations", {})
        for key, value in (("nginx.ingress.kubernetes.io/proxy-buffering", "off"),
                           ("nginx.ingress.kubernetes.io/proxy-read-timeout", "3600"),
                           ("nginx.ingress.kubernetes.io/proxy-send-timeout", "3600")):
            if a.get(key) != value:
                problem(f"{overlay}: Ingress {name}", f"{key} must be \"{value}\" (Server-Sent Events)")
        for rule in ing["spec"].get("rules", []):
            for p in rule["http"]["paths"]:
                if p["backend"]["service"]["name"] != "gateway":
                    problem(f"{overlay}: Ingress {name}", "routes to something other than the gateway")
                if p["path"] in ("/", "/q") or p["path"].startswith("/q/"):
                    problem(f"{overlay}: Ingress {name}", f"path {p['path']} publishes /q/* (health, metrics)")
        for tls in ing["spec"].get("tls", []):
            exists("Secret", tls["secretName"], None, f"{overlay}: Ingress {name}")

    check_network_policies(overlay, by_kind)
    check_operators(overlay, by_kind, exists)
    check_kafka_access(overlay, by_kind)
    check_monitoring(overlay, by_kind)


def check_database(overlay, by_kind, cluster_name, database, cm):
    cluster = by_kind["Cluster"][cluster_name]
    initdb = cluster["spec"].get("bootstrap", {}).get("initdb", {})
    owners = {initdb.get("database"): initdb.get("owner")}
    for db in by_kind.get("Database", {}).values():
        if db["spec"]["cluster"]["name"] == cluster_name:
            owners[db["spec"]["name"]] = db["spec"]["owner"]
    if database not in owners:
        problem(f"{overlay}: ConfigMap {cm['metadata']['name']}", f"database {database} is created neither by "
                f"{cluster_name}'s initdb nor by a Database resource")


def check_network_policies(overlay, by_kind):
    policies = by_kind.get("NetworkPolicy", {}).values()
    if not any(p["spec"].get("podSelector") == {} and p["spec"].get("policyTypes") == ["Ingress"]
               and not p["spec"].get("ingress") for p in policies):
        problem(overlay, "no default-deny ingress NetworkPolicy")

    def admitted(labels, port):
        """The peers admitted to pods with these labels on this port."""
        peers = []
        for p in policies:
            sel = p["spec"].get("podSelector", {})
            if not label_match(sel, labels):
                continue
            for rule in p["spec"].get("ingress", []) or []:
                ports = [pp.get("port") for pp in rule.get("ports", [])]
                if not ports or port in ports:
                    peers += rule.get("from", []) or [{"any": True}]
        return peers

    for module in MODULES:
        labels = by_kind["Deployment"][module]["spec"]["template"]["metadata"]["labels"]
        peers = admitted(labels, http_port(module))
        if any(p.get("any") for p in peers):
            problem(overlay, f"{module} admits traffic from anywhere")
        ns_peers = {p["namespaceSelector"]["matchLabels"].get("kubernetes.io/metadata.name")
                    for p in peers if "namespaceSelector" in p}
        pod_peers = [p["podSelector"] for p in peers if "podSelector" in p and "namespaceSelector" not in p]
        if "monitoring" not in ns_peers:
            problem(overlay, f"Prometheus (namespace monitoring) cannot scrape {module}")
        if module == "gateway":
            if "ingress-nginx" not in ns_peers:
                problem(overlay, "the ingress controller cannot reach the gateway")
            if pod_peers:
                problem(overlay, "the gateway admits pods of its own namespace: only the ingress controller should")
        else:
            gateway_labels = by_kind["Deployment"]["gateway"]["spec"]["template"]["metadata"]["labels"]
            if not any(label_match(s, gateway_labels) for s in pod_peers):
                problem(overlay, f"the gateway cannot reach {module}")
            if ns_peers - {"monitoring"}:
                problem(overlay, f"{module} admits namespaces {sorted(ns_peers - {'monitoring'})}: only the gateway should")
            for s in pod_peers:
                for other in MODULES:
                    other_labels = by_kind["Deployment"][other]["spec"]["template"]["metadata"]["labels"]
                    if other != "gateway" and label_match(s, other_labels):
                        problem(overlay, f"{module} admits {other}: only the gateway should reach it")
    # PostgreSQL admits the three domain services.
    for cluster in by_kind.get("Cluster", {}):
        peers = admitted({"cnpg.io/cluster": cluster}, 5432)
        for module in MODULES[:3]:
            labels = by_kind["Deployment"][module]["spec"]["template"]["metadata"]["labels"]
            if not any("podSelector" in p and label_match(p["podSelector"], labels) for p in peers):
                problem(overlay, f"{module} cannot reach PostgreSQL cluster {cluster}")
    # Kafka's listener (Strimzi writes that policy) admits the four services.
    for name, kafka in by_kind.get("Kafka", {}).items():
        for listener in kafka["spec"]["kafka"]["listeners"]:
            peers = listener.get("networkPolicyPeers")
            if peers is None:
                continue
            for module in MODULES:
                labels = by_kind["Deployment"][module]["spec"]["template"]["metadata"]["labels"]
                if not any(label_match(p.get("podSelector", {}), labels) for p in peers):
                    problem(overlay, f"{module} cannot reach Kafka listener {listener['name']}")


def label_match(selector, labels):
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for e in selector.get("matchExpressions") or []:
        value = labels.get(e["key"])
        if e["operator"] == "In" and value not in e["values"]:
            return False
        if e["operator"] == "NotIn" and value in e["values"]:
            return False
        if e["operator"] == "Exists" and value is None:
            return False
    return True


def check_operators(overlay, by_kind, exists):
    topics = local_stack_topics()
    kafkas = by_kind.get("Kafka", {})
    if len(kafkas) != 1:
        problem(overlay, "expected exactly one Strimzi Kafka")
        return
    kafka_name, kafka = next(iter(kafkas.items()))
    config = kafka["spec"]["kafka"].get("config", {})
    if config.get("auto.create.topics.enable") is not False:
        problem(overlay, "Kafka must not auto-create topics")
    if "topicOperator" not in kafka["spec"].get("entityOperator", {}):
        problem(overlay, "Kafka has no topic operator: the KafkaTopic resources would do nothing")
    pools = [p for p in by_kind.get("KafkaNodePool", {}).values()
             if p["metadata"].get("labels", {}).get("strimzi.io/cluster") == kafka_name]
    brokers = sum(p["spec"]["replicas"] for p in pools if "broker" in p["spec"]["roles"])
    if not any("controller" in p["spec"]["roles"] for p in pools):
        problem(overlay, "no KafkaNodePool with the controller role (KRaft)")
    expected_brokers = 3 if overlay == "prod" else 1
    if brokers != expected_brokers:
        problem(overlay, f"{brokers} Kafka brokers, expected {expected_brokers}")
    for key in ("default.replication.factor", "offsets.topic.replication.factor",
                "transaction.state.log.replication.factor"):
        if config.get(key, 1) > brokers:
            problem(overlay, f"Kafka {key} {config.get(key)} exceeds the {brokers} brokers")
    seen = {}
    for t in by_kind.get("KafkaTopic", {}).values():
        name = t["spec"].get("topicName", t["metadata"]["name"])
        where = f"{overlay}: KafkaTopic {name}"
        if t["metadata"].get("labels", {}).get("strimzi.io/cluster") != kafka_name:
            problem(where, f"is not labelled strimzi.io/cluster: {kafka_name}")
        seen[name] = t["spec"].get("partitions")
        replicas = t["spec"].get("replicas")
        min_isr = int((t["spec"].get("config") or {}).get("min.insync.replicas", 1))
        if overlay == "prod" and (replicas != 3 or min_isr != 2):
            problem(where, f"replicas {replicas} / min.insync.replicas {min_isr}, expected 3 / 2")
        if replicas is None or replicas > brokers or min_isr > replicas:
            problem(where, f"replicas {replicas} / min.insync.replicas {min_isr} do not fit {brokers} brokers")
        if "retention.ms" not in (t["spec"].get("config") or {}):
            problem(where, "sets no retention.ms")
    # local-stack's topics and dead-letter topics, with its partition counts.
    dead_letter = local_stack_dead_letter_topics()
    if dead_letter is not None:
        topics = topics | dead_letter
    else:  # a dead-letter topic that local-stack does not declare yet: <topic>.dlq only
        topics = topics | {t: n for t, n in seen.items() if t.endswith(".dlq") and t[:-4] in topics}
    if seen != topics:
        problem(overlay, f"KafkaTopics {seen} differ from local-stack's {topics}")

    clusters = by_kind.get("Cluster", {})
    if len(clusters) != 1:
        problem(overlay, "expected exactly one CloudNativePG Cluster")
    for name, cluster in clusters.items():
        where = f"{overlay}: Cluster {name}"
        spec = cluster["spec"]
        expected = 3 if overlay == "prod" else 1
        if spec.get("instances") != expected:
            problem(where, f"{spec.get('instances')} instances, expected {expected}")
        if spec.get("maxSyncReplicas", 0) >= spec.get("instances", 1) and spec.get("maxSyncReplicas", 0) > 0:
            problem(where, "maxSyncReplicas must be below instances")
        initdb = spec.get("bootstrap", {}).get("initdb", {})
        if initdb.get("secret"):
            exists("Secret", initdb["secret"]["name"], "password", where)
        roles = {r["name"] for r in spec.get("managed", {}).get("roles", [])} | {initdb.get("owner")}
        for r in spec.get("managed", {}).get("roles", []):
            if r.get("passwordSecret"):
                exists("Secret", r["passwordSecret"]["name"], "password", where)
        for db in by_kind.get("Database", {}).values():
            if db["spec"]["cluster"]["name"] == name and db["spec"]["owner"] not in roles:
                problem(f"{overlay}: Database {db['metadata']['name']}", f"owner {db['spec']['owner']} is no role of {name}")


# ---------------------------------------------------------------------------------------------
# Kafka: listeners, users and ACLs (issue 17): who may read and write which topic
# ---------------------------------------------------------------------------------------------

# What each service publishes: its own topic, and notification-service's dead-letter topic. No other
# KafkaUser may hold a write on any topic.
OWN_TOPICS = {
    "events-service": {"eventline.events"},
    "messaging-service": {"eventline.messages"},
    "notification-service": {"eventline.notifications", "eventline.notifications.dlq"},
    "gateway": set(),
}
# What each one reads, and in which consumer group (None: assign and seek, no group).
READS = {
    "gateway": ({"eventline.events", "eventline.messages", "eventline.notifications"}, None),
    "notification-service": ({"eventline.events", "eventline.messages"}, "notification-service"),
}
# Operations that change a topic or act for it; Kafka's "All" includes them.
WRITE_OPERATIONS = {"Write", "All", "Create", "Delete", "Alter", "AlterConfigs", "IdempotentWrite"}
READ_OPERATIONS = {"Read", "All"}


def strimzi_secrets(by_kind):
    """Secrets Strimzi writes: one per KafkaUser (SCRAM) and each cluster's CA certificate."""
    secrets = {}
    for name, user in by_kind.get("KafkaUser", {}).items():
        kind = ((user.get("spec") or {}).get("authentication") or {}).get("type")
        if kind == "scram-sha-512":
            secrets[name] = {"password", "sasl.jaas.config"}
        elif kind in ("tls", "tls-external"):
            secrets[name] = {"ca.crt", "user.crt", "user.key", "user.p12", "user.password"}
    for name in by_kind.get("Kafka", {}):
        secrets[f"{name}-cluster-ca-cert"] = {"ca.crt", "ca.p12", "ca.password"}
    return secrets


def acl_entries(user):
    """(resource type, name, pattern type, operation) of each allow ACL of a KafkaUser."""
    out = []
    for acl in (((user.get("spec") or {}).get("authorization") or {}).get("acls") or []):
        if acl.get("type", "allow") != "allow":
            continue
        r = acl.get("resource") or {}
        ops = list(acl.get("operations") or []) + ([acl["operation"]] if acl.get("operation") else [])
        for op in ops:
            out.append((r.get("type"), r.get("name", "*"), r.get("patternType", "literal"), op))
    return out


def acl_covers(pattern, pattern_type, wanted):
    """Whether an ACL's resource pattern names the resource wanted."""
    if pattern == "*":
        return True
    return wanted.startswith(pattern) if pattern_type == "prefix" else wanted == pattern


def env_source(container, name, by_kind):
    """A container's variable: ("value", v), ("secret", name, key), ("configMap", ...) or None."""
    for e in container.get("env", []) or []:
        if e["name"] == name:
            ref = e.get("valueFrom") or {}
            if "secretKeyRef" in ref:
                return ("secret", ref["secretKeyRef"]["name"], ref["secretKeyRef"]["key"])
            if "configMapKeyRef" in ref:
                cm = by_kind.get("ConfigMap", {}).get(ref["configMapKeyRef"]["name"]) or {}
                return ("value", (cm.get("data") or {}).get(ref["configMapKeyRef"]["key"]))
            return ("value", e.get("value"))
    found = None
    for ef in container.get("envFrom", []) or []:
        if "configMapRef" in ef:
            cm = by_kind.get("ConfigMap", {}).get(ef["configMapRef"]["name"]) or {}
            if name in (cm.get("data") or {}):
                found = ("value", cm["data"][name])
        if "secretRef" in ef and ef["secretRef"]["name"] in by_kind.get("Secret", {}):
            if name in (by_kind["Secret"][ef["secretRef"]["name"]].get("data") or {}):
                found = ("secret", ef["secretRef"]["name"], name)
    return found


def check_kafka_access(overlay, by_kind):
    kafkas = by_kind.get("Kafka", {})
    if len(kafkas) != 1:
        return  # check_operators says so
    cluster, kafka = next(iter(kafkas.items()))
    spec = kafka["spec"]["kafka"]
    where = f"{overlay}: Kafka {cluster}"
    # Every listener authenticates; one is TLS + SCRAM-SHA-512; ACLs are enforced and reconciled.
    scram_ports = set()
    for listener in spec.get("listeners", []):
        auth = (listener.get("authentication") or {}).get("type")
        if not auth:
            problem(where, f"listener {listener['name']} has no authentication: anyone who reaches it is anonymous")
        if auth == "scram-sha-512" and listener.get("tls") is True:
            scram_ports.add(listener["port"])
    if not scram_ports:
        problem(where, "no TLS listener with SCRAM-SHA-512 authentication")
    if (spec.get("authorization") or {}).get("type") != "simple":
        problem(where, "authorization must be simple (the KafkaUsers' ACLs)")
    if "userOperator" not in kafka["spec"].get("entityOperator", {}):
        problem(where, "no user operator: the KafkaUsers (credentials and ACLs) would do nothing")

    users = {n: u for n, u in by_kind.get("KafkaUser", {}).items()
             if (u["metadata"].get("labels") or {}).get("strimzi.io/cluster") == cluster}
    for name, u in by_kind.get("KafkaUser", {}).items():
        if name not in users:
            problem(f"{overlay}: KafkaUser {name}", f"is not labelled strimzi.io/cluster: {cluster}")

    # Each Deployment connects as its own KafkaUser, over the TLS listener, trusting the cluster CA.
    for module in MODULES:
        d = by_kind.get("Deployment", {}).get(module)
        if not d:
            continue
        c = pod_spec(d)["containers"][0]
        cw = f"{overlay}: Deployment {module}"
        jaas = env_source(c, "KAFKA_SASL_JAAS_CONFIG", by_kind)
        if not jaas or jaas[0] != "secret":
            problem(cw, "takes no Kafka credentials (KAFKA_SASL_JAAS_CONFIG from its KafkaUser's Secret)")
        elif jaas[1] not in users:
            problem(cw, f"takes its Kafka credentials from Secret {jaas[1]}, which is no KafkaUser of {cluster}")
        elif jaas[1] != module:
            problem(cw, f"connects to Kafka as KafkaUser {jaas[1]}, not as its own KafkaUser {module}")
        elif jaas[2] != "sasl.jaas.config":
            problem(cw, f"KAFKA_SASL_JAAS_CONFIG reads key {jaas[2]} of Secret {jaas[1]}, not sasl.jaas.config")
        elif ((users[jaas[1]]["spec"].get("authentication") or {}).get("type")) != "scram-sha-512":
            problem(cw, f"KafkaUser {jaas[1]} does not authenticate with scram-sha-512")
        for var, wanted in (("KAFKA_SECURITY_PROTOCOL", "SASL_SSL"), ("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")):
            got = env_source(c, var, by_kind)
            if not got or got[0] != "value" or got[1] != wanted:
                problem(cw, f"{var} must be {wanted}")
        bootstrap = env_source(c, "KAFKA_BOOTSTRAP_SERVERS", by_kind)
        port = str((bootstrap or (None, ""))[1] or "").rsplit(":", 1)[-1]
        if not port.isdigit() or int(port) not in scram_ports:
            problem(cw, f"KAFKA_BOOTSTRAP_SERVERS {bootstrap and bootstrap[1]} is not the TLS + SCRAM listener "
                    f"(port {', '.join(map(str, sorted(scram_ports)))})")
        ca = env_source(c, "KAFKA_SSL_TRUSTSTORE_CERTIFICATES", by_kind)
        store = env_source(c, "KAFKA_SSL_TRUSTSTORE_TYPE", by_kind)
        if not ca or ca[:3] != ("secret", f"{cluster}-cluster-ca-cert", "ca.crt") or not store or store[1] != "PEM":
            problem(cw, f"does not trust the cluster CA (KAFKA_SSL_TRUSTSTORE_TYPE PEM and "
                    f"KAFKA_SSL_TRUSTSTORE_CERTIFICATES from Secret {cluster}-cluster-ca-cert, key ca.crt)")

    # Writes: a service on its own topics only, nobody else on any; nobody administers the cluster.
    topics = {t["spec"].get("topicName", n) for n, t in by_kind.get("KafkaTopic", {}).items()}
    for module in MODULES:
        if module not in users:
            problem(overlay, f"no KafkaUser {module}")
    groups = {}
    for name, u in users.items():
        uw = f"{overlay}: KafkaUser {name}"
        if (u["spec"].get("authorization") or {}).get("type") != "simple":
            problem(uw, "has no simple authorization: its ACLs would not apply")
        own = OWN_TOPICS.get(name, set())
        for rtype, rname, ptype, op in acl_entries(u):
            if rtype == "topic" and op in WRITE_OPERATIONS:
                if ptype != "literal" or rname not in own:
                    whose = [m for m, t in OWN_TOPICS.items() if any(acl_covers(rname, ptype, x) for x in t)]
                    problem(uw, f"may {op} topic {rname} ({ptype})"
                            + (f", which is {', '.join(whose)}'s" if whose and name not in whose else "")
                            + (": the gateway only reads" if name == "gateway" else
                               ": a service writes only its own topic and its DLQ" if name in OWN_TOPICS else
                               ": a consuming team only reads"))
            elif rtype == "topic" and ptype == "literal" and rname != "*" and rname not in topics:
                problem(uw, f"has an ACL on topic {rname}, which no KafkaTopic creates")
            if rtype in ("cluster", "transactionalId") and op != "Describe":
                problem(uw, f"may {op} on {rtype} {rname}: no client administers the cluster")
            if rtype == "group" and op in READ_OPERATIONS:
                groups.setdefault(name, []).append((rname, ptype))
        if name == "gateway" and any(op in WRITE_OPERATIONS for _, _, _, op in acl_entries(u)):
            problem(uw, "has a write ACL: the gateway only reads")
    # Reads: the consumers can read what they consume.
    for name, (wanted, group) in READS.items():
        u = users.get(name)
        if not u:
            continue
        acls = acl_entries(u)
        for t in sorted(wanted):
            if not any(r == "topic" and op in READ_OPERATIONS and acl_covers(n, pt, t) for r, n, pt, op in acls):
                problem(f"{overlay}: KafkaUser {name}", f"cannot Read topic {t}, which it consumes")
        if group and not any(r == "group" and op in READ_OPERATIONS and acl_covers(n, pt, group)
                             for r, n, pt, op in acls):
            problem(f"{overlay}: KafkaUser {name}", f"cannot Read its consumer group {group}")
    # No user may join another's consumer group (it would take its partitions and move its offsets).
    for name, patterns in groups.items():
        for other, theirs in groups.items():
            if other == name:
                continue
            for g, gt in theirs:
                if gt == "literal" and any(acl_covers(p, pt, g) for p, pt in patterns):
                    problem(f"{overlay}: KafkaUser {name}", f"may join consumer group {g} of KafkaUser {other}")
    readers = [n for n in users if n not in OWN_TOPICS]
    if not readers:
        problem(overlay, "no KafkaUser for a consuming team (the example: team-example)")
    for name in readers:
        own_prefix = [p for p, pt in groups.get(name, []) if pt == "prefix" and p.startswith(name)]
        if not own_prefix:
            problem(f"{overlay}: KafkaUser {name}", f"has no consumer-group prefix of its own ({name}.)")

    # Other namespaces reach the brokers on the SCRAM listener's port only.
    broker_labels = {"strimzi.io/cluster": cluster, "strimzi.io/kind": "Kafka", "strimzi.io/name": f"{cluster}-kafka"}
    cross = 0
    for np in by_kind.get("NetworkPolicy", {}).values():
        if not np["spec"].get("podSelector") or not label_match(np["spec"]["podSelector"], broker_labels):
            continue
        for rule in np["spec"].get("ingress", []) or []:
            if not any("namespaceSelector" in p for p in rule.get("from", []) or []):
                continue
            cross += 1
            ports = {pp.get("port") for pp in rule.get("ports", []) or []}
            if not ports or not ports <= scram_ports:
                problem(f"{overlay}: NetworkPolicy {np['metadata']['name']}",
                        f"admits other namespaces to Kafka on {sorted(ports) or 'every port'}: only the TLS + SCRAM "
                        f"listener ({', '.join(map(str, sorted(scram_ports)))})")
    if not cross:
        problem(overlay, "no NetworkPolicy admits consuming teams' namespaces to the Kafka listener")
    note(f"{overlay}: Kafka: {len(users)} KafkaUsers; each Deployment connects as its own over TLS + SCRAM; "
         "no user writes another's topic, the gateway and consumers write nothing")


def check_monitoring(overlay, by_kind):
    monitors = by_kind.get("ServiceMonitor", {}).values()
    for module in MODULES:
        svc = by_kind.get("Service", {}).get(module)
        if not svc:
            continue
        scraped = [m for m in monitors if label_match(m["spec"]["selector"], svc["metadata"].get("labels", {}))]
        if not any(e.get("path") == "/q/metrics" and e.get("port") in [p.get("name") for p in svc["spec"]["ports"]]
                   for m in scraped for e in m["spec"]["endpoints"]):
            problem(overlay, f"no ServiceMonitor scrapes {module}'s /q/metrics")
    rules = by_kind.get("PrometheusRule", {})
    if not rules:
        problem(overlay, "no PrometheusRule")
    known = exported_metrics() | STANDARD_METRICS | PLATFORM_METRICS
    docs = read("docs/operations.md")
    anchors = {slug(h) for h in re.findall(r"^#+\s+(.*)$", docs, re.M)}
    alerts = set()
    for rule in rules.values():
        for group in rule["spec"]["groups"]:
            for r in group["rules"]:
                name = r.get("alert") or r.get("record")
                alerts.add(name)
                for metric in sorted(metric_names(r["expr"]) - known):
                    problem(f"{overlay}: alert {name}", f"queries {metric}, which nothing exports")
                url = r.get("annotations", {}).get("runbook_url", "")
                if r.get("alert") and (not url.startswith("docs/operations.md#") or url.split("#")[1] not in anchors):
                    problem(f"{overlay}: alert {name}", f"runbook_url {url!r} is no heading of docs/operations.md")
    for wanted in ("EventlineOutboxLagHigh", "EventlineRelayFailing", "EventlineNotificationConsumerLag",
                   "EventlineStreamResetsRising", "EventlineStreamDroppedRising", "EventlineStreamDeliveryLatencyHigh",
                   "EventlinePodsNotReady"):
        if wanted not in alerts:
            problem(overlay, f"alert {wanted} is missing")


def slug(heading):
    return re.sub(r"[^a-z0-9 -]", "", heading.strip().lower()).replace(" ", "-")


# ---------------------------------------------------------------------------------------------
# Dashboard, images, docs
# ---------------------------------------------------------------------------------------------

def check_dashboard():
    where = "k8s/base/monitoring/eventline-dashboard.json"
    try:
        dash = json.loads(read(where))
    except (OSError, ValueError) as e:
        problem(where, f"is not valid JSON: {e}")
        return
    known = exported_metrics() | STANDARD_METRICS
    exprs = []

    def walk(panels):
        for p in panels:
            exprs.extend((p.get("title"), t.get("expr", "")) for t in p.get("targets", []))
            walk(p.get("panels", []))
    walk(dash.get("panels", []))
    for var in dash.get("templating", {}).get("list", []):
        q = var.get("query")
        if isinstance(q, dict):
            exprs.append((var["name"], q.get("query", "")))
    used = set()
    for title, expr in exprs:
        for metric in metric_names(expr):
            used.add(metric)
            if metric not in known:
                problem(where, f"panel {title!r} queries {metric}, which no service exports")
    for wanted in ("http_server_requests_seconds_count", "eventline_outbox_lag_seconds",
                   "eventline_stream_delivery_latency_seconds_bucket", "eventline_stream_open",
                   "eventline_stream_resets_total", "eventline_stream_dropped_total", "process_cpu_usage",
                   "jvm_memory_used_bytes"):
        if wanted not in used:
            problem(where, f"shows no {wanted}")
    compose = read("docker-compose.yml")
    if "./k8s/base/monitoring/eventline-dashboard.json:" not in compose:
        problem("docker-compose.yml", "Grafana does not mount the dashboard from k8s/base/monitoring/")
    note(f"dashboard: {len(exprs)} queries over {len(used)} metrics, all exported")


def check_images(rendered):
    env = images_env()
    k = yaml.safe_load(read("k8s/overlays/prod/kustomization.yaml"))
    images = {i["name"]: i for i in k.get("images", [])}
    for module in MODULES:
        i = images.get(f"eventline/{module}")
        expected = (f"{env.get('EVENTLINE_REGISTRY')}/{module}", env.get("EVENTLINE_TAG"))
        if not i or (i.get("newName"), str(i.get("newTag"))) != expected:
            problem("k8s/overlays/prod/kustomization.yaml", f"image of {module} must be {expected[0]}:{expected[1]} "
                    "as deploy/images.env says")
    dev_key = read("k8s/overlays/dev/public-key-DEV-ONLY.pem")
    if dev_key != read("local-stack/src/main/resources/dev-jwt/public-key-DEV-ONLY.pem"):
        problem("k8s/overlays/dev/public-key-DEV-ONLY.pem", "differs from local-stack's development key")
    for overlay, objs in rendered.items():
        ns = [o for o in objs if o["kind"] == "Namespace"]
        k = yaml.safe_load(read("k8s/overlays", overlay, "kustomization.yaml"))
        if [n["metadata"]["name"] for n in ns] != [k.get("namespace")]:
            problem(f"k8s/overlays/{overlay}", "must create exactly its own namespace")


def check_operations_doc():
    where = "docs/operations.md"
    if not os.path.isfile(path(where)):
        problem(where, "missing")
        return
    text = read(where)
    section = re.search(r"^## Configuration reference.*?(?=^## )", text, re.S | re.M)
    if not section:
        problem(where, "no '## Configuration reference' section")
        return
    documented = {}
    for row in re.findall(r"^\|\s*(`[A-Z][^|]*)\|([^|]*)\|", section.group(0), re.M):
        for var in re.findall(r"`([A-Z][A-Z0-9_]*)`", row[0]):
            documented[var] = row[1]
    read_by = {}
    for module in MODULES:
        for var in variables_read(module):
            read_by.setdefault(var, set()).add(module)
    for var in sorted(set(read_by) - set(documented)):
        problem(where, f"{var} (read by {', '.join(sorted(read_by[var]))}) is not in the configuration reference")
    for var, modules in sorted(documented.items()):
        real = [m for m in MODULES if env_allowed(m, var)]
        if not real:
            problem(where, f"{var} is documented but no service reads it")
            continue
        for m in re.findall(r"[a-z]+-service|gateway", modules):
            if m in MODULES and not env_allowed(m, var):
                problem(where, f"{var} is documented for {m}, which does not read it")
    note(f"docs/operations.md: {len(documented)} variables documented, every one real, none missing")


def check_shell_scripts():
    for p in ["deploy/postgres/init-databases.sh", "deploy/kafka/create-topics.sh", "bin/validate-deploy.sh"]:
        if not os.access(path(p), os.X_OK):
            problem(p, "is not executable")
        run = subprocess.run(["bash", "-n", path(p)], capture_output=True, text=True)
        if run.returncode != 0:
            problem(p, f"bash -n: {run.stderr.strip()}")


def guard(where, check, *args):
    """Runs one check; a malformed file that trips it up is a problem, not a crash."""
    try:
        return check(*args)
    except Exception as e:  # noqa: BLE001 - any failure of a check is reported as one problem
        problem(where, f"check {check.__name__} stopped at {type(e).__name__}: {e} "
                "(a field it needs is missing or malformed; see the problems above)")
        return None


def dump_rendered(overlay, file):
    """--dump-rendered <overlay> <file>: the overlay's objects, rendered as the checks see them."""
    if overlay not in OVERLAYS:
        print(f"validate-deploy: no overlay {overlay} (one of {', '.join(OVERLAYS)})", file=sys.stderr)
        sys.exit(2)
    rendered = render_overlays([overlay])
    for p in PROBLEMS:
        print("  ✘ " + p, file=sys.stderr)
    write_rendered(rendered[overlay], file)
    sys.exit(1 if PROBLEMS else 0)


def main():
    args = sys.argv[2:]
    if args[:1] == ["--dump-rendered"]:
        if len(args) != 3:
            print("usage: validate-deploy.py ROOT --dump-rendered <overlay> <file, or - for stdout>", file=sys.stderr)
            sys.exit(2)
        dump_rendered(args[1], args[2])
    elif args:
        print(f"validate-deploy: unknown arguments {' '.join(args)}", file=sys.stderr)
        sys.exit(2)
    started = time.time()
    guard("YAML", check_yaml_parses)
    guard("scripts", check_shell_scripts)
    guard("Dockerfiles", check_dockerfiles)
    guard("docker-compose.yml", check_compose)
    rendered = guard("k8s/overlays", render_overlays) or {}
    external = guard("docs/operations.md", external_objects) or {}
    for overlay, objs in rendered.items():
        guard(overlay, check_strict_schema, overlay, objs)
    if rendered:
        guard(SCHEMA_CHECK, check_npm_schemas, rendered)
    for overlay, objs in rendered.items():
        guard(overlay, check_k8s_rules, overlay, objs, external)
    guard("images", check_images, rendered)
    guard("dashboard", check_dashboard)
    guard("docs/operations.md", check_operations_doc)
    for n in NOTES:
        print("  ✔ " + n)
    elapsed = time.time() - started
    if PROBLEMS:
        print(f"\nvalidate-deploy: {len(PROBLEMS)} problem(s):", file=sys.stderr)
        for p in PROBLEMS:
            print("  ✘ " + p, file=sys.stderr)
        sys.exit(1)
    print(f"validate-deploy: all deployment checks passed ({elapsed:.1f} s)")


if __name__ == "__main__":
    main()
