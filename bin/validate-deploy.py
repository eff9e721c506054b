"""Eventline's own rules for its deployment files and their cross-checks against the code (application.properties,
@ConfigMapping, Micrometer meters, local-stack), on the overlays bin/validate-deploy.sh rendered (after it ran the
maintained tools) into RENDERED: `validate-deploy.py ROOT RENDERED`. What the rules expect beyond the code, lists,
tables and field rules, is in bin/validate-deploy.yaml. Prints every problem, and exits 1 if there is any.
"""
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.getcwd()
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "validate-deploy.yaml"), encoding="utf-8") as _f:
    DATA = yaml.safe_load(_f)
MODULES, OVERLAYS = DATA["modules"], list(DATA["overlays"])
PROBLEMS = []


def expect(ok, where, message):
    """A problem of where, saying message, unless ok."""
    if not ok:
        PROBLEMS.append(f"{where}: {message}")
    return ok


def path(*parts):
    return os.path.join(ROOT, *parts)


@functools.lru_cache(maxsize=None)
def read(*parts):
    with open(path(*parts), encoding="utf-8") as f:
        return f.read()


def get(obj, keys, default=None, sep="."):
    """obj's value at a path of keys joined by sep, or default where a step is missing. With sep "/", a
    JSON pointer (without its first /): ~1 in a key is a /, a number indexes a list, * maps over one."""
    key, _, rest = keys.partition(sep)
    key = key.replace("~1", "/").replace("~0", "~") if sep == "/" else key
    if key == "*" and isinstance(obj, list):
        return [v for o in obj if (v := get(o, rest, sep=sep) if rest else o) is not None]
    if isinstance(obj, list) and key.isdigit():
        obj = obj[int(key)] if int(key) < len(obj) else None
    else:
        obj = obj.get(key) if isinstance(obj, dict) else None
    return default if obj is None else get(obj, rest, default, sep) if rest else obj


def promtool(where, rules):
    """`promtool check rules` on rules ({"groups": [...]}); what it rejects is a problem of where."""
    if not expect(shutil.which("promtool"), where, "promtool is missing (bin/validate-deploy.sh installs prometheus)"):
        return
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix="validate-deploy-") as f:
        yaml.safe_dump(rules, f)
        f.flush()
        out = subprocess.run(["promtool", "check", "rules", f.name], capture_output=True, text=True)
    text = " ".join((out.stderr or out.stdout).replace(f.name, "rules").split())
    expect(out.returncode == 0, where, f"promtool check rules rejects it: {text}")


def apply_rules(target, where, obj, **subst):
    """The field rules of bin/validate-deploy.yaml for target (its comment says how they read) on obj, a
    dict or a file's text; <key> in a rule stands for subst[key] (<port:m>: module m's port)."""
    subst |= {f"port:{m}": http_port(m) for m in MODULES} | {f"management_port:{m}": management_port(m) for m in MODULES}
    subst |= {"management_port": management_port(subst["module"])} if subst.get("module") else {}

    def fill(text):
        return re.sub(r"<([\w:-]+)>", lambda m: str(subst.get(m.group(1), m.group(0))), text)

    for rule in DATA["rules"].get(target, []):
        value = obj if "path" not in rule else next(
            (v for p in rule["path"].split("|") if (v := get(obj, p.strip(), sep="/")) is not None), None)
        if (rule.get("only", subst.get("name")) != subst.get("name") or subst.get("overlay") not in
                rule.get("overlays", [subst.get("overlay")]) or (value is None and rule.get("optional"))):
            continue
        items, want = [str(v) for v in value] if isinstance(value, list) else None, rule.get("equals")
        text = " ".join(items) if items is not None else str(value)
        tests = {"equals": lambda: str(value) == fill(want) if isinstance(want, str) else value == want,
                 "present": lambda: (value is not None) == rule["present"],
                 "contains": lambda: fill(str(rule["contains"])) in (items if items is not None else str(value or "")),
                 "matches": lambda: value is not None and re.search(fill(rule["matches"]), text, re.M)}
        found = f" (it is {text})" if "path" in rule and value is not None and "present" not in rule else ""
        expect(all(test() for name, test in tests.items() if name in rule), where, fill(rule["message"]) + found)


# --- What the code says -----------------------------------------------------------------------

PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([^}]*))?\}")


@functools.lru_cache(maxsize=None)
def properties(module):
    """key -> value of a module's application.properties (profiles kept in the key)."""
    text = read(module, "src/main/resources/application.properties")
    lines = [line.strip().partition("=") for line in text.splitlines()]
    return {k.strip(): v.strip() for k, eq, v in lines if eq and not k.startswith("#")}


@functools.lru_cache(maxsize=None)
def variables_read(module):
    """Environment variables a module's application.properties reads: name -> default or None."""
    return {m.group(1): m.group(2) for v in properties(module).values()
            for m in PLACEHOLDER.finditer(v) if m.group(1).isupper()}


def http_port(module):
    return int(properties(module)["quarkus.http.port"])


def management_port(module):
    return int(properties(module)["quarkus.management.port"])


def java_sources(module):
    return [open(os.path.join(d, f), encoding="utf-8").read()
            for d, _, files in os.walk(path(module, "src/main/java")) for f in files if f.endswith(".java")]


def env_name(prop):
    return re.sub(r"[^A-Za-z0-9]", "_", prop).upper()


@functools.lru_cache(maxsize=None)
def allowed_envs(module):
    """Every variable a container of this module may set: what application.properties reads, the typed
    configuration (@ConfigMapping, @ConfigProperty, also of the project libraries it uses), JAVA_OPTS (the
    image's entrypoint reads it), and the Kafka client settings when its Kafka clients take Quarkus'
    kafka.* map (quarkus-messaging-kafka, or "default-kafka-broker")."""
    pom = read(module, "pom.xml")
    texts = java_sources(module) + [t for lib in DATA["config_libraries"]
                                    if f"<artifactId>{lib}</artifactId>" in pom for t in java_sources(lib)]
    envs = set(variables_read(module)) | {"JAVA_OPTS"}
    for text in texts:
        m = re.search(r'@ConfigMapping\(prefix\s*=\s*"([^"]+)"\)', text)
        for method in re.findall(r"^\s+[\w<>, ?]+\s+(\w+)\(\);", text, re.M) if m else []:
            envs.add(env_name(m.group(1) + "." + re.sub(r"(?<!^)([A-Z])", r"-\1", method).lower()))
        envs |= {env_name(p) for p in re.findall(r'@ConfigProperty\(name\s*=\s*"([^"]+)"', text)}
    if "<artifactId>quarkus-messaging-kafka</artifactId>" in pom or any('"default-kafka-broker"' in t for t in texts):
        envs |= set(DATA["kafka_client_envs"])
    return envs


def check_env(where, module, names):
    """A container of module sets names: each one read (QUARKUS_* sets any property), and the required ones (no
    default, an empty one, or one that means localhost) there."""
    for n in sorted(n for n in names if n not in allowed_envs(module) and not n.startswith("QUARKUS_")):
        expect(False, where, f"sets {n}, which {module}'s application.properties does not read")
    for n in sorted(n for n, d in variables_read(module).items() if (not d or "localhost" in d) and n not in names):
        expect(False, where, f"does not set {n}, which the production profile needs")


def local_stack_topics(dead_letter=False):
    """local-stack's TOPICS (with DEAD_LETTER_TOPICS if asked): `NAME = Map.of("topic", partitions, ...)`."""
    found = {}
    for name in ("TOPICS", "DEAD_LETTER_TOPICS") if dead_letter else ("TOPICS",):
        m = re.search(r"\b" + name + r"\s*=\s*Map\.of\((.*?)\);", read(DATA["local_stack"]), re.S)
        expect(m or name != "TOPICS", "LocalStack.java", "cannot find the TOPICS map (the validator reads partitions)")
        found |= {t: int(n) for t, n in re.findall(r'"([^"]+)",\s*(\d+)', m.group(1))} if m else {}
    return found


@functools.lru_cache(maxsize=None)
def exported_metrics():
    """Prometheus names of the meters the code registers (Micrometer's naming convention)."""
    names = set()
    for text in (t for m in os.listdir(ROOT) if os.path.isdir(path(m, "src/main/java")) for t in java_sources(m)):
        found = re.findall(r'(Counter|Gauge|Timer|DistributionSummary)\.builder\(\s*"([a-z0-9_.]+)"', text)
        found += [(k.capitalize(), n) for k, n in re.findall(r'registry\.(counter|gauge|timer)\(\s*"([\w.]+)"', text)]
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


def check_metrics(where, exprs, known):
    """Each (name, PromQL) of exprs queries known metrics only (problems of where(name)); the metrics used."""
    used = set()
    for name, expr in exprs:
        e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)        # strings
        e = re.sub(r"\{[^}]*\}", "", e)                      # label matchers
        e = re.sub(r"\[[^\]]*\]", "", e)                     # ranges
        e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", e)
        e = re.sub(r"\$\w+", "", e)                          # Grafana variables
        e = re.sub(r"label_values\(([^,()]+),\s*\w+\)", r"(\1)", e)  # Grafana: label_values(metric, label)
        for metric in sorted({m.group(0) for m in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", e)
                              if m.group(0).lower() not in DATA["promql_words"] and e[m.end():].lstrip()[:1] != "("
                              and not re.fullmatch(r"\d+\w*", m.group(0))}):
            used.add(metric)
            expect(metric in known, where(name), f"queries {metric}, which nothing exports")
    return used


# --- Files: Dockerfiles, images, docker-compose.yml, prometheus.yml -----------------------------

def check_dockerfiles():
    for module, where in ((m, f"{m}/src/main/docker/Dockerfile.jvm") for m in MODULES):
        if expect(os.path.isfile(path(where)), where, "missing"):
            apply_rules("dockerfile", where, read(where), module=module, port=http_port(module))
            expect(image_uid(module) not in (None, 0), where,
                   "must end as a numeric non-root USER (Kubernetes' runAsNonRoot verifies a uid)")


def image_uid(module):
    """The uid of the image's last USER (None if that is no number or there is none)."""
    users = re.findall(r"^USER\s+(\S+)", read(module, "src/main/docker/Dockerfile.jvm"), re.M)
    uid = users[-1].split(":")[0] if users else ""
    return int(uid) if uid.isdigit() else None


def check_images(rendered):
    """prod's images are deploy/images.env's; the dev key is local-stack's; each overlay creates its namespace."""
    lines = [line.split("=", 1) for line in read("deploy/images.env").splitlines() if "=" in line]
    env = {k.strip(): v.strip() for k, v in lines if not k.strip().startswith("#")}
    for k in ("EVENTLINE_REGISTRY", "EVENTLINE_TAG"):
        expect(env.get(k), "deploy/images.env", f"{k} is not set")
    where = "k8s/overlays/prod/kustomization.yaml"
    images = {i["name"]: (i.get("newName"), str(i.get("newTag"))) for i in yaml.safe_load(read(where))["images"]}
    for module, image in ((m, (f"{env.get('EVENTLINE_REGISTRY')}/{m}", env.get("EVENTLINE_TAG"))) for m in MODULES):
        expect(images.get(f"eventline/{module}") == image, where,
               f"image of {module} must be {image[0]}:{image[1]} as deploy/images.env says")
    dev_key = "k8s/overlays/dev/public-key-DEV-ONLY.pem"
    expect(read(dev_key) == read("local-stack/src/main/resources/dev-jwt/public-key-DEV-ONLY.pem"), dev_key,
           "differs from local-stack's development key")
    for overlay, objs in rendered.items():
        own = yaml.safe_load(read("k8s/overlays", overlay, "kustomization.yaml")).get("namespace")
        expect([o["metadata"]["name"] for o in objs if o["kind"] == "Namespace"] == [own], f"k8s/overlays/{overlay}",
               "must create exactly its own namespace")


def check_compose():
    where, compose = "docker-compose.yml", yaml.safe_load(read("docker-compose.yml"))
    services = compose.get("services", {})
    apply_rules("compose", where, compose)
    one_shot = {t for s in services.values() for t, c in (s.get("depends_on") or {}).items()
                if get(c, "condition") == "service_completed_successfully"}
    for name, svc in services.items():
        expect(name in one_shot or svc.get("healthcheck"), where, f"service {name} has no healthcheck")
        deps = svc.get("depends_on") or {}
        for target, cond in (deps.items() if isinstance(deps, dict) else ((d, None) for d in deps)):
            if expect(get(cond, "condition") in ("service_healthy", "service_completed_successfully"), where,
                      f"{name} depends on {target} without condition service_healthy/_completed_successfully"):
                expect(get(cond, "condition") != "service_healthy" or get(services, f"{target}.healthcheck"), where,
                       f"{name} waits for {target} to be healthy, but {target} has no healthcheck")
        for source in (v.split(":")[0] if isinstance(v, str) else v.get("source", "") for v in svc.get("volumes", [])):
            expect(not source.startswith(".") or os.path.exists(path(source)), where,
                   f"{name} mounts {source}, which does not exist")
        for p in svc.get("ports") or []:  # loopback unless opted in: the stack accepts the committed dev key
            expect(str(p).startswith("${EVENTLINE_BIND:-127.0.0.1}:"), where,
                   f"{name} publishes {p}: bind it as ${{EVENTLINE_BIND:-127.0.0.1}}:<port>:<port>")
        expect(name == "gateway" or name not in MODULES or not svc.get("ports"), where,
               f"{name} publishes a port: only the gateway is the way in")

    for module, svc in ((m, services.get(m)) for m in MODULES):
        mw = f"{where}: {module}"
        if not expect(svc, where, f"service {module} is missing"):
            continue
        apply_rules("compose-module", mw, svc, module=module, port=http_port(module))
        build = svc.get("build") if isinstance(svc.get("build"), dict) else {"context": svc.get("build") or ""}
        if expect(os.path.normpath(build["context"]) == module, mw, f"must build from its module directory ./{module}"):
            expect(os.path.isfile(path(module, build.get("dockerfile", "Dockerfile"))), mw,
                   f"Dockerfile {build.get('dockerfile')} does not exist in {build['context']}")
        env = svc.get("environment") or {}
        env = dict(e.split("=", 1) for e in env) if isinstance(env, list) else env
        check_env(mw, module, set(env))
        key = str(env.get("EVENTLINE_JWT_PUBLIC_KEY_LOCATION", ""))
        expect(not key or any(key.endswith(v.split(":")[1]) for v in svc.get("volumes") or [] if isinstance(v, str)),
               mw, f"EVENTLINE_JWT_PUBLIC_KEY_LOCATION {key} is not a mounted file")
        db_url = str(env.get("EVENTLINE_DB_URL", ""))
        m = re.fullmatch(r"jdbc:postgresql://([\w-]+):(\d+)/(\w+)", db_url)
        if db_url and expect(m and m.group(1) in services, mw, f"EVENTLINE_DB_URL {db_url} names no compose service"):
            db = m.group(3)
            expect(re.search(rf"^create {db} ", read("deploy/postgres/init-databases.sh"), re.M), mw,
                   f"database {db} is not created by deploy/postgres/init-databases.sh")
            expect(env.get("EVENTLINE_DB_USER") == db, mw, f"EVENTLINE_DB_USER must be the database's owner role {db}")
            expect(env.get("EVENTLINE_DB_PASSWORD") == get(services, f"postgres.environment.{db.upper()}_DB_PASSWORD"),
                   mw, f"EVENTLINE_DB_PASSWORD differs from postgres' {db.upper()}_DB_PASSWORD")
        expect("KAFKA_BOOTSTRAP_SERVERS" not in env or env["KAFKA_BOOTSTRAP_SERVERS"].split(":")[0] in services, mw,
               "KAFKA_BOOTSTRAP_SERVERS does not name a compose service")

    # The topics local-stack creates, with its partition counts; they are change-record's Topics.
    topics = [v for v in (get(s, "environment.EVENTLINE_TOPICS") for s in services.values()) if v]
    if expect(len(topics) == 1, where, "exactly one service must create the topics (EVENTLINE_TOPICS)"):
        declared = {t.split(":")[0]: int(t.split(":")[1]) for t in topics[0].split()}
        expect(declared == local_stack_topics(True), where,
               f"topics {declared} differ from local-stack's {local_stack_topics(True)}")
    constants = set(re.findall(r'"(eventline\.[a-z]+)"', read(DATA["topics_java"])))
    expect(constants == set(local_stack_topics()), "LocalStack.java",
           f"topics differ from change-record's Topics.java {sorted(constants)}")
    monitoring = {n for n, s in services.items() if "monitoring" in (s.get("profiles") or [])}
    expect({"prometheus", "grafana"} <= monitoring <= {"prometheus", "grafana", "jaeger"}, where,
           f"profile monitoring must hold prometheus and grafana (and may hold jaeger), holds {sorted(monitoring)}")
    jobs = {j["job_name"]: j for j in yaml.safe_load(read("deploy/prometheus/prometheus.yml"))["scrape_configs"]}
    for module, job, target in ((m, jobs.get(m, {}), f"{m}:{management_port(m)}") for m in MODULES):
        targets = get(job, "static_configs", [{}])[0].get("targets", [])
        expect(job.get("metrics_path") == "/q/metrics" and target in targets, "deploy/prometheus/prometheus.yml",
               f"job {module} must scrape {target}/q/metrics")


# --- k8s/: the project's rules on the rendered overlays ---------------------------------------

def external_objects():
    """Secrets and ConfigMaps an operator creates before deploying prod: docs/operations.md."""
    section = re.search(r"^## Objects you create.*?(?=^## )", read("docs/operations.md"), re.S | re.M)
    expect(section, "docs/operations.md", "no section '## Objects you create' listing external Secrets and ConfigMaps")
    rows = re.findall(r"^\|\s*(Secret|ConfigMap)\s*\|\s*`([^`]+)`\s*\|([^|]*)\|", section[0] if section else "", re.M)
    return {(kind, name): set(re.findall(r"`([^`]+)`", keys)) for kind, name, keys in rows}


def label_match(selector, labels):
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for e in selector.get("matchExpressions") or []:
        op, value, values = e["operator"], labels.get(e["key"]), e.get("values", [])
        if {"In": value not in values, "NotIn": value in values, "Exists": value is None}.get(op):
            return False
    return True


class Overlay:
    """One overlay's rendered objects, by kind and name, and what the checks ask of them."""

    def __init__(self, name, objs, external):
        self.name, self.external, self.by_kind = name, external, {}
        for o in objs:
            self.by_kind.setdefault(o["kind"], {})[o["metadata"]["name"]] = o
        keys = DATA["strimzi_secret_keys"]  # Strimzi writes a Secret per KafkaUser and per cluster CA
        self.strimzi = {n: set(keys[get(u, "spec.authentication.type")]) for n, u in self.kind("KafkaUser").items()
                        if get(u, "spec.authentication.type") in keys}
        self.strimzi |= {f"{n}-cluster-ca-cert": set(keys["cluster-ca-cert"]) for n in self.kind("Kafka")}

    def kind(self, kind):
        return self.by_kind.get(kind, {})

    def data(self, kind, name):
        return (self.kind(kind).get(name) or {}).get("data") or {}

    def labels(self, deployment):
        return self.kind("Deployment")[deployment]["spec"]["template"]["metadata"]["labels"]

    def container(self, deployment):
        return self.kind("Deployment")[deployment]["spec"]["template"]["spec"]["containers"][0]

    def ports(self, service):
        return [p["port"] for p in get(self.by_kind, f"Service.{service}.spec.ports", [])]

    def ref(self, kind, r, where):
        """A reference to a ConfigMap or Secret (and to its key, if it names one) resolves."""
        name, key, optional = r.get("name") or r.get("secretName"), r.get("key"), r.get("optional")
        if kind == "Secret" and name in self.strimzi:
            expect(not key or key in self.strimzi[name], where, f"Secret {name} (written by Strimzi) has no key {key}")
        elif (obj := self.kind(kind).get(name)) is not None:
            expect(not key or key in set(obj.get("data") or {}) | set(obj.get("stringData") or {}), where,
                   f"{kind} {name} has no key {key}")
        elif self.name == "prod" and (kind, name) in self.external and not optional:
            expect(not key or key in self.external[(kind, name)], where,
                   f"{kind} {name} is documented in docs/operations.md without the key {key}")
        elif not optional:
            expect(False, where, f"{kind} {name} is neither in the overlay"
                   + (" nor documented as created by the operator (docs/operations.md)" if self.name == "prod" else ""))

    def env(self, container, name):
        """A container's variable: ("value", v), ("secret", name, key) or None."""
        found = None
        for ef in container.get("envFrom") or []:
            if name in self.data("ConfigMap", get(ef, "configMapRef.name")):
                found = ("value", self.data("ConfigMap", ef["configMapRef"]["name"])[name])
            if name in self.data("Secret", get(ef, "secretRef.name")):
                found = ("secret", ef["secretRef"]["name"], name)
        for e in (e for e in container.get("env") or [] if e["name"] == name):
            s, c = get(e, "valueFrom.secretKeyRef"), get(e, "valueFrom.configMapKeyRef")
            return ("secret", s["name"], s["key"]) if s else ("value", self.data("ConfigMap", c["name"]).get(c["key"])
                                                              if c else e.get("value"))
        return found

    def value(self, container, name):
        return (self.env(container, name) or (None, None))[1]


def check_k8s(ov):
    cluster = next(iter(ov.kind("Kafka")), None)
    for kind, name, o in ((k, n, o) for k, objs in ov.by_kind.items() for n, o in objs.items()):
        apply_rules(kind, f"{ov.name}: {kind} {name}", o, name=name, overlay=ov.name, cluster=cluster,
                    **DATA["overlays"][ov.name])
    for module in (m for m in MODULES if m not in ov.kind("Deployment")):
        expect(False, ov.name, f"no Deployment {module}")
    for name, spec in ((n, d["spec"]["template"]["spec"]) for n, d in ov.kind("Deployment").items()):
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for kind, field in (("ConfigMap", "configMap"), ("Secret", "secret")):
            for v in (v for v in volumes.values() if field in v):
                ov.ref(kind, v[field], f"{ov.name}: Deployment {name}")
        for c in spec.get("containers", []):
            cw, module = f"{ov.name}: Deployment {name} container {c['name']}", name in MODULES and name
            apply_rules("container", cw, c | {"pod": spec})
            ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
            for probe, wanted in DATA["probes"].items():
                if expect(get(c, f"{probe}.httpGet.path") == wanted, cw, f"{probe} must be an httpGet of {wanted}"):
                    port = c[probe]["httpGet"].get("port")
                    expect(port in ports or port in ports.values(), cw,
                           f"{probe} probes port {port}, which the container does not declare")
            tmp = [m["name"] for m in c.get("volumeMounts", []) if m["mountPath"] == "/tmp"]
            expect(tmp and "emptyDir" in volumes.get(tmp[0], {}), cw,
                   "/tmp must be an emptyDir (the root filesystem is read-only)")
            for m in (m for m in c.get("volumeMounts", []) if m["name"] not in volumes):
                expect(False, cw, f"mounts volume {m['name']}, which the pod does not define")
            # Variables: references resolvable; in a module's container each one read, the required ones set.
            names = {e["name"] for e in c.get("env", [])}
            for kind, key_ref, all_ref in (("Secret", "secretKeyRef", "secretRef"),
                                           ("ConfigMap", "configMapKeyRef", "configMapRef")):
                for e in (e for e in c.get("env", []) if get(e, "valueFrom." + key_ref)):
                    ov.ref(kind, e["valueFrom"][key_ref], cw)
                for ef in (ef for ef in c.get("envFrom", []) if all_ref in ef):
                    ov.ref(kind, ef[all_ref], cw)
                    names |= set(ov.data(kind, ef[all_ref]["name"]))
            if not module:
                continue
            apply_rules("module-container", cw, c, module=module, port=http_port(module))
            uid = get(spec, "securityContext.runAsUser") or get(c, "securityContext.runAsUser")
            expect(uid in (None, image_uid(module)), cw, f"runAsUser {uid} is not the image's USER {image_uid(module)}")
            check_env(cw, module, names)

    # Services select pods and their ports; ConfigMaps' URLs, Kafka bootstrap, database URLs name real objects.
    for name, svc in ov.kind("Service").items():
        selector = {"matchLabels": svc["spec"].get("selector", {})}
        pods = [d for d in ov.kind("Deployment") if label_match(selector, ov.labels(d))]
        expect(pods, f"{ov.name}: Service {name}", "selects no Deployment's pods")
        names = {p.get("name") for d in pods for c in ov.kind("Deployment")[d]["spec"]["template"]["spec"]["containers"]
                 for p in c.get("ports", [])}
        for p in (p["targetPort"] for p in svc["spec"]["ports"] if isinstance(p.get("targetPort"), str)):
            expect(p in names, f"{ov.name}: Service {name}", f"targetPort {p} is no container port name")
    for name in MODULES:
        expect(ov.ports(name)[:1] == [http_port(name)], ov.name, f"Service {name} must serve port {http_port(name)}")
    for cw, key, value in ((f"{ov.name}: ConfigMap {n}", k, str(v)) for n, cm in ov.kind("ConfigMap").items()
                           for k, v in (cm.get("data") or {}).items()):
        if key.endswith("_URL") and (m := re.fullmatch(r"http://([\w-]+):(\d+)", value)):
            expect(int(m.group(2)) in ov.ports(m.group(1)), cw, f"{key} {value} is no Service port")
        if key == "KAFKA_BOOTSTRAP_SERVERS":
            expect(value.split("-kafka-bootstrap")[0] in ov.kind("Kafka"), cw, f"{value} is no Strimzi Kafka bootstrap")
        m = re.fullmatch(r"jdbc:postgresql://([\w-]+)-rw:5432/(\w+)", value)
        if key == "EVENTLINE_DB_URL" and expect(m and m.group(1) in ov.kind("Cluster"), cw,
                                                f"{value} is not a CloudNativePG -rw Service"):
            databases = {get(ov.by_kind, f"Cluster.{m[1]}.spec.bootstrap.initdb.database")} | {
                db["spec"]["name"] for db in ov.kind("Database").values() if db["spec"]["cluster"]["name"] == m[1]}
            expect(m.group(2) in databases, cw,
                   f"database {m.group(2)} is created neither by {m.group(1)}'s initdb nor by a Database resource")

    # HTTPRoute: to the gateway Service's port, the stream without a deadline, /q/* not published.
    expect(ov.kind("HTTPRoute"), ov.name, "no HTTPRoute")
    want = DATA["route_stream"]
    for rw, rules in ((f"{ov.name}: HTTPRoute {n}", get(r, "spec.rules", [])) for n, r in ov.kind("HTTPRoute").items()):
        for kind, b in ((b.get("kind", "Service"), b) for r in rules for b in r.get("backendRefs", [])):
            expect((kind, b["name"]) == ("Service", "gateway") and b.get("port") == http_port("gateway"), rw,
                   f"backendRef {kind} {b['name']}:{b.get('port')} must be Service gateway, port {http_port('gateway')}")
        paths = [(r, get(m, "path.value", "/")) for r in rules for m in r.get("matches") or [{}]]
        for v in (v for _, v in paths if v.rstrip("/") in ("", "/q") or v.startswith("/q/")):
            expect(False, rw, f"path {v} publishes /q/* (health, metrics)")
        stream, least = next((r for r, v in paths if v == want["path"]), None), want["min_timeout_seconds"]
        for key in ("request", "backendRequest") if expect(stream, rw, f"no rule for {want['path']} alone") else ():
            t = get(stream, f"timeouts.{key}")
            units = {"h": 3600, "m": 60, "s": 1, "ms": 0.001}
            secs = sum(int(n) * units[u] for n, u in re.findall(r"(\d+)(ms|h|m|s)", t or ""))
            expect(t is None and key != "request" or t is not None and (secs == 0 or secs >= least), rw,
                   f"{want['path']}: timeouts.{key} {t or 'unset (implementation-specific)'} may cut streams: set 0s "
                   f"(none) or >= {least}s")
    for name, to in ((n, t) for n, g in ov.kind("ReferenceGrant").items() for t in g["spec"]["to"]):
        if to["kind"] == "Secret":
            ov.ref("Secret", to, f"{ov.name}: ReferenceGrant {name}")
    for check in (check_kafka, check_gateway, check_network_policies, check_kafka_access, check_monitoring):
        guard(ov.name, check, ov)


def check_gateway(ov):
    """The gateway: autoscaled on CPU and streams (bin/validate-deploy.yaml's rules), disruption budget, drain."""
    if "gateway" not in ov.kind("Deployment"):
        return
    expect(get(ov.by_kind, "HorizontalPodAutoscaler.gateway.spec.scaleTargetRef.name") == "gateway", ov.name,
           "no HorizontalPodAutoscaler gateway for the gateway")
    expect(any(get(p, "spec.selector.matchLabels", {}).get("app.kubernetes.io/name") == "gateway"
               for p in ov.kind("PodDisruptionBudget").values()), ov.name, "no PodDisruptionBudget for the gateway")
    c, grace = ov.container("gateway"), ov.kind("Deployment")["gateway"]["spec"]["template"]["spec"].get(
        "terminationGracePeriodSeconds", 30)
    pre = get(c, "lifecycle.preStop.exec.command", [])
    sleep = int(pre[-1]) if pre and pre[0] == "sleep" else None
    expect(sleep is not None, ov.name, "the gateway has no preStop sleep (endpoints must go before SIGTERM)")
    m = re.fullmatch(r"(\d+)s", str(drain := ov.value(c, "EVENTLINE_STREAM_DRAIN_PERIOD")))
    if expect(m, ov.name, "the gateway must set EVENTLINE_STREAM_DRAIN_PERIOD in seconds (e.g. 20s)") \
            and sleep is not None:
        expect(grace >= sleep + int(m.group(1)) + 10, ov.name, f"the gateway's terminationGracePeriodSeconds {grace} "
               f"leaves no room for preStop {sleep}s + drain {drain} + shutdown")


def check_network_policies(ov):
    """Default deny; each module admits exactly the peers of bin/validate-deploy.yaml's ingress; PostgreSQL and
    Kafka admit the services."""
    policies = [p["spec"] for p in ov.kind("NetworkPolicy").values()]
    expect(any(p.get("podSelector") == {} and p.get("policyTypes") == ["Ingress"] and not p.get("ingress")
               for p in policies), ov.name, "no default-deny ingress NetworkPolicy")

    def admitted(labels, port):
        """The peers admitted to pods with these labels on this port."""
        return [peer for p in policies if label_match(p.get("podSelector", {}), labels) for rule in p.get("ingress", [])
                if not rule.get("ports") or port in [pp.get("port") for pp in rule["ports"]]
                for peer in rule.get("from") or [{"any": True}]]

    for key, allowed in DATA["ingress"].items():  # "<module>": its HTTP port; "<module> management": /q/*
        module, _, listener = key.partition(" ")
        peers = admitted(ov.labels(module), management_port(module) if listener else http_port(module))
        module = key  # the messages below name the listener too
        expect(not any(p.get("any") for p in peers), ov.name, f"{module} admits traffic from anywhere")
        namespaces = {get(p, "namespaceSelector.matchLabels", {}).get("kubernetes.io/metadata.name")
                      for p in peers if "namespaceSelector" in p}
        pod_peers = [p["podSelector"] for p in peers if "podSelector" in p and "namespaceSelector" not in p]
        pods = {m for m in MODULES for s in pod_peers if label_match(s, ov.labels(m))}
        for ns in sorted(set(allowed["namespaces"]) - namespaces):
            expect(False, ov.name, f"{allowed['namespaces'][ns]} (namespace {ns}) cannot reach {module}")
        for peer in sorted(set(allowed["pods"]) - pods):
            expect(False, ov.name, f"{peer} cannot reach {module}")
        extra = [f"namespace {n}" for n in sorted(namespaces - set(allowed["namespaces"]))]
        extra += sorted(pods - set(allowed["pods"])) + (["other pods"] if pod_peers and not pods else [])
        expect(not extra, ov.name, f"{module} admits {', '.join(extra)}: only "
               f"{', '.join(list(allowed['namespaces'].values()) + allowed['pods'])} should reach it")
    for cluster in ov.kind("Cluster"):  # PostgreSQL admits the domain services
        peers = [p["podSelector"] for p in admitted({"cnpg.io/cluster": cluster}, 5432) if "podSelector" in p]
        for module in (m for m in DATA["database_modules"] if not any(label_match(p, ov.labels(m)) for p in peers)):
            expect(False, ov.name, f"{module} cannot reach PostgreSQL cluster {cluster}")
    for listener in (lst for k in ov.kind("Kafka").values() for lst in k["spec"]["kafka"]["listeners"]
                     if lst.get("networkPolicyPeers") is not None):  # Strimzi writes their policy
        for module in (m for m in MODULES if not any(label_match(p.get("podSelector", {}), ov.labels(m))
                                                     for p in listener["networkPolicyPeers"])):
            expect(False, ov.name, f"{module} cannot reach Kafka listener {listener['name']}")


def check_kafka(ov):
    """Strimzi's Kafka, node pools and topics; CloudNativePG's Cluster and Databases."""
    expected, kafkas = DATA["overlays"][ov.name], ov.kind("Kafka")
    if not expect(len(kafkas) == 1, ov.name, "expected exactly one Strimzi Kafka"):
        return
    cluster, config = next(iter(kafkas)), next(iter(kafkas.values()))["spec"]["kafka"].get("config", {})
    pools = [p["spec"] for p in ov.kind("KafkaNodePool").values()
             if get(p, "metadata.labels", {}).get("strimzi.io/cluster") == cluster]
    brokers = sum(p["replicas"] for p in pools if "broker" in p["roles"])
    expect(any("controller" in p["roles"] for p in pools), ov.name, "no KafkaNodePool with the controller role (KRaft)")
    expect(brokers == expected["kafka_brokers"], ov.name, f"{brokers} Kafka brokers, not {expected['kafka_brokers']}")
    for key in ("default", "offsets.topic", "transaction.state.log"):
        key += ".replication.factor"
        expect(config.get(key, 1) <= brokers, ov.name, f"Kafka {key} {config.get(key)} exceeds the {brokers} brokers")
    seen = {}
    for t in ov.kind("KafkaTopic").values():
        spec, name = t["spec"], t["spec"].get("topicName", t["metadata"]["name"])
        replicas, min_isr, seen[name] = spec.get("replicas"), int(get(spec, "config/min.insync.replicas", 1, "/")), \
            spec.get("partitions")
        where = f"{ov.name}: KafkaTopic {name}"
        want = (expected.get("topic_replicas", replicas), expected.get("topic_min_insync_replicas", min_isr))
        expect((replicas, min_isr) == want, where, f"replicas {replicas} / min.insync.replicas {min_isr}, expected "
               f"{want[0]} / {want[1]}")
        expect(replicas is not None and min_isr <= replicas <= brokers, where,
               f"replicas {replicas} / min.insync.replicas {min_isr} do not fit {brokers} brokers")
    topics = local_stack_topics(True)
    expect(seen == topics, ov.name, f"KafkaTopics {seen} differ from local-stack's {topics}")

    expect(len(ov.kind("Cluster")) == 1, ov.name, "expected exactly one CloudNativePG Cluster")
    for name, spec in ((n, c["spec"]) for n, c in ov.kind("Cluster").items()):
        initdb, roles = get(spec, "bootstrap.initdb", {}), get(spec, "managed.roles", [])
        where = f"{ov.name}: Cluster {name}"
        expect(not 0 < spec.get("maxSyncReplicas", 0) >= spec.get("instances", 1), where,
               "maxSyncReplicas must be below instances")
        for secret in (s for s in [initdb.get("secret")] + [r.get("passwordSecret") for r in roles] if s):
            ov.ref("Secret", {"name": secret["name"], "key": "password"}, where)
        for db in (db for db in ov.kind("Database").values() if db["spec"]["cluster"]["name"] == name):
            expect(db["spec"]["owner"] in {r["name"] for r in roles} | {initdb.get("owner")},
                   f"{ov.name}: Database {db['metadata']['name']}", f"owner {db['spec']['owner']} is no role of {name}")


def acl_entries(user):
    """(resource type, name, pattern type, operation) of each allow ACL of a KafkaUser."""
    return [(get(acl, "resource.type"), get(acl, "resource.name", "*"), get(acl, "resource.patternType", "literal"), op)
            for acl in get(user, "spec.authorization.acls", []) if acl.get("type", "allow") == "allow"
            for op in list(acl.get("operations") or []) + ([acl["operation"]] if acl.get("operation") else [])]


def acl_covers(pattern, pattern_type, wanted):
    """Whether an ACL's resource pattern names the resource wanted."""
    return pattern == "*" or (wanted.startswith(pattern) if pattern_type == "prefix" else wanted == pattern)


def check_kafka_access(ov):
    """Listeners, users and ACLs: who connects how, and may read and write which topic."""
    if len(ov.kind("Kafka")) != 1:
        return  # check_kafka says so
    cluster, kafka = next(iter(ov.kind("Kafka").items()))
    listeners, where = kafka["spec"]["kafka"].get("listeners", []), f"{ov.name}: Kafka {cluster}"
    own_topics, writes, reads = DATA["own_topics"], DATA["write_operations"], DATA["read_operations"]
    # Every listener authenticates; one is TLS + SCRAM-SHA-512.
    for listener in (lst for lst in listeners if not get(lst, "authentication.type")):
        expect(False, where, f"listener {listener['name']} has no authentication: anyone who reaches it is anonymous")
    scram_ports = {lst["port"] for lst in listeners
                   if get(lst, "authentication.type") == "scram-sha-512" and lst.get("tls") is True}
    ports = ", ".join(map(str, sorted(scram_ports)))
    expect(scram_ports, where, "no TLS listener with SCRAM-SHA-512 authentication")
    users = {n: u for n, u in ov.kind("KafkaUser").items()
             if get(u, "metadata.labels", {}).get("strimzi.io/cluster") == cluster}

    # Each Deployment connects as its own KafkaUser, over the TLS listener, trusting the cluster CA.
    for module in (m for m in MODULES if m in ov.kind("Deployment")):
        c, cw = ov.container(module), f"{ov.name}: Deployment {module}"
        jaas = ov.env(c, "KAFKA_SASL_JAAS_CONFIG") or ("none",)
        if jaas[0] != "secret":
            expect(False, cw, "takes no Kafka credentials (KAFKA_SASL_JAAS_CONFIG from its KafkaUser's Secret)")
        elif jaas[1] not in users:
            expect(False, cw, f"takes its Kafka credentials from Secret {jaas[1]}, which is no KafkaUser of {cluster}")
        elif jaas[1] != module:
            expect(False, cw, f"connects to Kafka as KafkaUser {jaas[1]}, not as its own KafkaUser {module}")
        elif jaas[2] != "sasl.jaas.config":
            expect(False, cw, f"KAFKA_SASL_JAAS_CONFIG reads key {jaas[2]} of Secret {jaas[1]}, not sasl.jaas.config")
        elif get(users[jaas[1]], "spec.authentication.type") != "scram-sha-512":
            expect(False, cw, f"KafkaUser {jaas[1]} does not authenticate with scram-sha-512")
        for var, wanted in DATA["kafka_client_values"].items():
            expect(ov.value(c, var) == wanted, cw, f"{var} must be {wanted}")
        bootstrap = ov.value(c, "KAFKA_BOOTSTRAP_SERVERS")
        port = str(bootstrap or "").rsplit(":", 1)[-1]
        expect(port.isdigit() and int(port) in scram_ports, cw,
               f"KAFKA_BOOTSTRAP_SERVERS {bootstrap} is not the TLS + SCRAM listener (port {ports})")
        ca = ("secret", f"{cluster}-cluster-ca-cert", "ca.crt")
        expect(ov.env(c, "KAFKA_SSL_TRUSTSTORE_CERTIFICATES") == ca, cw, f"does not trust the cluster CA "
               f"(KAFKA_SSL_TRUSTSTORE_CERTIFICATES from Secret {ca[1]}, key ca.crt)")

    # Writes: a service on its own topics only, nobody else on any; nobody administers the cluster.
    topics = {t["spec"].get("topicName", n) for n, t in ov.kind("KafkaTopic").items()}
    for module in (m for m in MODULES if m not in users):
        expect(False, ov.name, f"no KafkaUser {module}")
    groups = {}
    for name, u in users.items():
        uw, own = f"{ov.name}: KafkaUser {name}", own_topics.get(name, [])
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
        acls = [(r, n, pt) for r, n, pt, op in acl_entries(users[name]) if op in reads]
        for t in sorted(wanted["topics"]):
            expect(any(r == "topic" and acl_covers(n, pt, t) for r, n, pt in acls), f"{ov.name}: KafkaUser {name}",
                   f"cannot Read topic {t}, which it consumes")
        expect(not wanted["group"] or any(r == "group" and acl_covers(n, pt, wanted["group"]) for r, n, pt in acls),
               f"{ov.name}: KafkaUser {name}", f"cannot Read its consumer group {wanted['group']}")
    # No user may join another's consumer group (it would take its partitions and move its offsets).
    for name, other, g in ((n, o, g) for n, mine in groups.items() for o, theirs in groups.items() if o != n
                           for g, gt in theirs if gt == "literal" and any(acl_covers(p, pt, g) for p, pt in mine)):
        expect(False, f"{ov.name}: KafkaUser {name}", f"may join consumer group {g} of KafkaUser {other}")
    readers = [n for n in users if n not in own_topics]
    expect(readers, ov.name, "no KafkaUser for a consuming team (the example: team-example)")
    for name in (n for n in readers if not any(pt == "prefix" and p.startswith(n) for p, pt in groups.get(n, []))):
        expect(False, f"{ov.name}: KafkaUser {name}", f"has no consumer-group prefix of its own ({name}.)")

    # Other namespaces reach the brokers on the SCRAM listener's port only.
    brokers = {"strimzi.io/cluster": cluster, "strimzi.io/kind": "Kafka", "strimzi.io/name": f"{cluster}-kafka"}
    cross = [(np["metadata"]["name"], {pp.get("port") for pp in rule.get("ports") or []})
             for np in ov.kind("NetworkPolicy").values()
             if np["spec"].get("podSelector") and label_match(np["spec"]["podSelector"], brokers)
             for rule in np["spec"].get("ingress", []) if any("namespaceSelector" in p for p in rule.get("from") or [])]
    for np, rule_ports in cross:
        expect(rule_ports and rule_ports <= scram_ports, f"{ov.name}: NetworkPolicy {np}",
               f"admits other namespaces to Kafka on {sorted(rule_ports) or 'every port'}: only the TLS + SCRAM "
               f"listener ({ports})")
    expect(cross, ov.name, "no NetworkPolicy admits consuming teams' namespaces to the Kafka listener")


# --- Monitoring: ServiceMonitor, alerts and dashboard (promtool), docs ---------------------------

def check_monitoring(ov):
    for module, svc in ((m, ov.kind("Service")[m]) for m in MODULES if m in ov.kind("Service")):
        monitors = [m["spec"] for m in ov.kind("ServiceMonitor").values()]
        expect(any(e.get("path") == "/q/metrics" and e.get("port") in [p.get("name") for p in svc["spec"]["ports"]
                                                                       if p["port"] == management_port(module)]
                   for m in monitors if label_match(m["selector"], svc["metadata"]["labels"]) for e in m["endpoints"]),
               ov.name, f"no ServiceMonitor scrapes {module}'s /q/metrics on its management port")
    expect(ov.kind("PrometheusRule"), ov.name, "no PrometheusRule")
    anchors = {re.sub(r"[^a-z0-9 -]", "", h.strip().lower()).replace(" ", "-")
               for h in re.findall(r"^#+\s+(.*)$", read("docs/operations.md"), re.M)}
    for name, pr in ov.kind("PrometheusRule").items():
        promtool(f"{ov.name}: PrometheusRule {name}", {"groups": pr["spec"]["groups"]})
    rules = [r for pr in ov.kind("PrometheusRule").values() for group in pr["spec"]["groups"] for r in group["rules"]]
    check_metrics(lambda n: f"{ov.name}: alert {n}", [(r.get("alert") or r.get("record"), r["expr"]) for r in rules],
                  exported_metrics() | set(DATA["standard_metrics"]) | set(DATA["platform_metrics"]))
    for r, url in ((r, get(r, "annotations.runbook_url", "")) for r in rules if r.get("alert")):
        expect(re.fullmatch(r"https://[\w.-]+(:\d+)?/(\S*/)?docs/operations\.md#(\S+)", url) and url[url.find("#") + 1:]
               in anchors,
               f"{ov.name}: alert {r['alert']}", f"runbook_url {url!r} is no absolute https URL of a heading of "
               "docs/operations.md")
    for wanted in sorted(set(DATA["alerts"]) - {r.get("alert") for r in rules}):
        expect(False, ov.name, f"alert {wanted} is missing")


def check_dashboard():
    where = "k8s/base/monitoring/eventline-dashboard.json"
    try:
        dash = json.loads(read(where))
    except (OSError, ValueError) as e:
        expect(False, where, f"is not valid JSON: {e}")
        return

    def panels(ps):
        return [p for panel in ps for p in [panel] + panels(panel.get("panels", []))]
    exprs = [(p.get("title"), t.get("expr", "")) for p in panels(dash.get("panels", [])) for t in p.get("targets", [])]
    variables = [(v["name"], get(v, "query.query", "")) for v in get(dash, "templating.list", [])
                 if isinstance(v.get("query"), dict)]
    used = check_metrics(lambda title: f"{where}: panel {title!r}", exprs + variables,
                         exported_metrics() | set(DATA["standard_metrics"]))
    for wanted in sorted(set(DATA["dashboard_metrics"]) - used):
        expect(False, where, f"shows no {wanted}")
    # The panels' PromQL, by promtool: each query as a recording rule, Grafana's variables filled in.
    promql = [re.sub(r"\$\{?\w+\}?", "x", re.sub(r"\$__(rate_)?interval|\$__range", "5m", e)) for _, e in exprs]
    promtool(where, {"groups": [{"name": "dashboard", "rules": [{"record": f"panel:{i}", "expr": e}
                                                                for i, e in enumerate(promql)]}]})


def check_operations_doc():
    """docs/operations.md's configuration reference lists exactly the variables the services read."""
    where = "docs/operations.md"
    section = re.search(r"^## Configuration reference.*?(?=^## )", read(where), re.S | re.M)
    if not expect(section, where, "no '## Configuration reference' section"):
        return
    documented = {var: row[1] for row in re.findall(r"^\|\s*(`[A-Z][^|]*)\|([^|]*)\|", section.group(0), re.M)
                  for var in re.findall(r"`([A-Z][A-Z0-9_]*)`", row[0])}
    for var in sorted({v for m in MODULES for v in variables_read(m)} - set(documented)):
        expect(False, where, f"{var} (read by {', '.join(m for m in MODULES if var in variables_read(m))}) is not in "
               "the configuration reference")
    for var, modules in sorted(documented.items()):
        readers = [m for m in MODULES if var in allowed_envs(m) or var.startswith("QUARKUS_")]
        if expect(readers, where, f"{var} is documented but no service reads it"):
            for m in (m for m in re.findall(r"[a-z]+-service|gateway", modules) if m in MODULES and m not in readers):
                expect(False, where, f"{var} is documented for {m}, which does not read it")


# -----------------------------------------------------------------------------------------------

def guard(where, check, *args):
    """Runs one check; a malformed file that trips it up is a problem, not a crash."""
    try:
        return check(*args)
    except Exception as e:  # noqa: BLE001 - any failure of a check is reported as one problem
        expect(False, where, f"check {check.__name__} stopped at {type(e).__name__}: {e} "
               "(a field it needs is missing or malformed; see the problems above)")


def main():
    files = {o: os.path.join(sys.argv[2], f"rendered-{o}.json") for o in OVERLAYS}
    # An overlay that kubectl kustomize could not render (bin/validate-deploy.sh said so) is not there.
    rendered = {o: json.loads(read(f)) for o, f in files.items() if os.path.isfile(f)}
    external = guard("docs/operations.md", external_objects) or {}
    for overlay, objs in rendered.items():
        guard(overlay, check_k8s, Overlay(overlay, objs, external))
    for where, check, *args in (("Dockerfiles", check_dockerfiles), ("docker-compose.yml", check_compose),
                                ("images", check_images, rendered), ("dashboard", check_dashboard),
                                ("docs/operations.md", check_operations_doc)):
        guard(where, check, *args)
    problems = list(dict.fromkeys(PROBLEMS))  # once each (dev and prod, say, break the same rule)
    if problems:
        sys.exit(f"\nvalidate-deploy.py: {len(problems)} problem(s):\n" + "\n".join("  ✘ " + p for p in problems))
    print("  ✔ validate-deploy.py: the project's rules hold")


if __name__ == "__main__":
    main()
