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
MODULES, OVERLAYS = DATA["modules"], list(DATA["overlays"])
SCHEMA_CHECK = "deploy/schema-check"
PROBLEMS, NOTES = [], []


def problem(where, message):
    PROBLEMS.append(f"{where}: {message}")


def expect(ok, where, message):
    """A problem of where, saying message, unless ok."""
    if not ok:
        problem(where, message)
    return ok


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


def promtool(where, *args, rules=None):
    """`promtool check ...` (on rules, {"groups": [...]}, written to a file, if given); what it
    rejects is a problem of where."""
    if not expect(shutil.which("promtool"), where, "promtool is missing (bin/validate-deploy.sh installs prometheus)"):
        return
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="validate-deploy-") as f:
        yaml.safe_dump(rules, f)
        f.flush()
        out = run(["promtool", "check"] + list(args) + ([f.name] if rules else []))
    text = " ".join((out.stderr or out.stdout).replace(f.name, "rules").split())
    expect(out.returncode == 0, where, f"promtool check {args[0]} rejects it: {text}")


# --- What the code says -----------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}")


@functools.lru_cache(maxsize=None)
def properties(module):
    """key -> value of a module's application.properties (profiles kept in the key)."""
    lines = [line.strip().partition("=") for line in read(module, "src/main/resources/application.properties").splitlines()]
    return {k.strip(): v.strip() for k, eq, v in lines if eq and not k.startswith("#")}


@functools.lru_cache(maxsize=None)
def variables_read(module):
    """Environment variables a module's application.properties reads: name -> default or None."""
    return {m.group(1): m.group(2) for v in properties(module).values()
            for m in PLACEHOLDER.finditer(v) if m.group(1).isupper()}


def http_port(module):
    return int(properties(module)["quarkus.http.port"])


def env_name(prop):
    return re.sub(r"[^A-Za-z0-9]", "_", prop).upper()


def java_sources(module):
    """The text of each Java source of a module."""
    return [open(os.path.join(d, f), encoding="utf-8").read()
            for d, _, files in os.walk(path(module, "src/main/java")) for f in files if f.endswith(".java")]


def depends_on(module, artifact):
    return f"<artifactId>{artifact}</artifactId>" in read(module, "pom.xml")


@functools.lru_cache(maxsize=None)
def allowed_envs(module):
    """Every variable a container of this module may set: what application.properties reads, the
    typed configuration (@ConfigMapping, @ConfigProperty, also of the project libraries it uses),
    JAVA_OPTS (the image's entrypoint reads it), and the Kafka client settings when its Kafka
    clients take Quarkus' kafka.* map (quarkus-messaging-kafka, or "default-kafka-broker")."""
    texts = java_sources(module) + [t for lib in ("change-feed", "service-http")
                                    if os.path.isdir(path(lib)) and depends_on(module, lib) for t in java_sources(lib)]
    envs = set(variables_read(module)) | {"JAVA_OPTS"}
    for text in texts:
        m = re.search(r'@ConfigMapping\(prefix\s*=\s*"([^"]+)"\)', text)
        for method in re.findall(r"^\s+[\w<>, ?]+\s+(\w+)\(\);", text, re.M) if m else []:
            envs.add(env_name(m.group(1) + "." + re.sub(r"(?<!^)([A-Z])", r"-\1", method).lower()))
        envs |= {env_name(p) for p in re.findall(r'@ConfigProperty\(name\s*=\s*"([^"]+)"', text)}
    if depends_on(module, "quarkus-messaging-kafka") or any('"default-kafka-broker"' in t for t in texts):
        envs |= set(DATA["kafka_client_envs"])
    return envs


def env_allowed(module, name):
    return name in allowed_envs(module) or name.startswith("QUARKUS_")  # QUARKUS_* sets any property


def required_envs(module):
    """Variables a container must set: no default, an empty one, or one that means localhost."""
    return {n for n, d in variables_read(module).items() if not d or "localhost" in d}


def local_stack_map(name):
    """A `NAME = Map.of("topic", partitions, ...)` constant of LocalStack.java, or None."""
    text = read("local-stack/src/main/java/io/eventline/localstack/LocalStack.java")
    block = re.search(r"\b" + name + r"\s*=\s*Map\.of\((.*?)\);", text, re.S)
    return {t: int(n) for t, n in re.findall(r'"([^"]+)",\s*(\d+)', block.group(1))} if block else None


def local_stack_topics():
    topics = local_stack_map("TOPICS")
    expect(topics is not None, "LocalStack.java", "cannot find the TOPICS map (the validator reads partition counts from it)")
    return topics or {}


@functools.lru_cache(maxsize=None)
def exported_metrics():
    """Prometheus names of the meters the code registers (Micrometer's naming convention)."""
    names = set()
    for text in (t for module in os.listdir(ROOT) if os.path.isdir(path(module, "src/main/java")) for t in java_sources(module)):
        found = re.findall(r'(Counter|Gauge|Timer|DistributionSummary)\.builder\(\s*"([a-z0-9_.]+)"', text)
        found += [(k.capitalize(), n) for k, n in re.findall(r'registry\.(counter|gauge|timer)\(\s*"([a-z0-9_.]+)"', text)]
        for kind, name in found:
            base = name.replace(".", "_") + ("_seconds" if kind == "Timer" else "")
            if kind in ("Counter", "Gauge"):
                names.add(base + "_total" if kind == "Counter" else base)
                continue
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
    return {m.group(0) for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", e)
            if m.group(0).lower() not in DATA["promql_words"] and e[m.end():].lstrip()[:1] != "("
            and not re.fullmatch(r"\d+\w*", m.group(0))}


# --- Files: YAML, scripts, Dockerfiles, images --------------------------------------------------

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
    NOTES.append(f"{count} YAML files parse")


def check_shell_scripts():
    for p in ["deploy/postgres/init-databases.sh", "deploy/kafka/create-topics.sh", "bin/validate-deploy.sh"]:
        expect(os.access(path(p), os.X_OK), p, "is not executable")
        out = run(["bash", "-n", path(p)])
        expect(out.returncode == 0, p, f"bash -n: {out.stderr.strip()}")


def check_dockerfiles():
    for module in MODULES:
        where = f"{module}/src/main/docker/Dockerfile.jvm"
        if not expect(os.path.isfile(path(where)), where, "missing"):
            continue
        text, port = read(where), http_port(module)
        expect(re.search(r"^FROM\s+\S*(temurin:21-jre|openjdk-21-runtime)\S*", text, re.M), where,
               "base image is not a JRE 21 (eclipse-temurin:21-jre or ubi9/openjdk-21-runtime)")
        expect(image_uid(module) not in (None, 0), where,
               "must end as a numeric non-root USER (Kubernetes' runAsNonRoot verifies a uid)")
        expect(re.search(rf"^EXPOSE\s+{port}\b", text, re.M), where, f"EXPOSE {port} (quarkus.http.port of {module}) is missing")
        hc = re.search(r"^HEALTHCHECK.*?CMD\s+(.*)$", text, re.M | re.S)
        expect(hc and "/q/health/ready" in hc.group(1) and f"/{port}" in hc.group(1), where,
               f"HEALTHCHECK must probe /q/health/ready on port {port}")
        for layer in DATA["dockerfile_layers"]:
            expect(layer in text, where, f"does not copy {layer} (Quarkus fast-jar layout)")
        expect("MaxRAMPercentage" in text, where, "JAVA_OPTS lacks -XX:MaxRAMPercentage")
        expect("quarkus-run.jar" in text, where, "does not run quarkus-run.jar")


def image_uid(module):
    """The uid of the image's last USER (None if that is no number or there is none)."""
    users = re.findall(r"^USER\s+(\S+)", read(module, "src/main/docker/Dockerfile.jvm"), re.M)
    uid = users[-1].split(":")[0] if users else ""
    return int(uid) if uid.isdigit() else None


def images_env():
    lines = [line.split("=", 1) for line in read("deploy/images.env").splitlines() if "=" in line]
    env = {k.strip(): v.strip() for k, v in lines if not k.strip().startswith("#")}
    for k in ("EVENTLINE_REGISTRY", "EVENTLINE_TAG"):
        expect(env.get(k), "deploy/images.env", f"{k} is not set")
    return env


def check_images(rendered):
    env, where = images_env(), "k8s/overlays/prod/kustomization.yaml"
    images = {i["name"]: i for i in yaml.safe_load(read(where)).get("images", [])}
    for module in MODULES:
        i = images.get(f"eventline/{module}", {})
        expected = (f"{env.get('EVENTLINE_REGISTRY')}/{module}", env.get("EVENTLINE_TAG"))
        expect((i.get("newName"), str(i.get("newTag"))) == expected, where,
               f"image of {module} must be {expected[0]}:{expected[1]} as deploy/images.env says")
    dev_key = "k8s/overlays/dev/public-key-DEV-ONLY.pem"
    expect(read(dev_key) == read("local-stack/src/main/resources/dev-jwt/public-key-DEV-ONLY.pem"), dev_key,
           "differs from local-stack's development key")
    for overlay, objs in rendered.items():
        own = yaml.safe_load(read("k8s/overlays", overlay, "kustomization.yaml")).get("namespace")
        expect([o["metadata"]["name"] for o in objs if o["kind"] == "Namespace"] == [own], f"k8s/overlays/{overlay}",
               "must create exactly its own namespace")


# --- docker-compose.yml ------------------------------------------------------------------------

def check_compose():
    where, env_file = "docker-compose.yml", path("deploy/images.env")
    # The compose schema, by Debian's docker-compose (no Docker engine needed for `config`); it also
    # refuses a depends_on of a service that does not exist.
    for extra in ([], ["--env-file", env_file]):
        out = run(["docker-compose", "--project-directory", ROOT, "-f", path(where)] + extra + ["config", "-q"])
        expect(out.returncode == 0, where, "docker-compose config rejects it: " + (out.stderr or out.stdout).strip())
    out, env = run(["docker-compose", "-f", path(where), "--env-file", env_file, "config"]), images_env()
    for module in MODULES if out.returncode == 0 else []:
        image = f"{env.get('EVENTLINE_REGISTRY')}/{module}:{env.get('EVENTLINE_TAG')}"
        expect(f"image: {image}" in out.stdout, where, f"with deploy/images.env, {module}'s image is not {image}")

    services = yaml.safe_load(read(where)).get("services", {})
    one_shot = {t for s in services.values() for t, c in (s.get("depends_on") or {}).items()
                if isinstance(c, dict) and c.get("condition") == "service_completed_successfully"}
    for name, svc in services.items():
        expect(name in one_shot or svc.get("healthcheck"), where, f"service {name} has no healthcheck")
        deps = svc.get("depends_on") or {}
        for target, cond in (deps.items() if isinstance(deps, dict) else [(d, None) for d in deps]):
            condition = cond.get("condition") if isinstance(cond, dict) else None
            if expect(condition in ("service_healthy", "service_completed_successfully"), where,
                      f"{name} depends on {target} without condition service_healthy/_completed_successfully"):
                expect(condition != "service_healthy" or get(services, f"{target}.healthcheck"), where,
                       f"{name} waits for {target} to be healthy, but {target} has no healthcheck")
        for volume in svc.get("volumes") or []:
            source = volume.split(":")[0] if isinstance(volume, str) else volume.get("source", "")
            expect(not source.startswith(".") or os.path.exists(path(source)), where,
                   f"{name} mounts {source}, which does not exist")
        for p in svc.get("ports") or []:  # loopback unless opted in: the stack accepts the committed dev key
            expect(str(p).startswith("${EVENTLINE_BIND:-127.0.0.1}:"), where,
                   f"{name} publishes {p}: bind it as ${{EVENTLINE_BIND:-127.0.0.1}}:<port>:<port>")
        expect(name == "gateway" or name not in MODULES or not svc.get("ports"), where,
               f"{name} publishes a port: only the gateway is the way in")
    expect(any(str(p).endswith("8080:8080") for p in get(services, "gateway.ports", [])), where,
           "the gateway must be published on 8080")

    for module in MODULES:
        svc = services.get(module)
        if not expect(svc, where, f"service {module} is missing"):
            continue
        build = svc.get("build") or {}
        context = build.get("context", "") if isinstance(build, dict) else build
        if expect(os.path.normpath(context) == module, where, f"{module} must build from its module directory ./{module}"):
            expect(os.path.isfile(path(context, build.get("dockerfile", "Dockerfile"))), where,
                   f"{module}: Dockerfile {build.get('dockerfile')} does not exist in {context}")
        image = r"\$\{EVENTLINE_REGISTRY:-[^}]+\}/" + module + r":\$\{EVENTLINE_TAG:-[^}]+\}"
        expect(re.fullmatch(image, str(svc.get("image", ""))), where, f"{module}: image must be "
               f"${{EVENTLINE_REGISTRY:-…}}/{module}:${{EVENTLINE_TAG:-…}} (names from deploy/images.env)")
        env = svc.get("environment") or {}
        env = dict(e.split("=", 1) for e in env) if isinstance(env, list) else env
        for var in env:
            expect(env_allowed(module, var), where, f"{module} sets {var}, which {module}'s application.properties does not read")
        for var in sorted(required_envs(module) - set(env)):
            problem(where, f"{module} does not set {var}, which its production profile needs")
        port, test = http_port(module), " ".join(map(str, get(svc, "healthcheck.test", [])))
        expect("/q/health/ready" in test and f"/{port}" in test, where,
               f"{module}: healthcheck must probe /q/health/ready on port {port}")
        key = str(env.get("EVENTLINE_JWT_PUBLIC_KEY_LOCATION", ""))
        expect(not key or any(key.endswith(v.split(":")[1]) for v in svc.get("volumes") or [] if isinstance(v, str)), where,
               f"{module}: EVENTLINE_JWT_PUBLIC_KEY_LOCATION {key} is not a mounted file")
        db_url = str(env.get("EVENTLINE_DB_URL", ""))
        m = re.fullmatch(r"jdbc:postgresql://([\w-]+):(\d+)/(\w+)", db_url)
        if db_url and expect(m and m.group(1) in services, where,
                             f"{module}: EVENTLINE_DB_URL {db_url} does not name a compose service"):
            db = m.group(3)
            expect(re.search(rf"^create {db} ", read("deploy/postgres/init-databases.sh"), re.M), where,
                   f"{module}: database {db} is not created by deploy/postgres/init-databases.sh")
            expect(env.get("EVENTLINE_DB_USER") == db, where,
                   f"{module}: EVENTLINE_DB_USER must be the database's owner role {db}")
            expect(env.get("EVENTLINE_DB_PASSWORD") == get(services, f"postgres.environment.{db.upper()}_DB_PASSWORD"), where,
                   f"{module}: EVENTLINE_DB_PASSWORD differs from postgres' {db.upper()}_DB_PASSWORD")
        for var, target in (("EVENTLINE_EVENTS_URL", "events-service"), ("EVENTLINE_MESSAGING_URL", "messaging-service"),
                            ("EVENTLINE_NOTIFICATION_URL", "notification-service")):
            url = f"http://{target}:{http_port(target)}"
            expect(var not in env or env[var] == url, where, f"{module}: {var} must be {url}")
        expect("KAFKA_BOOTSTRAP_SERVERS" not in env or env["KAFKA_BOOTSTRAP_SERVERS"].split(":")[0] in services, where,
               f"{module}: KAFKA_BOOTSTRAP_SERVERS does not name a compose service")
        expect(env.get("EVENTLINE_STREAM_SECRET") is None or len(str(env["EVENTLINE_STREAM_SECRET"])) >= 32, where,
               f"{module}: EVENTLINE_STREAM_SECRET must have at least 32 characters")

    # Kafka: no auto-creation, and the topics local-stack creates, with its partition counts.
    expect(str(get(services, "kafka.environment.KAFKA_AUTO_CREATE_TOPICS_ENABLE", "")).lower() == "false", where,
           "kafka must not auto-create topics (KAFKA_AUTO_CREATE_TOPICS_ENABLE: \"false\")")
    topics_env = [get(s, "environment.EVENTLINE_TOPICS") for s in services.values() if get(s, "environment.EVENTLINE_TOPICS")]
    if expect(len(topics_env) == 1, where, "exactly one service must create the topics (EVENTLINE_TOPICS)"):
        declared = {t.split(":")[0]: int(t.split(":")[1]) for t in topics_env[0].split()}
        expected = local_stack_topics() | (local_stack_map("DEAD_LETTER_TOPICS") or {})
        expect(declared == expected, where, f"topics {declared} differ from local-stack's {expected}")
    constants = set(re.findall(r'"(eventline\.[a-z]+)"', read("change-record/src/main/java/io/eventline/changerecord/Topics.java")))
    expect(constants == set(local_stack_topics()), "LocalStack.java",
           f"topics differ from change-record's Topics.java {sorted(constants)}")

    monitoring = {n for n, s in services.items() if "monitoring" in (s.get("profiles") or [])}
    expect({"prometheus", "grafana"} <= monitoring <= {"prometheus", "grafana", "jaeger"}, where,
           f"profile monitoring must hold prometheus and grafana (and may hold jaeger), holds {sorted(monitoring)}")
    prom = "deploy/prometheus/prometheus.yml"
    promtool(prom, "config", "--syntax-only", path(prom))
    jobs = {j["job_name"]: j for j in yaml.safe_load(read(prom)).get("scrape_configs", [])}
    for module, target in ((m, f"{m}:{http_port(m)}") for m in MODULES):
        job = jobs.get(module, {})
        expect(job.get("metrics_path") == "/q/metrics" and target in get(job, "static_configs", [{}])[0].get("targets", []),
               prom, f"job {module} must scrape {target}/q/metrics")
    expect("./k8s/base/monitoring/eventline-dashboard.json:" in read(where), where,
           "Grafana does not mount the dashboard from k8s/base/monitoring/")
    NOTES.append("docker-compose.yml: compose schema (docker-compose config), services, variables, topics; "
                 "prometheus.yml (promtool check config)")


# --- k8s/: rendered by kubectl kustomize, every object checked by deploy/schema-check (node) -----

def render_overlays(overlays):
    """overlay -> its objects, as `kubectl kustomize` renders them."""
    rendered = {}
    if not expect(shutil.which("kubectl"), "k8s/overlays", "kubectl is missing (kubectl kustomize renders the overlays)"):
        return rendered
    for overlay in overlays:
        out = run(["kubectl", "kustomize", path("k8s/overlays", overlay)], timeout=120)
        error = " ".join(re.sub(r'^E\d{4} [\d:.]+\s+\d+ \S+\] "command failed" err=<?', "", out.stderr.strip()).split())
        if expect(out.returncode == 0, f"k8s/overlays/{overlay}", f"kubectl kustomize fails: {error}"):
            rendered[overlay] = [d for d in yaml.safe_load_all(out.stdout) if d]
    version = re.search(r"Kustomize Version: (\S+)", run(["kubectl", "version", "--client"]).stdout)
    NOTES.append(f"k8s overlays rendered by kubectl kustomize ({version.group(1) if version else '?'})")
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
    if not expect(shutil.which("node") and os.path.isdir(path(SCHEMA_CHECK, "node_modules")), SCHEMA_CHECK,
                  "node or node_modules is missing: run `npm ci` there (bin/validate-deploy.sh does)"):
        return
    with tempfile.TemporaryDirectory(prefix="validate-deploy-") as tmp:
        for overlay, objs in rendered.items():
            write_rendered(objs, os.path.join(tmp, f"{overlay}.json"))
        out = run(["node", path(SCHEMA_CHECK, "check.mjs")] + [f"{o}={tmp}/{o}.json" for o in rendered], timeout=300)
    found = [line[2:].split(": ", 2) for line in out.stdout.splitlines() if line.startswith("✘ ")]
    NOTES.extend(line[2:] for line in out.stdout.splitlines() if line.startswith("✔ "))
    for parts in found:
        problem(": ".join(parts[:2]), parts[2] if len(parts) > 2 else "")
    expect(out.returncode == 0 or found, SCHEMA_CHECK,
           f"check.mjs failed (exit {out.returncode}): {(out.stderr or out.stdout).strip()}")


# --- k8s/: the project's rules (issue 7) --------------------------------------------------------

def external_objects():
    """Secrets and ConfigMaps an operator creates before deploying prod: docs/operations.md."""
    section = re.search(r"^## Objects you create.*?(?=^## )", read("docs/operations.md"), re.S | re.M)
    if not expect(section, "docs/operations.md",
                  "no section '## Objects you create' listing the external Secrets and ConfigMaps"):
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
        op, value, values = e["operator"], labels.get(e["key"]), e.get("values", [])
        if (op == "In" and value not in values) or (op == "NotIn" and value in values) or (op == "Exists" and value is None):
            return False
    return True


def env_source(container, name, by_kind):
    """A container's variable: ("value", v), ("secret", name, key) or None."""
    for e in (e for e in container.get("env") or [] if e["name"] == name):
        if get(e, "valueFrom.secretKeyRef"):
            return ("secret", e["valueFrom"]["secretKeyRef"]["name"], e["valueFrom"]["secretKeyRef"]["key"])
        r = get(e, "valueFrom.configMapKeyRef")
        return ("value", data_of(by_kind, "ConfigMap", r["name"]).get(r["key"])) if r else ("value", e.get("value"))
    found = None
    for ef in container.get("envFrom") or []:
        if name in data_of(by_kind, "ConfigMap", get(ef, "configMapRef.name")):
            found = ("value", data_of(by_kind, "ConfigMap", ef["configMapRef"]["name"])[name])
        if name in data_of(by_kind, "Secret", get(ef, "secretRef.name")):
            found = ("secret", ef["secretRef"]["name"], name)
    return found


def check_k8s_rules(overlay, objs, external):
    by_kind = {}
    for o in objs:
        by_kind.setdefault(o["kind"], {})[o["metadata"]["name"]] = o
    keys = DATA["strimzi_secret_keys"]  # Strimzi writes a Secret per KafkaUser and per cluster CA
    operator_secrets = {n: set(keys[get(u, "spec.authentication.type")]) for n, u in by_kind.get("KafkaUser", {}).items()
                        if get(u, "spec.authentication.type") in keys}
    operator_secrets |= {f"{n}-cluster-ca-cert": set(keys["cluster-ca-cert"]) for n in by_kind.get("Kafka", {})}

    def exists(kind, name, key, where, optional=False):
        obj = by_kind.get(kind, {}).get(name)
        if kind == "Secret" and name in operator_secrets:
            expect(not key or key in operator_secrets[name], where, f"Secret {name} (written by Strimzi) has no key {key}")
        elif obj is not None:
            expect(not key or key in set(obj.get("data") or {}) | set(obj.get("stringData") or {}), where,
                   f"{kind} {name} has no key {key}")
        elif overlay == "prod" and (kind, name) in external and not optional:
            expect(not key or key in external[(kind, name)], where,
                   f"{kind} {name} is documented in docs/operations.md without the key {key}")
        elif not optional:
            problem(where, f"{kind} {name} is neither in the overlay"
                    + (" nor documented as created by the operator (docs/operations.md)" if overlay == "prod" else ""))

    def ref(kind, r, where):  # a reference to a ConfigMap or Secret (and to its key, if it names one)
        exists(kind, r.get("name") or r.get("secretName"), r.get("key"), where, r.get("optional", False))

    deployments = by_kind.get("Deployment", {})
    for module in MODULES:
        expect(module in deployments, overlay, f"no Deployment {module}")
    for name, d in deployments.items():
        where, spec, module = f"{overlay}: Deployment {name}", pod_spec(d), name if name in MODULES else None
        pod_sc, volumes = spec.get("securityContext") or {}, {v["name"]: v for v in spec.get("volumes", [])}
        for v in volumes.values():
            for kind, field in (("ConfigMap", "configMap"), ("Secret", "secret")):
                if field in v:
                    ref(kind, v[field], where)
        for c in spec.get("containers", []):
            cw, sc = f"{where} container {c['name']}", c.get("securityContext") or {}
            ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
            for probe, wanted in DATA["probes"].items():
                p = get(c, f"{probe}.httpGet", {})
                if expect(p.get("path") == wanted, cw, f"{probe} must be an httpGet of {wanted}"):
                    expect(p.get("port") in ports or p.get("port") in ports.values(), cw,
                           f"{probe} probes port {p.get('port')}, which the container does not declare")
            for need in ("requests.cpu", "requests.memory", "limits.memory"):
                expect(get(c, "resources." + need), cw, f"resources.{need} is not set")
            for field, wanted in (("allowPrivilegeEscalation", False), ("readOnlyRootFilesystem", True)):
                expect(sc.get(field) is wanted, cw, f"securityContext.{field} must be {str(wanted).lower()}")
            expect("ALL" in (get(sc, "capabilities.drop") or []), cw, "securityContext.capabilities.drop must contain ALL")
            expect(sc.get("runAsNonRoot") or pod_sc.get("runAsNonRoot"), cw, "runAsNonRoot must be true")
            expect((get(sc, "seccompProfile.type") or get(pod_sc, "seccompProfile.type")) == "RuntimeDefault", cw,
                   "seccompProfile must be RuntimeDefault")
            tmp = [m["name"] for m in c.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
            expect(tmp and "emptyDir" in volumes.get(tmp[0], {}), cw,
                   "/tmp must be an emptyDir (the root filesystem is read-only)")
            for m in c.get("volumeMounts", []):
                expect(m["name"] in volumes, cw, f"mounts volume {m['name']}, which the pod does not define")
            # Variables: references resolvable; in a module's container each one read, the required ones set.
            names = {e["name"] for e in c.get("env", [])}
            for kind, key_ref, all_ref in (("Secret", "secretKeyRef", "secretRef"),
                                           ("ConfigMap", "configMapKeyRef", "configMapRef")):
                for e in (e for e in c.get("env", []) if get(e, "valueFrom." + key_ref)):
                    ref(kind, e["valueFrom"][key_ref], cw)
                for ef in (ef for ef in c.get("envFrom", []) if all_ref in ef):
                    ref(kind, ef[all_ref], cw)
                    names |= set(data_of(by_kind, kind, ef[all_ref]["name"]))
            if not module:
                continue
            image = c.get("image", "")
            repo = image.split("@")[0].rsplit(":", 1)[0] if ":" in image.split("/")[-1] else image
            expect(repo.split("/")[-1] == module and os.path.isfile(path(module, "src/main/docker/Dockerfile.jvm")), cw,
                   f"image {image} is not the {module} artifact's image")
            expect(":" in image.split("/")[-1], cw, f"image {image} has no tag: set it in the overlay's images")
            expect(http_port(module) in ports.values(), cw, f"containerPort must be {http_port(module)} (quarkus.http.port)")
            uid = pod_sc.get("runAsUser") or sc.get("runAsUser")
            expect(uid is None or uid == image_uid(module), cw,
                   f"runAsUser {uid} differs from the image's USER {image_uid(module)}")
            for n in sorted(names):
                expect(env_allowed(module, n), cw, f"sets {n}, which {module}'s application.properties does not read")
            for n in sorted(required_envs(module) - names):
                problem(cw, f"does not set {n}, which the production profile needs")

    # Services: selectors match pods, target ports exist, each module's on its port.
    for name, svc in by_kind.get("Service", {}).items():
        sel = svc["spec"].get("selector", {})
        pods = [d for d in deployments.values()
                if all(get(d, "spec.template.metadata.labels", {}).get(k) == v for k, v in sel.items())]
        expect(pods, f"{overlay}: Service {name}", "selects no Deployment's pods")
        names = {cp.get("name") for d in pods for c in pod_spec(d)["containers"] for cp in c.get("ports", [])}
        for p in (p for p in svc["spec"]["ports"] if isinstance(p.get("targetPort"), str)):
            expect(p["targetPort"] in names, f"{overlay}: Service {name}",
                   f"targetPort {p['targetPort']} is no container port name")
    for name in MODULES:
        expect(get(by_kind, f"Service.{name}.spec.ports", [{}])[0].get("port") == http_port(name), overlay,
               f"Service {name} must serve port {http_port(name)}")

    # The gateway's service URLs, the bootstrap address and the database URLs name real objects.
    for cm in by_kind.get("ConfigMap", {}).values():
        cw = f"{overlay}: ConfigMap {cm['metadata']['name']}"
        for key, value in (cm.get("data") or {}).items():
            m = re.fullmatch(r"http://([\w-]+):(\d+)", str(value))
            if key.endswith("_URL") and m:
                expect(int(m.group(2)) in [p["port"] for p in get(by_kind, f"Service.{m.group(1)}.spec.ports", [])], cw,
                       f"{key} {value} is no Service port")
            if key == "KAFKA_BOOTSTRAP_SERVERS":
                expect(str(value).split("-kafka-bootstrap")[0] in by_kind.get("Kafka", {}), cw,
                       f"{value} is not a Strimzi Kafka bootstrap")
            m = re.fullmatch(r"jdbc:postgresql://([\w-]+)-rw:5432/(\w+)", str(value))
            if key == "EVENTLINE_DB_URL" and expect(m and m.group(1) in by_kind.get("Cluster", {}), cw,
                                                    f"{value} is not a CloudNativePG -rw Service"):
                databases = {get(by_kind, f"Cluster.{m.group(1)}.spec.bootstrap.initdb.database")} | {
                    db["spec"]["name"] for db in by_kind.get("Database", {}).values()
                    if db["spec"]["cluster"]["name"] == m.group(1)}
                expect(m.group(2) in databases, cw,
                       f"database {m.group(2)} is created neither by {m.group(1)}'s initdb nor by a Database resource")

    # HTTPRoute: to the gateway Service's port, the stream without a deadline, /q/* not published.
    expect(by_kind.get("HTTPRoute"), overlay, "no HTTPRoute")
    gw_ports, want = [p["port"] for p in get(by_kind, "Service.gateway.spec.ports", [])], DATA["route_stream"]
    for name, route in by_kind.get("HTTPRoute", {}).items():
        rw, rules = f"{overlay}: HTTPRoute {name}", route["spec"].get("rules", [])
        expect(route["spec"].get("parentRefs"), rw, "has no parentRefs (the platform's Gateway)")
        for b in (b for r in rules for b in r.get("backendRefs", [])):
            expect(b["name"] == "gateway" and b.get("kind", "Service") == "Service" and b.get("port") in gw_ports, rw,
                   f"backendRef {b.get('kind', 'Service')} {b['name']}:{b.get('port')} must be Service gateway on port {gw_ports}")
        paths = [(r, get(m, "path.value", "/")) for r in rules for m in r.get("matches") or [{}]]
        for v in (v for _, v in paths if v.rstrip("/") in ("", "/q") or v.startswith("/q/")):
            problem(rw, f"path {v} publishes /q/* (health, metrics)")
        stream = next((r for r, v in paths if v == want["path"]), None)
        for key in ("request", "backendRequest") if expect(stream, rw, f"no rule of its own for {want['path']} (SSE timeouts)") else ():
            t = get(stream, f"timeouts.{key}")
            secs = sum(int(n) * {"h": 3600, "m": 60, "s": 1, "ms": 0.001}[u] for n, u in re.findall(r"(\d+)(ms|h|m|s)", t or ""))
            expect(t is None and key != "request" or t is not None and (secs == 0 or secs >= want["min_timeout_seconds"]), rw,
                   f"{want['path']}: timeouts.{key} {t or 'unset (implementation-specific)'} may cut streams: set 0s (none) "
                   f"or >= {want['min_timeout_seconds']}s")
        NOTES.append(f"{overlay}: HTTPRoute {name} reaches Service gateway {gw_ports}, {want['path']} {get(stream, 'timeouts')}")
    for name, to in ((n, t) for n, g in by_kind.get("ReferenceGrant", {}).items() for t in g["spec"]["to"] if t["kind"] == "Secret"):
        exists("Secret", to.get("name"), None, f"{overlay}: ReferenceGrant {name}")

    guard(overlay, check_kafka, overlay, by_kind, exists)
    for check in (check_gateway, check_network_policies, check_kafka_access, check_monitoring):
        guard(overlay, check, overlay, by_kind)


def check_gateway(overlay, by_kind):
    """The gateway: autoscaled on CPU and streams, disruption budget, drain on shutdown."""
    gw = by_kind.get("Deployment", {}).get("gateway")
    if not gw:
        return
    hpa = next((h for h in by_kind.get("HorizontalPodAutoscaler", {}).values()
                if h["spec"]["scaleTargetRef"]["name"] == "gateway"), None)
    metrics = get(hpa, "spec.metrics", [])
    if expect(hpa, overlay, "no HorizontalPodAutoscaler for the gateway"):
        expect(any(m.get("type") == "Resource" and get(m, "resource.name") == "cpu" for m in metrics), overlay,
               "the gateway's HPA does not scale on CPU")
        expect(overlay != "prod" or any(get(m, "pods.metric.name") == "eventline_stream_open" for m in metrics
                                        if m.get("type") == "Pods"), overlay,
               "the gateway's HPA does not scale on eventline_stream_open")
        expect("replicas" not in gw["spec"], overlay, "the gateway Deployment sets replicas, which fights its HPA")
    expect(any(get(p, "spec.selector.matchLabels", {}).get("app.kubernetes.io/name") == "gateway"
               for p in by_kind.get("PodDisruptionBudget", {}).values()), overlay, "no PodDisruptionBudget for the gateway")
    c, grace = pod_spec(gw)["containers"][0], pod_spec(gw).get("terminationGracePeriodSeconds", 30)
    pre = get(c, "lifecycle.preStop.exec.command", [])
    sleep = int(pre[-1]) if pre and pre[0] == "sleep" else None
    expect(sleep is not None, overlay, "the gateway has no preStop sleep (endpoints must go before SIGTERM)")
    drain = (env_source(c, "EVENTLINE_STREAM_DRAIN_PERIOD", by_kind) or (None, None))[1]
    m = re.fullmatch(r"(\d+)s", str(drain or ""))
    if expect(m, overlay, "the gateway must set EVENTLINE_STREAM_DRAIN_PERIOD in seconds (e.g. 20s)") and sleep is not None:
        expect(grace >= sleep + int(m.group(1)) + 10, overlay,
               f"the gateway's terminationGracePeriodSeconds {grace} leaves no room for preStop {sleep}s"
               f" + drain {drain} + shutdown")


def check_network_policies(overlay, by_kind):
    policies = by_kind.get("NetworkPolicy", {}).values()
    expect(any(p["spec"].get("podSelector") == {} and p["spec"].get("policyTypes") == ["Ingress"] and not p["spec"].get("ingress")
               for p in policies), overlay, "no default-deny ingress NetworkPolicy")

    def admitted(labels, port):
        """The peers admitted to pods with these labels on this port."""
        return [peer for p in policies if label_match(p["spec"].get("podSelector", {}), labels)
                for rule in p["spec"].get("ingress") or []
                if not rule.get("ports") or port in [pp.get("port") for pp in rule["ports"]]
                for peer in rule.get("from") or [{"any": True}]]

    for module in MODULES:
        peers = admitted(pod_labels(by_kind, module), http_port(module))
        expect(not any(p.get("any") for p in peers), overlay, f"{module} admits traffic from anywhere")
        ns_peers = {get(p, "namespaceSelector.matchLabels", {}).get("kubernetes.io/metadata.name")
                    for p in peers if "namespaceSelector" in p}
        pod_peers = [p["podSelector"] for p in peers if "podSelector" in p and "namespaceSelector" not in p]
        expect("monitoring" in ns_peers, overlay, f"Prometheus (namespace monitoring) cannot scrape {module}")
        if module == "gateway":
            impl = DATA["route_stream"]["implementation_namespace"]
            expect(impl in ns_peers, overlay, f"the Gateway API implementation (namespace {impl}) cannot reach the gateway")
            expect(not pod_peers and not ns_peers - {impl, "monitoring"}, overlay, f"the gateway admits pods of its own namespace "
                   f"or namespaces {sorted(ns_peers - {impl, 'monitoring'})}: only {impl} (and Prometheus) should")
            continue
        expect(any(label_match(s, pod_labels(by_kind, "gateway")) for s in pod_peers), overlay,
               f"the gateway cannot reach {module}")
        expect(not ns_peers - {"monitoring"}, overlay,
               f"{module} admits namespaces {sorted(ns_peers - {'monitoring'})}: only the gateway should")
        for other in (o for o in MODULES if o != "gateway" for s in pod_peers if label_match(s, pod_labels(by_kind, o))):
            problem(overlay, f"{module} admits {other}: only the gateway should reach it")
    for cluster in by_kind.get("Cluster", {}):  # PostgreSQL admits the domain services
        peers = admitted({"cnpg.io/cluster": cluster}, 5432)
        for module in DATA["database_modules"]:
            expect(any("podSelector" in p and label_match(p["podSelector"], pod_labels(by_kind, module)) for p in peers), overlay,
                   f"{module} cannot reach PostgreSQL cluster {cluster}")
    for kafka in by_kind.get("Kafka", {}).values():  # Kafka's listeners (Strimzi writes their policy)
        for listener in (lst for lst in kafka["spec"]["kafka"]["listeners"] if lst.get("networkPolicyPeers") is not None):
            for module in MODULES:
                expect(any(label_match(p.get("podSelector", {}), pod_labels(by_kind, module))
                           for p in listener["networkPolicyPeers"]), overlay,
                       f"{module} cannot reach Kafka listener {listener['name']}")


def check_kafka(overlay, by_kind, exists):
    """Strimzi's Kafka, node pools and topics; CloudNativePG's Cluster and Databases."""
    expected, kafkas = DATA["overlays"][overlay], by_kind.get("Kafka", {})
    if not expect(len(kafkas) == 1, overlay, "expected exactly one Strimzi Kafka"):
        return
    kafka_name, kafka = next(iter(kafkas.items()))
    config = kafka["spec"]["kafka"].get("config", {})
    expect(config.get("auto.create.topics.enable") is False, overlay, "Kafka must not auto-create topics")
    expect("topicOperator" in get(kafka, "spec.entityOperator", {}), overlay,
           "Kafka has no topic operator: the KafkaTopic resources would do nothing")
    pools = [p for p in by_kind.get("KafkaNodePool", {}).values()
             if get(p, "metadata.labels", {}).get("strimzi.io/cluster") == kafka_name]
    brokers = sum(p["spec"]["replicas"] for p in pools if "broker" in p["spec"]["roles"])
    expect(any("controller" in p["spec"]["roles"] for p in pools), overlay, "no KafkaNodePool with the controller role (KRaft)")
    expect(brokers == expected["kafka_brokers"], overlay, f"{brokers} Kafka brokers, expected {expected['kafka_brokers']}")
    for key in ("default.replication.factor", "offsets.topic.replication.factor", "transaction.state.log.replication.factor"):
        expect(config.get(key, 1) <= brokers, overlay, f"Kafka {key} {config.get(key)} exceeds the {brokers} brokers")
    seen = {}
    for t in by_kind.get("KafkaTopic", {}).values():
        name = t["spec"].get("topicName", t["metadata"]["name"])
        where, replicas, config = f"{overlay}: KafkaTopic {name}", t["spec"].get("replicas"), t["spec"].get("config") or {}
        expect(get(t, "metadata.labels", {}).get("strimzi.io/cluster") == kafka_name, where,
               f"is not labelled strimzi.io/cluster: {kafka_name}")
        seen[name], min_isr = t["spec"].get("partitions"), int(config.get("min.insync.replicas", 1))
        want = (expected.get("topic_replicas", replicas), expected.get("topic_min_insync_replicas", min_isr))
        expect((replicas, min_isr) == want, where,
               f"replicas {replicas} / min.insync.replicas {min_isr}, expected {want[0]} / {want[1]}")
        expect(replicas is not None and min_isr <= replicas <= brokers, where,
               f"replicas {replicas} / min.insync.replicas {min_isr} do not fit {brokers} brokers")
        expect("retention.ms" in config, where, "sets no retention.ms")
    topics, dead_letter = local_stack_topics(), local_stack_map("DEAD_LETTER_TOPICS")
    if dead_letter is None:  # a dead-letter topic that local-stack does not declare yet: <topic>.dlq only
        dead_letter = {t: n for t, n in seen.items() if t.endswith(".dlq") and t[:-4] in topics}
    expect(seen == topics | dead_letter, overlay, f"KafkaTopics {seen} differ from local-stack's {topics | dead_letter}")

    clusters = by_kind.get("Cluster", {})
    expect(len(clusters) == 1, overlay, "expected exactly one CloudNativePG Cluster")
    for name, cluster in clusters.items():
        where, spec = f"{overlay}: Cluster {name}", cluster["spec"]
        expect(spec.get("instances") == expected["postgres_instances"], where,
               f"{spec.get('instances')} instances, expected {expected['postgres_instances']}")
        expect(not 0 < spec.get("maxSyncReplicas", 0) >= spec.get("instances", 1), where,
               "maxSyncReplicas must be below instances")
        initdb = get(spec, "bootstrap.initdb", {})
        for secret in [initdb.get("secret")] + [r.get("passwordSecret") for r in get(spec, "managed.roles", [])]:
            if secret:
                exists("Secret", secret["name"], "password", where)
        roles = {r["name"] for r in get(spec, "managed.roles", [])} | {initdb.get("owner")}
        for db in (db for db in by_kind.get("Database", {}).values() if db["spec"]["cluster"]["name"] == name):
            expect(db["spec"]["owner"] in roles, f"{overlay}: Database {db['metadata']['name']}",
                   f"owner {db['spec']['owner']} is no role of {name}")


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
        return  # check_kafka says so
    cluster, kafka = next(iter(by_kind["Kafka"].items()))
    spec, where = kafka["spec"]["kafka"], f"{overlay}: Kafka {cluster}"
    own_topics = {k: set(v) for k, v in DATA["own_topics"].items()}
    writes, reads = DATA["write_operations"], DATA["read_operations"]
    # Every listener authenticates; one is TLS + SCRAM-SHA-512; ACLs are enforced and reconciled.
    for listener in spec.get("listeners", []):
        expect(get(listener, "authentication.type"), where,
               f"listener {listener['name']} has no authentication: anyone who reaches it is anonymous")
    scram_ports = {lst["port"] for lst in spec.get("listeners", [])
                   if get(lst, "authentication.type") == "scram-sha-512" and lst.get("tls") is True}
    ports = ", ".join(map(str, sorted(scram_ports)))
    expect(scram_ports, where, "no TLS listener with SCRAM-SHA-512 authentication")
    expect(get(spec, "authorization.type") == "simple", where, "authorization must be simple (the KafkaUsers' ACLs)")
    expect("userOperator" in get(kafka, "spec.entityOperator", {}), where,
           "no user operator: the KafkaUsers (credentials and ACLs) would do nothing")
    users = {n: u for n, u in by_kind.get("KafkaUser", {}).items()
             if get(u, "metadata.labels", {}).get("strimzi.io/cluster") == cluster}
    for name in set(by_kind.get("KafkaUser", {})) - set(users):
        problem(f"{overlay}: KafkaUser {name}", f"is not labelled strimzi.io/cluster: {cluster}")

    # Each Deployment connects as its own KafkaUser, over the TLS listener, trusting the cluster CA.
    for module in (m for m in MODULES if m in by_kind.get("Deployment", {})):
        c, cw = pod_spec(by_kind["Deployment"][module])["containers"][0], f"{overlay}: Deployment {module}"
        jaas = env_source(c, "KAFKA_SASL_JAAS_CONFIG", by_kind) or ("none",)
        if jaas[0] != "secret":
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
            expect(env_source(c, var, by_kind) == ("value", wanted), cw, f"{var} must be {wanted}")
        bootstrap = (env_source(c, "KAFKA_BOOTSTRAP_SERVERS", by_kind) or (None, None))[1]
        port = str(bootstrap or "").rsplit(":", 1)[-1]
        expect(port.isdigit() and int(port) in scram_ports, cw,
               f"KAFKA_BOOTSTRAP_SERVERS {bootstrap} is not the TLS + SCRAM listener (port {ports})")
        expect(env_source(c, "KAFKA_SSL_TRUSTSTORE_CERTIFICATES", by_kind) == ("secret", f"{cluster}-cluster-ca-cert", "ca.crt")
               and (env_source(c, "KAFKA_SSL_TRUSTSTORE_TYPE", by_kind) or (None, None))[1] == "PEM", cw,
               f"does not trust the cluster CA (KAFKA_SSL_TRUSTSTORE_TYPE PEM and KAFKA_SSL_TRUSTSTORE_CERTIFICATES from Secret "
               f"{cluster}-cluster-ca-cert, key ca.crt)")

    # Writes: a service on its own topics only, nobody else on any; nobody administers the cluster.
    topics = {t["spec"].get("topicName", n) for n, t in by_kind.get("KafkaTopic", {}).items()}
    for module in MODULES:
        expect(module in users, overlay, f"no KafkaUser {module}")
    groups = {}
    for name, u in users.items():
        uw, own = f"{overlay}: KafkaUser {name}", own_topics.get(name, set())
        expect(get(u, "spec.authorization.type") == "simple", uw, "has no simple authorization: its ACLs would not apply")
        for rtype, rname, ptype, op in acl_entries(u):
            if rtype == "topic" and op in writes:
                whose = [m for m, t in own_topics.items() if any(acl_covers(rname, ptype, x) for x in t)]
                expect(ptype == "literal" and rname in own, uw, f"may {op} topic {rname} ({ptype})"
                       + (f", which is {', '.join(whose)}'s" if whose and name not in whose else "")
                       + (": the gateway only reads" if name == "gateway" else
                          ": a service writes only its own topic and its DLQ" if name in own_topics else
                          ": a consuming team only reads"))
            elif rtype == "topic" and ptype == "literal" and rname != "*":
                expect(rname in topics, uw, f"has an ACL on topic {rname}, which no KafkaTopic creates")
            expect(rtype not in ("cluster", "transactionalId") or op == "Describe", uw,
                   f"may {op} on {rtype} {rname}: no client administers the cluster")
            if rtype == "group" and op in reads:
                groups.setdefault(name, []).append((rname, ptype))
        expect(name != "gateway" or not any(op in writes for *_, op in acl_entries(u)), uw,
               "has a write ACL: the gateway only reads")
    # Reads: the consumers can read what they consume.
    for name, wanted in ((n, r) for n, r in DATA["reads"].items() if n in users):
        acls = acl_entries(users[name])
        for t in sorted(wanted["topics"]):
            expect(any(r == "topic" and op in reads and acl_covers(n, pt, t) for r, n, pt, op in acls),
                   f"{overlay}: KafkaUser {name}", f"cannot Read topic {t}, which it consumes")
        expect(not wanted["group"] or any(r == "group" and op in reads and acl_covers(n, pt, wanted["group"])
                                          for r, n, pt, op in acls),
               f"{overlay}: KafkaUser {name}", f"cannot Read its consumer group {wanted['group']}")
    # No user may join another's consumer group (it would take its partitions and move its offsets).
    for name, other, g in ((n, o, g) for n, mine in groups.items() for o, theirs in groups.items() if o != n
                           for g, gt in theirs if gt == "literal" and any(acl_covers(p, pt, g) for p, pt in mine)):
        problem(f"{overlay}: KafkaUser {name}", f"may join consumer group {g} of KafkaUser {other}")
    readers = [n for n in users if n not in own_topics]
    expect(readers, overlay, "no KafkaUser for a consuming team (the example: team-example)")
    for name in readers:
        expect(any(pt == "prefix" and p.startswith(name) for p, pt in groups.get(name, [])), f"{overlay}: KafkaUser {name}",
               f"has no consumer-group prefix of its own ({name}.)")

    # Other namespaces reach the brokers on the SCRAM listener's port only.
    brokers = {"strimzi.io/cluster": cluster, "strimzi.io/kind": "Kafka", "strimzi.io/name": f"{cluster}-kafka"}
    cross = [(np["metadata"]["name"], {pp.get("port") for pp in rule.get("ports") or []})
             for np in by_kind.get("NetworkPolicy", {}).values()
             if np["spec"].get("podSelector") and label_match(np["spec"]["podSelector"], brokers)
             for rule in np["spec"].get("ingress") or [] if any("namespaceSelector" in p for p in rule.get("from") or [])]
    for np, rule_ports in cross:
        expect(rule_ports and rule_ports <= scram_ports, f"{overlay}: NetworkPolicy {np}",
               f"admits other namespaces to Kafka on {sorted(rule_ports) or 'every port'}: "
               f"only the TLS + SCRAM listener ({ports})")
    expect(cross, overlay, "no NetworkPolicy admits consuming teams' namespaces to the Kafka listener")
    NOTES.append(f"{overlay}: Kafka: {len(users)} KafkaUsers; each Deployment connects as its own over TLS + SCRAM; "
                 "no user writes another's topic, the gateway and consumers write nothing")


# --- Monitoring: ServiceMonitor, alerts and dashboard (promtool), docs ---------------------------

def check_monitoring(overlay, by_kind):
    for module, svc in ((m, by_kind["Service"][m]) for m in MODULES if m in by_kind.get("Service", {})):
        expect(any(e.get("path") == "/q/metrics" and e.get("port") in [p.get("name") for p in svc["spec"]["ports"]]
                   for m in by_kind.get("ServiceMonitor", {}).values()
                   if label_match(m["spec"]["selector"], get(svc, "metadata.labels", {}))
                   for e in m["spec"]["endpoints"]), overlay, f"no ServiceMonitor scrapes {module}'s /q/metrics")
    rules = by_kind.get("PrometheusRule", {})
    expect(rules, overlay, "no PrometheusRule")
    known = exported_metrics() | set(DATA["standard_metrics"]) | set(DATA["platform_metrics"])
    anchors = {re.sub(r"[^a-z0-9 -]", "", h.strip().lower()).replace(" ", "-")
               for h in re.findall(r"^#+\s+(.*)$", read("docs/operations.md"), re.M)}
    alerts = set()
    for rule_name, rule in rules.items():
        promtool(f"{overlay}: PrometheusRule {rule_name}", "rules", rules={"groups": rule["spec"]["groups"]})
        for r in (r for group in rule["spec"]["groups"] for r in group["rules"]):
            name, url = r.get("alert") or r.get("record"), get(r, "annotations.runbook_url", "")
            alerts.add(name)
            for metric in sorted(metric_names(r["expr"]) - known):
                problem(f"{overlay}: alert {name}", f"queries {metric}, which nothing exports")
            expect(not r.get("alert") or re.fullmatch(r"https://[\w.-]+(:\d+)?/(\S*/)?docs/operations\.md#(\S+)", url)
                   and url.split("#")[1] in anchors, f"{overlay}: alert {name}",
                   f"runbook_url {url!r} is no absolute https URL of a heading of docs/operations.md")
    for wanted in DATA["alerts"]:
        expect(wanted in alerts, overlay, f"alert {wanted} is missing")
    NOTES.append(f"{overlay}: {len(alerts)} alerting and recording rules pass promtool check rules, query exported metrics, "
                 "have absolute runbook URLs (headings of docs/operations.md)")


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
    variables = [(v["name"], get(v, "query.query", "")) for v in get(dash, "templating.list", [])
                 if isinstance(v.get("query"), dict)]
    known, used = exported_metrics() | set(DATA["standard_metrics"]), set()
    for title, expr in exprs + variables:
        for metric in metric_names(expr):
            used.add(metric)
            expect(metric in known, where, f"panel {title!r} queries {metric}, which no service exports")
    for wanted in DATA["dashboard_metrics"]:
        expect(wanted in used, where, f"shows no {wanted}")
    # The panels' PromQL, by promtool: each query as a recording rule, Grafana's variables filled in.
    promql = [re.sub(r"\$\{?\w+\}?", "x", re.sub(r"\$__(rate_)?interval|\$__range", "5m", e)) for _, e in exprs]
    promtool(where, "rules", rules={"groups": [{"name": "dashboard", "rules": [
        {"record": f"panel:{i}", "expr": e} for i, e in enumerate(promql)]}]})
    NOTES.append(f"dashboard: {len(exprs) + len(variables)} queries over {len(used)} metrics, all exported; "
                 "panel queries parse (promtool)")


def check_operations_doc():
    where = "docs/operations.md"
    section = re.search(r"^## Configuration reference.*?(?=^## )", read(where), re.S | re.M)
    if not expect(section, where, "no '## Configuration reference' section"):
        return
    documented = {var: row[1] for row in re.findall(r"^\|\s*(`[A-Z][^|]*)\|([^|]*)\|", section.group(0), re.M)
                  for var in re.findall(r"`([A-Z][A-Z0-9_]*)`", row[0])}
    read_by = {}
    for module, var in ((m, v) for m in MODULES for v in variables_read(m)):
        read_by.setdefault(var, set()).add(module)
    for var in sorted(set(read_by) - set(documented)):
        problem(where, f"{var} (read by {', '.join(sorted(read_by[var]))}) is not in the configuration reference")
    for var, modules in sorted(documented.items()):
        if expect(any(env_allowed(m, var) for m in MODULES), where, f"{var} is documented but no service reads it"):
            for m in (m for m in re.findall(r"[a-z]+-service|gateway", modules) if m in MODULES):
                expect(env_allowed(m, var), where, f"{var} is documented for {m}, which does not read it")
    NOTES.append(f"docs/operations.md: {len(documented)} variables documented, every one real, none missing")


# -----------------------------------------------------------------------------------------------

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
            print(f"usage: validate-deploy.py ROOT --dump-rendered <{'|'.join(OVERLAYS)}> <file, or - for stdout>",
                  file=sys.stderr)
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
    for where, check in (("YAML", check_yaml_parses), ("scripts", check_shell_scripts), ("Dockerfiles", check_dockerfiles),
                         ("docker-compose.yml", check_compose)):
        guard(where, check)
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
        problems = list(dict.fromkeys(PROBLEMS))  # once each (both compose runs, say, refuse the same)
        print(f"\nvalidate-deploy: {len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print("  ✘ " + p, file=sys.stderr)
        sys.exit(1)
    print(f"validate-deploy: all deployment checks passed ({time.time() - started:.1f} s)")


if __name__ == "__main__":
    main()
