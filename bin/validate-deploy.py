"""Checks the deployment files against each other and against the code; run by bin/validate-deploy.sh.

The schemas are checked by maintained tools: `kubectl kustomize` renders the overlays,
deploy/schema-check (pinned npm models, unknown fields rejected) checks every rendered object,
`docker-compose config` the compose file, `promtool` the alert rules, the dashboard's queries and
Prometheus' configuration. What stays here are the project's own rules and the cross-checks
against the code: each module's application.properties (the variables it reads and its port), the
@ConfigMapping interfaces, the Micrometer meters, local-stack's topics. What they expect beyond the
code (lists, tables) is data, in bin/validate-deploy.yaml.

Every check adds to one list of problems; the script prints them all and exits 1 if there is any.
"""
import functools
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
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "validate-deploy.yaml"), encoding="utf-8") as _f:
    DATA = yaml.safe_load(_f)
MODULES = DATA["modules"]
OVERLAYS = list(DATA["overlays"])
SCHEMA_CHECK = "deploy/schema-check"
PROBLEMS, NOTES = [], []


def problem(where, message):
    PROBLEMS.append(f"{where}: {message}")


def note(message):
    NOTES.append(message)


def path(*parts):
    return os.path.join(ROOT, *parts)


@functools.lru_cache(maxsize=None)
def read(*parts):
    with open(path(*parts), encoding="utf-8") as f:
        return f.read()


def get(obj, dotted, default=None):
    """obj's value at a dotted path of keys, or default where any step is missing."""
    for key in dotted.split("."):
        obj = obj.get(key) if isinstance(obj, dict) else None
        if obj is None:
            return default
    return obj


def run(command, **kw):
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, **kw)


def promtool_check_rules(where, rules):
    """`promtool check rules` on rules ({"groups": [...]}); its complaints are problems of where."""
    if not shutil.which("promtool"):
        problem(where, "promtool is not installed (bin/validate-deploy.sh installs Debian's prometheus)")
        return
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="validate-deploy-") as f:
        yaml.safe_dump(rules, f)
        f.flush()
        out = run(["promtool", "check", "rules", f.name])
    if out.returncode != 0:
        text = (out.stderr + out.stdout).replace(f.name, "rules").strip()
        problem(where, "promtool check rules rejects it: " + " ".join(text.split()))


# ---------------------------------------------------------------------------------------------
# What the code says
# ---------------------------------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}")


@functools.lru_cache(maxsize=None)
def properties(module):
    """key -> value of a module's application.properties (profiles kept in the key)."""
    props = {}
    for line in read(module, "src/main/resources/application.properties").splitlines():
        key, eq, value = line.strip().partition("=")
        if eq and not key.startswith("#"):
            props[key.strip()] = value.strip()
    return props


@functools.lru_cache(maxsize=None)
def variables_read(module):
    """Environment variables a module's application.properties reads: name -> default or None."""
    return {m.group(1): m.group(2) for v in properties(module).values()
            for m in PLACEHOLDER.finditer(v) if m.group(1).isupper()}


def http_port(module):
    return int(properties(module)["quarkus.http.port"])


def env_name(prop):
    return re.sub(r"[^A-Za-z0-9]", "_", prop).upper()


def java_files(module):
    for dirpath, _, files in os.walk(path(module, "src/main/java")):
        yield from (os.path.join(dirpath, f) for f in files if f.endswith(".java"))


def depends_on(module, artifact):
    return f"<artifactId>{artifact}</artifactId>" in read(module, "pom.xml")


@functools.lru_cache(maxsize=None)
def sources(module):
    """The text of the module's Java sources and of the project libraries it depends on."""
    files = list(java_files(module))
    for lib in ("change-feed", "service-http"):
        if os.path.isdir(path(lib)) and depends_on(module, lib):
            files += java_files(lib)
    return [open(f, encoding="utf-8").read() for f in files]


@functools.lru_cache(maxsize=None)
def allowed_envs(module):
    """Every variable a container of this module may set: what application.properties reads, the
    typed configuration (@ConfigMapping, @ConfigProperty), JAVA_OPTS (the image's entrypoint reads
    it) and the Kafka client settings when its Kafka clients take Quarkus' kafka.* map."""
    envs = set(variables_read(module)) | {"JAVA_OPTS"}
    for text in sources(module):
        m = re.search(r'@ConfigMapping\(prefix\s*=\s*"([^"]+)"\)', text)
        if m:
            for method in re.findall(r"^\s+[\w<>, ?]+\s+(\w+)\(\);", text, re.M):
                envs.add(env_name(m.group(1) + "." + re.sub(r"(?<!^)([A-Z])", r"-\1", method).lower()))
        envs |= {env_name(p) for p in re.findall(r'@ConfigProperty\(name\s*=\s*"([^"]+)"', text)}
    if depends_on(module, "quarkus-messaging-kafka") or any('"default-kafka-broker"' in t for t in sources(module)):
        envs |= set(DATA["kafka_client_envs"])
    return envs


def env_allowed(module, name):
    return name in allowed_envs(module) or name.startswith("QUARKUS_")  # QUARKUS_* sets any property


def required_envs(module):
    """Variables a container must set: no default, an empty one, or one that means localhost."""
    return {n for n, d in variables_read(module).items() if not d or "localhost" in d}


def local_stack_map(name):
    """A Map.of("topic", partitions, ...) constant of LocalStack.java, or None."""
    block = re.search(name + r"\s*=\s*Map\.of\((.*?)\);", read("local-stack/src/main/java/io/eventline/localstack/LocalStack.java"), re.S)
    return {t: int(n) for t, n in re.findall(r'"([^"]+)",\s*(\d+)', block.group(1))} if block else None


def local_stack_topics():
    topics = local_stack_map(r"\bTOPICS")
    if topics is None:
        problem("LocalStack.java", "cannot find the TOPICS map (the validator reads partition counts from it)")
    return topics or {}


@functools.lru_cache(maxsize=None)
def exported_metrics():
    """Prometheus names of the meters the code registers (Micrometer's naming convention)."""
    names = set()
    for module in os.listdir(ROOT):
        if not os.path.isdir(path(module, "src/main/java")):
            continue
        for f in java_files(module):
            text = open(f, encoding="utf-8").read()
            found = re.findall(r'(Counter|Gauge|Timer|DistributionSummary)\.builder\(\s*"([a-z0-9_.]+)"', text)
            found += [(k.capitalize(), n) for k, n in re.findall(r'registry\.(counter|gauge|timer)\(\s*"([a-z0-9_.]+)"', text)]
            for kind, name in found:
                base = name.replace(".", "_")
                if kind in ("Counter", "Gauge"):
                    names.add(base + "_total" if kind == "Counter" else base)
                    continue
                base += "_seconds" if kind == "Timer" else ""
                names |= {base + "_count", base + "_sum", base + "_max"}
                builder = text[text.find('"' + name + '"'):]
                if "publishPercentileHistogram()" in builder[:builder.find(".register(")]:
                    names.add(base + "_bucket")
    return names


def metric_names(expr):
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)        # strings
    e = re.sub(r"\{[^}]*\}", "", e)                      # label matchers
    e = re.sub(r"\[[^\]]*\]", "", e)                     # ranges
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", e)
    e = re.sub(r"\$\w+", "", e)                          # Grafana variables
    e = re.sub(r"label_values\(([^,()]+),\s*\w+\)", r"(\1)", e)  # Grafana: label_values(metric, label)
    words = set(DATA["promql_words"])
    return {m.group(0) for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", e)
            if m.group(0).lower() not in words and e[m.end():].lstrip()[:1] != "("
            and not re.fullmatch(r"\d+\w*", m.group(0))}


# ---------------------------------------------------------------------------------------------
# Files: YAML, scripts, Dockerfiles, images
# ---------------------------------------------------------------------------------------------

def check_yaml_parses():
    count = 0
    for dirpath, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in {".git", "target", "node_modules", ".eventline", ".idea", ".vscode"}]
        for f in (os.path.join(dirpath, f) for f in files if f.endswith((".yaml", ".yml"))):
            try:
                with open(f, encoding="utf-8") as fh:
                    list(yaml.safe_load_all(fh))
                count += 1
            except yaml.YAMLError as e:
                problem(os.path.relpath(f, ROOT), f"does not parse as YAML: {e}")
    note(f"{count} YAML files parse")


def check_shell_scripts():
    for p in ["deploy/postgres/init-databases.sh", "deploy/kafka/create-topics.sh", "bin/validate-deploy.sh"]:
        if not os.access(path(p), os.X_OK):
            problem(p, "is not executable")
        out = run(["bash", "-n", path(p)])
        if out.returncode != 0:
            problem(p, f"bash -n: {out.stderr.strip()}")


def check_dockerfiles():
    for module in MODULES:
        where = f"{module}/src/main/docker/Dockerfile.jvm"
        if not os.path.isfile(path(where)):
            problem(where, "missing")
            continue
        text, port = read(where), http_port(module)
        if not re.search(r"^FROM\s+\S*(temurin:21-jre|openjdk-21-runtime)\S*", text, re.M):
            problem(where, "base image is not a JRE 21 (eclipse-temurin:21-jre or ubi9/openjdk-21-runtime)")
        if image_uid(module) in (None, 0):
            problem(where, "must end as a numeric non-root USER (Kubernetes' runAsNonRoot verifies a uid)")
        if not re.search(rf"^EXPOSE\s+{port}\b", text, re.M):
            problem(where, f"EXPOSE {port} (quarkus.http.port of {module}) is missing")
        hc = re.search(r"^HEALTHCHECK.*?CMD\s+(.*)$", text, re.M | re.S)
        if not hc or "/q/health/ready" not in hc.group(1) or f"/{port}" not in hc.group(1):
            problem(where, f"HEALTHCHECK must probe /q/health/ready on port {port}")
        for layer in DATA["dockerfile_layers"]:
            if layer not in text:
                problem(where, f"does not copy {layer} (Quarkus fast-jar layout)")
        for needed, message in (("MaxRAMPercentage", "JAVA_OPTS lacks -XX:MaxRAMPercentage"),
                                ("quarkus-run.jar", "does not run quarkus-run.jar")):
            if needed not in text:
                problem(where, message)


def image_uid(module):
    """The uid of the image's last USER (None if that is no number or there is none)."""
    users = re.findall(r"^USER\s+(\S+)", read(module, "src/main/docker/Dockerfile.jvm"), re.M)
    uid = users[-1].split(":")[0] if users else ""
    return int(uid) if uid.isdigit() else None


def images_env():
    lines = [line.split("=", 1) for line in read("deploy/images.env").splitlines() if "=" in line and not line.strip().startswith("#")]
    env = {k.strip(): v.strip() for k, v in lines}
    for k in ("EVENTLINE_REGISTRY", "EVENTLINE_TAG"):
        if not env.get(k):
            problem("deploy/images.env", f"{k} is not set")
    return env


def check_images(rendered):
    env = images_env()
    images = {i["name"]: i for i in yaml.safe_load(read("k8s/overlays/prod/kustomization.yaml")).get("images", [])}
    for module in MODULES:
        i = images.get(f"eventline/{module}", {})
        expected = (f"{env.get('EVENTLINE_REGISTRY')}/{module}", env.get("EVENTLINE_TAG"))
        if (i.get("newName"), str(i.get("newTag"))) != expected:
            problem("k8s/overlays/prod/kustomization.yaml", f"image of {module} must be {expected[0]}:{expected[1]} "
                    "as deploy/images.env says")
    if read("k8s/overlays/dev/public-key-DEV-ONLY.pem") != read("local-stack/src/main/resources/dev-jwt/public-key-DEV-ONLY.pem"):
        problem("k8s/overlays/dev/public-key-DEV-ONLY.pem", "differs from local-stack's development key")
    for overlay, objs in rendered.items():
        names = [o["metadata"]["name"] for o in objs if o["kind"] == "Namespace"]
        if names != [yaml.safe_load(read("k8s/overlays", overlay, "kustomization.yaml")).get("namespace")]:
            problem(f"k8s/overlays/{overlay}", "must create exactly its own namespace")


# ---------------------------------------------------------------------------------------------
# docker-compose.yml
# ---------------------------------------------------------------------------------------------

def check_compose():
    where = "docker-compose.yml"
    # The compose schema, by Debian's docker-compose (no Docker engine needed for `config`).
    for extra in ([], ["--env-file", path("deploy/images.env")]):
        out = run(["docker-compose", "--project-directory", ROOT, "-f", path(where)] + extra + ["config", "-q"])
        if out.returncode != 0:
            problem(where, "docker-compose config rejects it: " + (out.stderr or out.stdout).strip())
    out = run(["docker-compose", "-f", path(where), "--env-file", path("deploy/images.env"), "config"])
    env = images_env()
    for module in MODULES if out.returncode == 0 else []:
        image = f"{env.get('EVENTLINE_REGISTRY')}/{module}:{env.get('EVENTLINE_TAG')}"
        if f"image: {image}" not in out.stdout:
            problem(where, f"with deploy/images.env, {module}'s image is not {image}")

    services = yaml.safe_load(read(where)).get("services", {})
    one_shot = {t for s in services.values() for t, c in (s.get("depends_on") or {}).items()
                if isinstance(c, dict) and c.get("condition") == "service_completed_successfully"}
    for name, svc in services.items():
        if name not in one_shot and not svc.get("healthcheck"):
            problem(where, f"service {name} has no healthcheck")
        deps = svc.get("depends_on") or {}
        for target, cond in (deps.items() if isinstance(deps, dict) else [(d, None) for d in deps]):
            condition = cond.get("condition") if isinstance(cond, dict) else None
            if target not in services:
                problem(where, f"{name} depends on {target}, which is not a service")
            elif condition not in ("service_healthy", "service_completed_successfully"):
                problem(where, f"{name} depends on {target} without condition service_healthy/_completed_successfully")
            elif condition == "service_healthy" and not services[target].get("healthcheck"):
                problem(where, f"{name} waits for {target} to be healthy, but {target} has no healthcheck")
        for volume in svc.get("volumes") or []:
            source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source", "")
            if source.startswith(".") and not os.path.exists(path(source)):
                problem(where, f"{name} mounts {source}, which does not exist")
        for p in svc.get("ports") or []:  # loopback unless opted in: the stack accepts the committed dev key
            if not str(p).startswith("${EVENTLINE_BIND:-127.0.0.1}:"):
                problem(where, f"{name} publishes {p}: bind it as ${{EVENTLINE_BIND:-127.0.0.1}}:<port>:<port>")
        if name != "gateway" and name in MODULES and svc.get("ports"):
            problem(where, f"{name} publishes a port: only the gateway is the way in")
    if not any(str(p).endswith("8080:8080") for p in services.get("gateway", {}).get("ports", [])):
        problem(where, "the gateway must be published on 8080")

    postgres_env = get(services, "postgres.environment", {})
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
        env = dict(e.split("=", 1) for e in env) if isinstance(env, list) else env
        for var in env:
            if not env_allowed(module, var):
                problem(where, f"{module} sets {var}, which {module}'s application.properties does not read")
        for var in sorted(required_envs(module) - set(env)):
            problem(where, f"{module} does not set {var}, which its production profile needs")
        port, test = http_port(module), " ".join(map(str, get(svc, "healthcheck.test", [])))
        if "/q/health/ready" not in test or f"/{port}" not in test:
            problem(where, f"{module}: healthcheck must probe /q/health/ready on port {port}")
        key_location = str(env.get("EVENTLINE_JWT_PUBLIC_KEY_LOCATION", ""))
        mounted = [v.split(":")[1] for v in svc.get("volumes") or [] if isinstance(v, str)]
        if key_location and not any(key_location.endswith(m) for m in mounted):
            problem(where, f"{module}: EVENTLINE_JWT_PUBLIC_KEY_LOCATION {key_location} is not a mounted file")
        db_url = str(env.get("EVENTLINE_DB_URL", ""))
        m = re.fullmatch(r"jdbc:postgresql://([\w-]+):(\d+)/(\w+)", db_url)
        if db_url and (not m or m.group(1) not in services):
            problem(where, f"{module}: EVENTLINE_DB_URL {db_url} does not name a compose service")
        elif db_url:
            db = m.group(3)
            if not re.search(rf"^create {db} ", read("deploy/postgres/init-databases.sh"), re.M):
                problem(where, f"{module}: database {db} is not created by deploy/postgres/init-databases.sh")
            if env.get("EVENTLINE_DB_USER") != db:
                problem(where, f"{module}: EVENTLINE_DB_USER must be the database's owner role {db}")
            if env.get("EVENTLINE_DB_PASSWORD") != postgres_env.get(f"{db.upper()}_DB_PASSWORD"):
                problem(where, f"{module}: EVENTLINE_DB_PASSWORD differs from postgres' {db.upper()}_DB_PASSWORD")
        for var, target in (("EVENTLINE_EVENTS_URL", "events-service"), ("EVENTLINE_MESSAGING_URL", "messaging-service"),
                            ("EVENTLINE_NOTIFICATION_URL", "notification-service")):
            if var in env and env[var] != f"http://{target}:{http_port(target)}":
                problem(where, f"{module}: {var} must be http://{target}:{http_port(target)}")
        if "KAFKA_BOOTSTRAP_SERVERS" in env and env["KAFKA_BOOTSTRAP_SERVERS"].split(":")[0] not in services:
            problem(where, f"{module}: KAFKA_BOOTSTRAP_SERVERS does not name a compose service")
        if env.get("EVENTLINE_STREAM_SECRET") is not None and len(str(env["EVENTLINE_STREAM_SECRET"])) < 32:
            problem(where, f"{module}: EVENTLINE_STREAM_SECRET must have at least 32 characters")

    # Kafka: no auto-creation, and the topics local-stack creates, with its partition counts.
    if str(get(services, "kafka.environment.KAFKA_AUTO_CREATE_TOPICS_ENABLE", "")).lower() != "false":
        problem(where, "kafka must not auto-create topics (KAFKA_AUTO_CREATE_TOPICS_ENABLE: \"false\")")
    topics_env = [get(s, "environment.EVENTLINE_TOPICS") for s in services.values() if get(s, "environment.EVENTLINE_TOPICS")]
    if len(topics_env) != 1:
        problem(where, "exactly one service must create the topics (EVENTLINE_TOPICS)")
    else:
        declared = {t.split(":")[0]: int(t.split(":")[1]) for t in topics_env[0].split()}
        expected = local_stack_topics() | (local_stack_map("DEAD_LETTER_TOPICS") or {})
        if declared != expected:
            problem(where, f"topics {declared} differ from local-stack's {expected}")
    constants = set(re.findall(r'"(eventline\.[a-z]+)"', read("change-record/src/main/java/io/eventline/changefeed/Topics.java")))
    if constants != set(local_stack_topics()):
        problem("LocalStack.java", f"topics differ from change-record's Topics.java {sorted(constants)}")

    monitoring = {n for n, s in services.items() if "monitoring" in (s.get("profiles") or [])}
    if not {"prometheus", "grafana"} <= monitoring or not monitoring <= {"prometheus", "grafana", "jaeger"}:
        problem(where, f"profile monitoring must hold prometheus and grafana (and may hold jaeger), holds {sorted(monitoring)}")
    prom = "deploy/prometheus/prometheus.yml"
    if shutil.which("promtool"):
        out = run(["promtool", "check", "config", "--syntax-only", path(prom)])
        if out.returncode != 0:
            problem(prom, "promtool check config rejects it: " + " ".join((out.stderr + out.stdout).split()))
    jobs = {j["job_name"]: j for j in yaml.safe_load(read(prom)).get("scrape_configs", [])}
    for module in MODULES:
        job, target = jobs.get(module, {}), f"{module}:{http_port(module)}"
        if job.get("metrics_path") != "/q/metrics" or target not in get(job, "static_configs", [{}])[0].get("targets", []):
            problem(prom, f"job {module} must scrape {target}/q/metrics")
    if "./k8s/base/monitoring/eventline-dashboard.json:" not in read(where):
        problem(where, "Grafana does not mount the dashboard from k8s/base/monitoring/")
    note("docker-compose.yml: compose schema (docker-compose config), services, variables, topics; "
         "prometheus.yml (promtool check config)")


# ---------------------------------------------------------------------------------------------
# k8s/: rendered by kubectl kustomize, every object checked by deploy/schema-check (node)
# ---------------------------------------------------------------------------------------------

def render_overlays(overlays):
    """overlay -> its objects, as `kubectl kustomize` renders them."""
    rendered = {}
    for overlay in overlays:
        out = run(["kubectl", "kustomize", path("k8s/overlays", overlay)], timeout=120)
        if out.returncode != 0:
            problem(f"k8s/overlays/{overlay}", f"kubectl kustomize fails: {out.stderr.strip()}")
        else:
            rendered[overlay] = [d for d in yaml.safe_load_all(out.stdout) if d]
    if rendered:
        version = re.search(r"Kustomize Version: (\S+)", run(["kubectl", "version", "--client"]).stdout)
        note(f"k8s overlays rendered by kubectl kustomize ({version.group(1) if version else 'kustomize'})")
    return rendered


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
    (kubernetes-models) and the Strimzi, CloudNativePG and prometheus-operator CRDs, unknown fields
    rejected. bin/validate-deploy.sh installs node and runs `npm ci` in deploy/schema-check."""
    if not shutil.which("node") or not os.path.isdir(path(SCHEMA_CHECK, "node_modules")):
        problem(SCHEMA_CHECK, "node or node_modules is missing: run `npm ci` there (bin/validate-deploy.sh does)")
        return
    with tempfile.TemporaryDirectory(prefix="validate-deploy-") as tmp:
        args = []
        for overlay, objs in rendered.items():
            write_rendered(objs, os.path.join(tmp, f"{overlay}.json"))
            args.append(f"{overlay}={os.path.join(tmp, overlay + '.json')}")
        out = run(["node", path(SCHEMA_CHECK, "check.mjs")] + args, timeout=300)
    found = 0
    for line in out.stdout.splitlines():
        if line.startswith("✔ "):
            note(line[2:])
        elif line.startswith("✘ "):
            found += 1
            parts = line[2:].split(": ", 2)
            problem(": ".join(parts[:2]), parts[2] if len(parts) > 2 else "")
    if out.returncode != 0 and not found:
        problem(SCHEMA_CHECK, f"check.mjs failed (exit {out.returncode}): {(out.stderr or out.stdout).strip()}")


# ---------------------------------------------------------------------------------------------
# k8s/: the project's rules (issue 7)
# ---------------------------------------------------------------------------------------------

def external_objects():
    """Secrets and ConfigMaps an operator creates before deploying prod: docs/operations.md."""
    section = re.search(r"^## Objects you create.*?(?=^## )", read("docs/operations.md"), re.S | re.M)
    if not section:
        problem("docs/operations.md", "no section '## Objects you create' listing the external Secrets and ConfigMaps")
        return {}
    return {(kind, name): set(re.findall(r"`([^`]+)`", keys)) for kind, name, keys in
            re.findall(r"^\|\s*(Secret|ConfigMap)\s*\|\s*`([^`]+)`\s*\|([^|]*)\|", section.group(0), re.M)}


def pod_spec(o):
    return get(o, "spec.template.spec", {}) if o.get("kind") in ("Deployment", "StatefulSet", "DaemonSet", "Job") else None


def data_of(by_kind, kind, name):
    return (by_kind.get(kind, {}).get(name) or {}).get("data") or {}


def pod_labels(by_kind, name):
    return by_kind["Deployment"][name]["spec"]["template"]["metadata"]["labels"]


def label_match(selector, labels):
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for e in selector.get("matchExpressions") or []:
        value = labels.get(e["key"])
        if {"In": value not in e.get("values", []), "NotIn": value in e.get("values", []),
                "Exists": value is None}.get(e["operator"]):
            return False
    return True


def strimzi_secrets(by_kind):
    """Secrets Strimzi writes: one per KafkaUser and each cluster's CA certificate -> their keys."""
    keys = DATA["strimzi_secret_keys"]
    secrets = {name: set(keys[get(u, "spec.authentication.type")]) for name, u in by_kind.get("KafkaUser", {}).items()
               if get(u, "spec.authentication.type") in keys}
    return secrets | {f"{name}-cluster-ca-cert": set(keys["cluster-ca-cert"]) for name in by_kind.get("Kafka", {})}


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
        elif obj is not None:
            if key and key not in set(obj.get("data") or {}) | set(obj.get("stringData") or {}):
                problem(where, f"{kind} {name} has no key {key}")
        elif optional:
            pass
        elif overlay == "prod" and (kind, name) in external:
            if key and key not in external[(kind, name)]:
                problem(where, f"{kind} {name} is documented in docs/operations.md without the key {key}")
        else:
            problem(where, f"{kind} {name} is neither in the overlay"
                    + (" nor documented as created by the operator (docs/operations.md)" if overlay == "prod" else ""))

    def ref(kind, r, where):  # a reference to a ConfigMap or Secret (and its key, if it names one)
        exists(kind, r.get("name") or r.get("secretName"), r.get("key"), where, r.get("optional", False))

    deployments = by_kind.get("Deployment", {})
    for module in MODULES:
        if module not in deployments:
            problem(overlay, f"no Deployment {module}")
    for name, d in deployments.items():
        where, spec, module = f"{overlay}: Deployment {name}", pod_spec(d), name if name in MODULES else None
        pod_sc = spec.get("securityContext") or {}
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for v in volumes.values():
            if "configMap" in v:
                ref("ConfigMap", v["configMap"], where)
            if "secret" in v:
                ref("Secret", v["secret"], where)
        for c in spec.get("containers", []):
            cw = f"{where} container {c['name']}"
            ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
            for probe, wanted in DATA["probes"].items():
                p = get(c, f"{probe}.httpGet", {})
                if p.get("path") != wanted:
                    problem(cw, f"{probe} must be an httpGet of {wanted}")
                elif p.get("port") not in ports and p.get("port") not in ports.values():
                    problem(cw, f"{probe} probes port {p.get('port')}, which the container does not declare")
            for need in ("requests.cpu", "requests.memory", "limits.memory"):
                if not get(c, "resources." + need):
                    problem(cw, f"resources.{need} is not set")
            sc = c.get("securityContext") or {}
            for field, wanted in (("allowPrivilegeEscalation", False), ("readOnlyRootFilesystem", True)):
                if sc.get(field) is not wanted:
                    problem(cw, f"securityContext.{field} must be {str(wanted).lower()}")
            if "ALL" not in (get(sc, "capabilities.drop") or []):
                problem(cw, "securityContext.capabilities.drop must contain ALL")
            if not (sc.get("runAsNonRoot") or pod_sc.get("runAsNonRoot")):
                problem(cw, "runAsNonRoot must be true")
            if (get(sc, "seccompProfile.type") or get(pod_sc, "seccompProfile.type")) != "RuntimeDefault":
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
                uid = pod_sc.get("runAsUser") or sc.get("runAsUser")
                if uid is not None and uid != image_uid(module):
                    problem(cw, f"runAsUser {uid} differs from the image's USER {image_uid(module)}")
            # Variables: each one read by the service, references resolvable, the required ones set.
            names = {e["name"] for e in c.get("env", [])}
            for kind, key_ref, all_ref in (("Secret", "secretKeyRef", "secretRef"), ("ConfigMap", "configMapKeyRef", "configMapRef")):
                for e in (e for e in c.get("env", []) if get(e, "valueFrom." + key_ref)):
                    ref(kind, e["valueFrom"][key_ref], cw)
                for ef in (ef for ef in c.get("envFrom", []) if all_ref in ef):
                    ref(kind, ef[all_ref], cw)
                    names |= set(data_of(by_kind, kind, ef[all_ref]["name"]))
            for n in sorted(names) if module else []:
                if not env_allowed(module, n):
                    problem(cw, f"sets {n}, which {module}'s application.properties does not read")
            for n in sorted(required_envs(module) - names) if module else []:
                problem(cw, f"does not set {n}, which the production profile needs")

    check_gateway(overlay, by_kind)
    # Services: selectors match pods, target ports exist, each module's on its port.
    for name, svc in by_kind.get("Service", {}).items():
        sel = svc["spec"].get("selector", {})
        pods = [d for d in deployments.values() if all(get(d, "spec.template.metadata.labels", {}).get(k) == v
                                                       for k, v in sel.items())]
        if not pods:
            problem(f"{overlay}: Service {name}", "selects no Deployment's pods")
        names = {cp.get("name") for d in pods for c in pod_spec(d)["containers"] for cp in c.get("ports", [])}
        for p in svc["spec"]["ports"]:
            if isinstance(p.get("targetPort"), str) and p["targetPort"] not in names:
                problem(f"{overlay}: Service {name}", f"targetPort {p['targetPort']} is no container port name")
    for name in MODULES:
        if get(by_kind, f"Service.{name}.spec.ports", [{}])[0].get("port") != http_port(name):
            problem(overlay, f"Service {name} must serve port {http_port(name)}")

    # The gateway's service URLs, the bootstrap address and the database URLs name real objects.
    for cm in by_kind.get("ConfigMap", {}).values():
        cw = f"{overlay}: ConfigMap {cm['metadata']['name']}"
        for key, value in (cm.get("data") or {}).items():
            m = re.fullmatch(r"http://([\w-]+):(\d+)", str(value))
            if key.endswith("_URL") and m and int(m.group(2)) not in [
                    p["port"] for p in get(by_kind, f"Service.{m.group(1)}.spec.ports", [])]:
                problem(cw, f"{key} {value} is no Service port")
            if key == "KAFKA_BOOTSTRAP_SERVERS" and str(value).split("-kafka-bootstrap")[0] not in by_kind.get("Kafka", {}):
                problem(cw, f"{value} is not a Strimzi Kafka bootstrap")
            m = re.fullmatch(r"jdbc:postgresql://([\w-]+)-rw:5432/(\w+)", str(value))
            if key == "EVENTLINE_DB_URL" and (not m or m.group(1) not in by_kind.get("Cluster", {})):
                problem(cw, f"{value} is not a CloudNativePG -rw Service")
            elif key == "EVENTLINE_DB_URL":
                databases = {get(by_kind, f"Cluster.{m.group(1)}.spec.bootstrap.initdb.database")}
                databases |= {db["spec"]["name"] for db in by_kind.get("Database", {}).values()
                              if db["spec"]["cluster"]["name"] == m.group(1)}
                if m.group(2) not in databases:
                    problem(cw, f"database {m.group(2)} is created neither by {m.group(1)}'s initdb nor by a Database resource")

    # Ingress: SSE settings on ingress-nginx, backend the gateway, /q/* not published.
    if not by_kind.get("Ingress"):
        problem(overlay, "no Ingress")
    for name, ing in by_kind.get("Ingress", {}).items():
        iw = f"{overlay}: Ingress {name}"
        for key, value in DATA["ingress_annotations"].items():
            if get(ing, "metadata.annotations", {}).get(key) != value:
                problem(iw, f"{key} must be \"{value}\" (Server-Sent Events)")
        for p in (p for rule in ing["spec"].get("rules", []) for p in rule["http"]["paths"]):
            if p["backend"]["service"]["name"] != "gateway":
                problem(iw, "routes to something other than the gateway")
            if p["path"] in ("/", "/q") or p["path"].startswith("/q/"):
                problem(iw, f"path {p['path']} publishes /q/* (health, metrics)")
        for tls in ing["spec"].get("tls", []):
            exists("Secret", tls["secretName"], None, iw)

    check_network_policies(overlay, by_kind)
    check_operators(overlay, by_kind, exists)
    check_kafka_access(overlay, by_kind)
    check_monitoring(overlay, by_kind)


def env_source(container, name, by_kind):
    """A container's variable: ("value", v), ("secret", name, key) or None."""
    for e in container.get("env", []) or []:
        if e["name"] == name:
            if get(e, "valueFrom.secretKeyRef"):
                return ("secret", e["valueFrom"]["secretKeyRef"]["name"], e["valueFrom"]["secretKeyRef"]["key"])
            r = get(e, "valueFrom.configMapKeyRef")
            return ("value", data_of(by_kind, "ConfigMap", r["name"]).get(r["key"])) if r else ("value", e.get("value"))
    found = None
    for ef in container.get("envFrom", []) or []:
        if name in data_of(by_kind, "ConfigMap", get(ef, "configMapRef.name")):
            found = ("value", data_of(by_kind, "ConfigMap", ef["configMapRef"]["name"])[name])
        if name in data_of(by_kind, "Secret", get(ef, "secretRef.name")):
            found = ("secret", ef["secretRef"]["name"], name)
    return found


def check_gateway(overlay, by_kind):
    """The gateway: autoscaled on CPU and streams, disruption budget, drain on shutdown."""
    gw = by_kind.get("Deployment", {}).get("gateway")
    if not gw:
        return
    hpa = next((h for h in by_kind.get("HorizontalPodAutoscaler", {}).values()
                if h["spec"]["scaleTargetRef"]["name"] == "gateway"), None)
    metrics = get(hpa, "spec.metrics", [])
    if not hpa:
        problem(overlay, "no HorizontalPodAutoscaler for the gateway")
    elif not any(m.get("type") == "Resource" and get(m, "resource.name") == "cpu" for m in metrics):
        problem(overlay, "the gateway's HPA does not scale on CPU")
    if hpa and overlay == "prod" and not any(m.get("type") == "Pods" and get(m, "pods.metric.name") == "eventline_stream_open"
                                             for m in metrics):
        problem(overlay, "the gateway's HPA does not scale on eventline_stream_open")
    if hpa and "replicas" in gw["spec"]:
        problem(overlay, "the gateway Deployment sets replicas, which fights its HPA")
    if not any(get(p, "spec.selector.matchLabels", {}).get("app.kubernetes.io/name") == "gateway"
               for p in by_kind.get("PodDisruptionBudget", {}).values()):
        problem(overlay, "no PodDisruptionBudget for the gateway")
    c = pod_spec(gw)["containers"][0]
    pre = get(c, "lifecycle.preStop.exec.command", [])
    sleep = int(pre[-1]) if pre and pre[0] == "sleep" else None
    if sleep is None:
        problem(overlay, "the gateway has no preStop sleep (endpoints must go before SIGTERM)")
    drain = (env_source(c, "EVENTLINE_STREAM_DRAIN_PERIOD", by_kind) or (None, None))[1]
    m = re.fullmatch(r"(\d+)s", str(drain or ""))
    grace = pod_spec(gw).get("terminationGracePeriodSeconds", 30)
    if not m:
        problem(overlay, "the gateway must set EVENTLINE_STREAM_DRAIN_PERIOD in seconds (e.g. 20s)")
    elif sleep is not None and grace < sleep + int(m.group(1)) + 10:
        problem(overlay, f"the gateway's terminationGracePeriodSeconds {grace} leaves no room for preStop "
                f"{sleep}s + drain {drain} + shutdown")


def check_network_policies(overlay, by_kind):
    policies = by_kind.get("NetworkPolicy", {}).values()
    if not any(p["spec"].get("podSelector") == {} and p["spec"].get("policyTypes") == ["Ingress"]
               and not p["spec"].get("ingress") for p in policies):
        problem(overlay, "no default-deny ingress NetworkPolicy")

    def admitted(labels, port):
        """The peers admitted to pods with these labels on this port."""
        return [peer for p in policies if label_match(p["spec"].get("podSelector", {}), labels)
                for rule in p["spec"].get("ingress") or []
                if not rule.get("ports") or port in [pp.get("port") for pp in rule["ports"]]
                for peer in rule.get("from") or [{"any": True}]]

    for module in MODULES:
        peers = admitted(pod_labels(by_kind, module), http_port(module))
        if any(p.get("any") for p in peers):
            problem(overlay, f"{module} admits traffic from anywhere")
        ns_peers = {get(p, "namespaceSelector.matchLabels", {}).get("kubernetes.io/metadata.name")
                    for p in peers if "namespaceSelector" in p}
        pod_peers = [p["podSelector"] for p in peers if "podSelector" in p and "namespaceSelector" not in p]
        if "monitoring" not in ns_peers:
            problem(overlay, f"Prometheus (namespace monitoring) cannot scrape {module}")
        if module == "gateway":
            if "ingress-nginx" not in ns_peers:
                problem(overlay, "the ingress controller cannot reach the gateway")
            if pod_peers:
                problem(overlay, "the gateway admits pods of its own namespace: only the ingress controller should")
            continue
        if not any(label_match(s, pod_labels(by_kind, "gateway")) for s in pod_peers):
            problem(overlay, f"the gateway cannot reach {module}")
        if ns_peers - {"monitoring"}:
            problem(overlay, f"{module} admits namespaces {sorted(ns_peers - {'monitoring'})}: only the gateway should")
        for other in (o for o in MODULES if o != "gateway" for s in pod_peers if label_match(s, pod_labels(by_kind, o))):
            problem(overlay, f"{module} admits {other}: only the gateway should reach it")
    for cluster in by_kind.get("Cluster", {}):  # PostgreSQL admits the domain services
        peers = admitted({"cnpg.io/cluster": cluster}, 5432)
        for module in DATA["database_modules"]:
            if not any("podSelector" in p and label_match(p["podSelector"], pod_labels(by_kind, module)) for p in peers):
                problem(overlay, f"{module} cannot reach PostgreSQL cluster {cluster}")
    for kafka in by_kind.get("Kafka", {}).values():  # Kafka's listeners (Strimzi writes their policy)
        for listener in (lst for lst in kafka["spec"]["kafka"]["listeners"] if lst.get("networkPolicyPeers") is not None):
            for module in MODULES:
                if not any(label_match(p.get("podSelector", {}), pod_labels(by_kind, module)) for p in listener["networkPolicyPeers"]):
                    problem(overlay, f"{module} cannot reach Kafka listener {listener['name']}")


def check_operators(overlay, by_kind, exists):
    """Strimzi's Kafka, node pools and topics; CloudNativePG's Cluster and Databases."""
    expect = DATA["overlays"][overlay]
    kafkas = by_kind.get("Kafka", {})
    if len(kafkas) != 1:
        problem(overlay, "expected exactly one Strimzi Kafka")
        return
    kafka_name, kafka = next(iter(kafkas.items()))
    config = kafka["spec"]["kafka"].get("config", {})
    if config.get("auto.create.topics.enable") is not False:
        problem(overlay, "Kafka must not auto-create topics")
    if "topicOperator" not in get(kafka, "spec.entityOperator", {}):
        problem(overlay, "Kafka has no topic operator: the KafkaTopic resources would do nothing")
    pools = [p for p in by_kind.get("KafkaNodePool", {}).values() if get(p, "metadata.labels", {}).get("strimzi.io/cluster") == kafka_name]
    brokers = sum(p["spec"]["replicas"] for p in pools if "broker" in p["spec"]["roles"])
    if not any("controller" in p["spec"]["roles"] for p in pools):
        problem(overlay, "no KafkaNodePool with the controller role (KRaft)")
    if brokers != expect["kafka_brokers"]:
        problem(overlay, f"{brokers} Kafka brokers, expected {expect['kafka_brokers']}")
    for key in ("default.replication.factor", "offsets.topic.replication.factor", "transaction.state.log.replication.factor"):
        if config.get(key, 1) > brokers:
            problem(overlay, f"Kafka {key} {config.get(key)} exceeds the {brokers} brokers")
    seen = {}
    for t in by_kind.get("KafkaTopic", {}).values():
        name = t["spec"].get("topicName", t["metadata"]["name"])
        where, replicas = f"{overlay}: KafkaTopic {name}", t["spec"].get("replicas")
        if get(t, "metadata.labels", {}).get("strimzi.io/cluster") != kafka_name:
            problem(where, f"is not labelled strimzi.io/cluster: {kafka_name}")
        seen[name] = t["spec"].get("partitions")
        min_isr = int((t["spec"].get("config") or {}).get("min.insync.replicas", 1))
        if "topic_replicas" in expect and (replicas, min_isr) != (expect["topic_replicas"], expect["topic_min_insync_replicas"]):
            problem(where, f"replicas {replicas} / min.insync.replicas {min_isr}, expected "
                    f"{expect['topic_replicas']} / {expect['topic_min_insync_replicas']}")
        if replicas is None or replicas > brokers or min_isr > replicas:
            problem(where, f"replicas {replicas} / min.insync.replicas {min_isr} do not fit {brokers} brokers")
        if "retention.ms" not in (t["spec"].get("config") or {}):
            problem(where, "sets no retention.ms")
    topics, dead_letter = local_stack_topics(), local_stack_map("DEAD_LETTER_TOPICS")
    if dead_letter is None:  # a dead-letter topic that local-stack does not declare yet: <topic>.dlq only
        dead_letter = {t: n for t, n in seen.items() if t.endswith(".dlq") and t[:-4] in topics}
    if seen != topics | dead_letter:
        problem(overlay, f"KafkaTopics {seen} differ from local-stack's {topics | dead_letter}")

    clusters = by_kind.get("Cluster", {})
    if len(clusters) != 1:
        problem(overlay, "expected exactly one CloudNativePG Cluster")
    for name, cluster in clusters.items():
        where, spec = f"{overlay}: Cluster {name}", cluster["spec"]
        if spec.get("instances") != expect["postgres_instances"]:
            problem(where, f"{spec.get('instances')} instances, expected {expect['postgres_instances']}")
        if 0 < spec.get("maxSyncReplicas", 0) >= spec.get("instances", 1):
            problem(where, "maxSyncReplicas must be below instances")
        initdb = get(spec, "bootstrap.initdb", {})
        for secret in [initdb.get("secret")] + [r.get("passwordSecret") for r in get(spec, "managed.roles", [])]:
            if secret:
                exists("Secret", secret["name"], "password", where)
        roles = {r["name"] for r in get(spec, "managed.roles", [])} | {initdb.get("owner")}
        for db in by_kind.get("Database", {}).values():
            if db["spec"]["cluster"]["name"] == name and db["spec"]["owner"] not in roles:
                problem(f"{overlay}: Database {db['metadata']['name']}", f"owner {db['spec']['owner']} is no role of {name}")


def acl_entries(user):
    """(resource type, name, pattern type, operation) of each allow ACL of a KafkaUser."""
    return [(get(acl, "resource.type"), get(acl, "resource.name", "*"), get(acl, "resource.patternType", "literal"), op)
            for acl in get(user, "spec.authorization.acls", []) if acl.get("type", "allow") == "allow"
            for op in list(acl.get("operations") or []) + ([acl["operation"]] if acl.get("operation") else [])]


def acl_covers(pattern, pattern_type, wanted):
    """Whether an ACL's resource pattern names the resource wanted."""
    return pattern == "*" or (wanted.startswith(pattern) if pattern_type == "prefix" else wanted == pattern)


def check_kafka_access(overlay, by_kind):
    """Listeners, users and ACLs (issue 17): who connects how, and may read and write which topic."""
    if len(by_kind.get("Kafka", {})) != 1:
        return  # check_operators says so
    cluster, kafka = next(iter(by_kind["Kafka"].items()))
    spec, where = kafka["spec"]["kafka"], f"{overlay}: Kafka {cluster}"
    own_topics = {k: set(v) for k, v in DATA["own_topics"].items()}
    writes, reads = set(DATA["write_operations"]), set(DATA["read_operations"])
    # Every listener authenticates; one is TLS + SCRAM-SHA-512; ACLs are enforced and reconciled.
    scram_ports = {lst["port"] for lst in spec.get("listeners", [])
                   if get(lst, "authentication.type") == "scram-sha-512" and lst.get("tls") is True}
    for listener in spec.get("listeners", []):
        if not get(listener, "authentication.type"):
            problem(where, f"listener {listener['name']} has no authentication: anyone who reaches it is anonymous")
    if not scram_ports:
        problem(where, "no TLS listener with SCRAM-SHA-512 authentication")
    if get(spec, "authorization.type") != "simple":
        problem(where, "authorization must be simple (the KafkaUsers' ACLs)")
    if "userOperator" not in get(kafka, "spec.entityOperator", {}):
        problem(where, "no user operator: the KafkaUsers (credentials and ACLs) would do nothing")
    users = {n: u for n, u in by_kind.get("KafkaUser", {}).items() if get(u, "metadata.labels", {}).get("strimzi.io/cluster") == cluster}
    for name in set(by_kind.get("KafkaUser", {})) - set(users):
        problem(f"{overlay}: KafkaUser {name}", f"is not labelled strimzi.io/cluster: {cluster}")
    ports = ", ".join(map(str, sorted(scram_ports)))

    # Each Deployment connects as its own KafkaUser, over the TLS listener, trusting the cluster CA.
    for module in (m for m in MODULES if m in by_kind.get("Deployment", {})):
        c, cw = pod_spec(by_kind["Deployment"][module])["containers"][0], f"{overlay}: Deployment {module}"
        jaas = env_source(c, "KAFKA_SASL_JAAS_CONFIG", by_kind)
        if not jaas or jaas[0] != "secret":
            problem(cw, "takes no Kafka credentials (KAFKA_SASL_JAAS_CONFIG from its KafkaUser's Secret)")
        elif jaas[1] not in users:
            problem(cw, f"takes its Kafka credentials from Secret {jaas[1]}, which is no KafkaUser of {cluster}")
        elif jaas[1] != module:
            problem(cw, f"connects to Kafka as KafkaUser {jaas[1]}, not as its own KafkaUser {module}")
        elif jaas[2] != "sasl.jaas.config":
            problem(cw, f"KAFKA_SASL_JAAS_CONFIG reads key {jaas[2]} of Secret {jaas[1]}, not sasl.jaas.config")
        elif get(users[jaas[1]], "spec.authentication.type") != "scram-sha-512":
            problem(cw, f"KafkaUser {jaas[1]} does not authenticate with scram-sha-512")
        for var, wanted in (("KAFKA_SECURITY_PROTOCOL", "SASL_SSL"), ("KAFKA_SASL_MECHANISM", "SCRAM-SHA-512")):
            if env_source(c, var, by_kind) != ("value", wanted):
                problem(cw, f"{var} must be {wanted}")
        bootstrap = env_source(c, "KAFKA_BOOTSTRAP_SERVERS", by_kind)
        port = str((bootstrap or (None, ""))[1] or "").rsplit(":", 1)[-1]
        if not port.isdigit() or int(port) not in scram_ports:
            problem(cw, f"KAFKA_BOOTSTRAP_SERVERS {bootstrap and bootstrap[1]} is not the TLS + SCRAM listener (port {ports})")
        ca = env_source(c, "KAFKA_SSL_TRUSTSTORE_CERTIFICATES", by_kind)
        if (ca or ())[:3] != ("secret", f"{cluster}-cluster-ca-cert", "ca.crt") or \
                (env_source(c, "KAFKA_SSL_TRUSTSTORE_TYPE", by_kind) or (None, None))[1] != "PEM":
            problem(cw, f"does not trust the cluster CA (KAFKA_SSL_TRUSTSTORE_TYPE PEM and "
                    f"KAFKA_SSL_TRUSTSTORE_CERTIFICATES from Secret {cluster}-cluster-ca-cert, key ca.crt)")

    # Writes: a service on its own topics only, nobody else on any; nobody administers the cluster.
    topics = {t["spec"].get("topicName", n) for n, t in by_kind.get("KafkaTopic", {}).items()}
    for module in set(MODULES) - set(users):
        problem(overlay, f"no KafkaUser {module}")
    groups = {}
    for name, u in users.items():
        uw, own = f"{overlay}: KafkaUser {name}", own_topics.get(name, set())
        if get(u, "spec.authorization.type") != "simple":
            problem(uw, "has no simple authorization: its ACLs would not apply")
        for rtype, rname, ptype, op in acl_entries(u):
            if rtype == "topic" and op in writes and (ptype != "literal" or rname not in own):
                whose = [m for m, t in own_topics.items() if any(acl_covers(rname, ptype, x) for x in t)]
                problem(uw, f"may {op} topic {rname} ({ptype})"
                        + (f", which is {', '.join(whose)}'s" if whose and name not in whose else "")
                        + (": the gateway only reads" if name == "gateway" else
                           ": a service writes only its own topic and its DLQ" if name in own_topics else
                           ": a consuming team only reads"))
            elif rtype == "topic" and op not in writes and ptype == "literal" and rname != "*" and rname not in topics:
                problem(uw, f"has an ACL on topic {rname}, which no KafkaTopic creates")
            if rtype in ("cluster", "transactionalId") and op != "Describe":
                problem(uw, f"may {op} on {rtype} {rname}: no client administers the cluster")
            if rtype == "group" and op in reads:
                groups.setdefault(name, []).append((rname, ptype))
        if name == "gateway" and any(op in writes for _, _, _, op in acl_entries(u)):
            problem(uw, "has a write ACL: the gateway only reads")
    # Reads: the consumers can read what they consume.
    for name, wanted in ((n, r) for n, r in DATA["reads"].items() if n in users):
        acls = acl_entries(users[name])
        for t in sorted(wanted["topics"]):
            if not any(r == "topic" and op in reads and acl_covers(n, pt, t) for r, n, pt, op in acls):
                problem(f"{overlay}: KafkaUser {name}", f"cannot Read topic {t}, which it consumes")
        if wanted["group"] and not any(r == "group" and op in reads and acl_covers(n, pt, wanted["group"]) for r, n, pt, op in acls):
            problem(f"{overlay}: KafkaUser {name}", f"cannot Read its consumer group {wanted['group']}")
    # No user may join another's consumer group (it would take its partitions and move its offsets).
    for name, patterns in groups.items():
        for other, theirs in groups.items():
            for g in (g for g, gt in theirs if other != name and gt == "literal" and any(acl_covers(p, pt, g) for p, pt in patterns)):
                problem(f"{overlay}: KafkaUser {name}", f"may join consumer group {g} of KafkaUser {other}")
    readers = [n for n in users if n not in own_topics]
    if not readers:
        problem(overlay, "no KafkaUser for a consuming team (the example: team-example)")
    for name in readers:
        if not [p for p, pt in groups.get(name, []) if pt == "prefix" and p.startswith(name)]:
            problem(f"{overlay}: KafkaUser {name}", f"has no consumer-group prefix of its own ({name}.)")

    # Other namespaces reach the brokers on the SCRAM listener's port only.
    brokers = {"strimzi.io/cluster": cluster, "strimzi.io/kind": "Kafka", "strimzi.io/name": f"{cluster}-kafka"}
    cross = 0
    for np in (p for p in by_kind.get("NetworkPolicy", {}).values() if p["spec"].get("podSelector")
               and label_match(p["spec"]["podSelector"], brokers)):
        for rule in (r for r in np["spec"].get("ingress") or [] if any("namespaceSelector" in p for p in r.get("from") or [])):
            cross += 1
            rule_ports = {pp.get("port") for pp in rule.get("ports") or []}
            if not rule_ports or not rule_ports <= scram_ports:
                problem(f"{overlay}: NetworkPolicy {np['metadata']['name']}", f"admits other namespaces to Kafka on "
                        f"{sorted(rule_ports) or 'every port'}: only the TLS + SCRAM listener ({ports})")
    if not cross:
        problem(overlay, "no NetworkPolicy admits consuming teams' namespaces to the Kafka listener")
    note(f"{overlay}: Kafka: {len(users)} KafkaUsers; each Deployment connects as its own over TLS + SCRAM; "
         "no user writes another's topic, the gateway and consumers write nothing")


# ---------------------------------------------------------------------------------------------
# Monitoring: ServiceMonitor, alerts (promtool), dashboard (promtool), docs
# ---------------------------------------------------------------------------------------------

def slug(heading):
    return re.sub(r"[^a-z0-9 -]", "", heading.strip().lower()).replace(" ", "-")


def check_monitoring(overlay, by_kind):
    for module in (m for m in MODULES if m in by_kind.get("Service", {})):
        svc = by_kind["Service"][module]
        if not any(e.get("path") == "/q/metrics" and e.get("port") in [p.get("name") for p in svc["spec"]["ports"]]
                   for m in by_kind.get("ServiceMonitor", {}).values() if label_match(m["spec"]["selector"], get(svc, "metadata.labels", {}))
                   for e in m["spec"]["endpoints"]):
            problem(overlay, f"no ServiceMonitor scrapes {module}'s /q/metrics")
    rules = by_kind.get("PrometheusRule", {})
    if not rules:
        problem(overlay, "no PrometheusRule")
    known = exported_metrics() | set(DATA["standard_metrics"]) | set(DATA["platform_metrics"])
    anchors = {slug(h) for h in re.findall(r"^#+\s+(.*)$", read("docs/operations.md"), re.M)}
    alerts = set()
    for rule_name, rule in rules.items():
        promtool_check_rules(f"{overlay}: PrometheusRule {rule_name}", {"groups": rule["spec"]["groups"]})
        for r in (r for group in rule["spec"]["groups"] for r in group["rules"]):
            name = r.get("alert") or r.get("record")
            alerts.add(name)
            for metric in sorted(metric_names(r["expr"]) - known):
                problem(f"{overlay}: alert {name}", f"queries {metric}, which nothing exports")
            url = get(r, "annotations.runbook_url", "")
            if r.get("alert") and (not url.startswith("docs/operations.md#") or url.split("#")[1] not in anchors):
                problem(f"{overlay}: alert {name}", f"runbook_url {url!r} is no heading of docs/operations.md")
    for wanted in (a for a in DATA["alerts"] if a not in alerts):
        problem(overlay, f"alert {wanted} is missing")


def check_dashboard():
    where = "k8s/base/monitoring/eventline-dashboard.json"
    try:
        dash = json.loads(read(where))
    except (OSError, ValueError) as e:
        problem(where, f"is not valid JSON: {e}")
        return
    exprs = []

    def walk(panels):
        for p in panels:
            exprs.extend((p.get("title"), t.get("expr", "")) for t in p.get("targets", []))
            walk(p.get("panels", []))
    walk(dash.get("panels", []))
    variables = [(v["name"], get(v, "query.query", "")) for v in get(dash, "templating.list", []) if isinstance(v.get("query"), dict)]
    known, used = exported_metrics() | set(DATA["standard_metrics"]), set()
    for title, expr in exprs + variables:
        for metric in metric_names(expr):
            used.add(metric)
            if metric not in known:
                problem(where, f"panel {title!r} queries {metric}, which no service exports")
    for wanted in (m for m in DATA["dashboard_metrics"] if m not in used):
        problem(where, f"shows no {wanted}")
    # The panels' PromQL, by promtool: each query as a recording rule, Grafana's variables filled in.
    promql = [re.sub(r"\$\{?\w+\}?", "x", re.sub(r"\$__(rate_)?interval|\$__range", "5m", e)) for _, e in exprs]
    promtool_check_rules(where, {"groups": [{"name": "dashboard", "rules": [
        {"record": f"panel:{i}", "expr": e} for i, e in enumerate(promql)]}]})
    note(f"dashboard: {len(exprs) + len(variables)} queries over {len(used)} metrics, all exported; "
         "panel queries parse (promtool)")


def check_operations_doc():
    where = "docs/operations.md"
    section = re.search(r"^## Configuration reference.*?(?=^## )", read(where), re.S | re.M)
    if not section:
        problem(where, "no '## Configuration reference' section")
        return
    documented = {var: row[1] for row in re.findall(r"^\|\s*(`[A-Z][^|]*)\|([^|]*)\|", section.group(0), re.M)
                  for var in re.findall(r"`([A-Z][A-Z0-9_]*)`", row[0])}
    read_by = {}
    for module in MODULES:
        for var in variables_read(module):
            read_by.setdefault(var, set()).add(module)
    for var in sorted(set(read_by) - set(documented)):
        problem(where, f"{var} (read by {', '.join(sorted(read_by[var]))}) is not in the configuration reference")
    for var, modules in sorted(documented.items()):
        if not any(env_allowed(m, var) for m in MODULES):
            problem(where, f"{var} is documented but no service reads it")
            continue
        for m in re.findall(r"[a-z]+-service|gateway", modules):
            if m in MODULES and not env_allowed(m, var):
                problem(where, f"{var} is documented for {m}, which does not read it")
    note(f"docs/operations.md: {len(documented)} variables documented, every one real, none missing")


# ---------------------------------------------------------------------------------------------

def guard(where, check, *args):
    """Runs one check; a malformed file that trips it up is a problem, not a crash."""
    try:
        return check(*args)
    except Exception as e:  # noqa: BLE001 - any failure of a check is reported as one problem
        problem(where, f"check {check.__name__} stopped at {type(e).__name__}: {e} "
                "(a field it needs is missing or malformed; see the problems above)")
        return None


def main():
    args = sys.argv[2:]
    if args[:1] == ["--dump-rendered"]:  # an overlay's objects as the checks see them, as JSON
        if len(args) != 3 or args[1] not in OVERLAYS:
            print(f"usage: validate-deploy.py ROOT --dump-rendered <{'|'.join(OVERLAYS)}> <file, or - for stdout>", file=sys.stderr)
            sys.exit(2)
        rendered = render_overlays(args[1:2])
        for p in PROBLEMS:
            print("  ✘ " + p, file=sys.stderr)
        if rendered:
            write_rendered(rendered[args[1]], args[2])
        sys.exit(1 if PROBLEMS else 0)
    if args:
        print(f"validate-deploy: unknown arguments {' '.join(args)}", file=sys.stderr)
        sys.exit(2)
    started = time.time()
    guard("YAML", check_yaml_parses)
    guard("scripts", check_shell_scripts)
    guard("Dockerfiles", check_dockerfiles)
    guard("docker-compose.yml", check_compose)
    rendered = guard("k8s/overlays", render_overlays, OVERLAYS) or {}
    external = guard("docs/operations.md", external_objects) or {}
    if rendered:
        guard(SCHEMA_CHECK, check_npm_schemas, rendered)
    for overlay, objs in rendered.items():
        guard(overlay, check_k8s_rules, overlay, objs, external)
    guard("images", check_images, rendered)
    guard("dashboard", check_dashboard)
    guard("docs/operations.md", check_operations_doc)
    for n in NOTES:
        print("  ✔ " + n)
    if PROBLEMS:
        print(f"\nvalidate-deploy: {len(PROBLEMS)} problem(s):", file=sys.stderr)
        for p in PROBLEMS:
            print("  ✘ " + p, file=sys.stderr)
        sys.exit(1)
    print(f"validate-deploy: all deployment checks passed ({time.time() - started:.1f} s)")


if __name__ == "__main__":
    main()
