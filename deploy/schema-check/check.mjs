// Strict schema check of rendered Kubernetes objects, run by bin/validate-deploy.py (which renders
// the overlays with `kubectl kustomize` and passes them here as JSON; bin/validate-deploy.sh
// installs this directory's pinned packages with `npm ci`).
//
//   node deploy/schema-check/check.mjs <overlay>=<rendered.json> ...
//
// Every object must be of a kind one of these packages models (versions pinned in package.json and
// package-lock.json), and must pass its JSON schema:
//   kubernetes-models                          the built-in API; 5.1.0 is at the Kubernetes 1.34 level
//                                              (autoscaling/v2, policy/v1, resource.k8s.io/v1)
//   @kubernetes-models/strimzi-kafka-operator  Strimzi's CRDs (Kafka, KafkaNodePool, KafkaTopic, ...;
//                                              1.0.1 has kafka.strimzi.io/v1 besides v1beta2)
//   @kubernetes-models/cloudnative-pg          CloudNativePG's CRDs (Cluster, Database, ...)
//   @kubernetes-models/prometheus-operator     prometheus-operator's CRDs (ServiceMonitor, ...)
//   @kubernetes-models/gateway-api             Gateway API's CRDs (HTTPRoute, ReferenceGrant, ...;
//                                              2.0.0: gateway.networking.k8s.io v1 and v1beta1)
// Their validators (ajv, compiled ahead of time) check types, enums, formats and required fields
// but let unknown fields through, as a JSON schema without additionalProperties: false does. A
// cluster does not: kubectl's strict field validation refuses them, or the API server prunes them
// and a misspelt field is silently lost. So this check rejects them too: it runs each validator on
// a proxy of the object and records which properties the validator
// looks up on each object. A compiled validator looks up every property its schema declares, and
// enumerates the keys of a map (additionalProperties). So on an object whose properties it looked
// up but whose keys it did not enumerate, any other key is a field the schema does not declare. An
// object none of whose properties it looked up is free-form (x-kubernetes-preserve-unknown-fields,
// or `type: object` alone, e.g. Strimzi's spec.kafka.config) and anything goes there.
//
// Output: one "✔ <overlay>: ..." line per overlay that passes, one "✘ <overlay>: <kind> <name>:
// <field path>: <problem>" line per problem. Exit 0 when every overlay passes, 1 otherwise, 2 on
// bad usage or input.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

// apiVersion group -> the module path that exports one class per kind of that group/version.
const PACKAGES = [
  { pkg: "kubernetes-models", label: "built-in", groups: null }, // "" (core), apps, *.k8s.io, ...
  { pkg: "@kubernetes-models/strimzi-kafka-operator", label: "Strimzi", groups: ["kafka.strimzi.io", "core.strimzi.io"] },
  { pkg: "@kubernetes-models/cloudnative-pg", label: "CloudNativePG", groups: ["postgresql.cnpg.io"] },
  { pkg: "@kubernetes-models/prometheus-operator", label: "prometheus-operator", groups: ["monitoring.coreos.com"] },
  { pkg: "@kubernetes-models/gateway-api", label: "Gateway API", groups: ["gateway.networking.k8s.io"] },
];

const require = createRequire(import.meta.url);
const versions = Object.fromEntries(
  PACKAGES.map(({ pkg }) => [pkg, require(`${pkg}/package.json`).version]));

function packageFor(group) {
  const custom = PACKAGES.find((p) => p.groups && p.groups.includes(group));
  if (custom) return custom.pkg;
  // Built-in: the core group, *.k8s.io and the historic unsuffixed groups.
  if (group === "" || group.endsWith(".k8s.io") || !group.includes(".")) return "kubernetes-models";
  return null;
}

const modules = new Map();
async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const pkg = packageFor(group);
  if (!pkg) return { error: `no schema for group ${group} (add its @kubernetes-models package to deploy/schema-check)` };
  const spec = `${pkg}/${group ? group + "/" : ""}${version}`;
  if (!modules.has(spec)) {
    // A group/version the package does not export is "no such kind"; any other failure (a broken
    // install) stops the check.
    modules.set(spec, await import(spec).catch((e) => {
      if (e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED") return null;
      throw e;
    }));
  }
  const mod = modules.get(spec);
  const cls = mod && mod[kind];
  if (!cls || cls.apiVersion !== apiVersion || cls.kind !== kind) {
    return { error: `${pkg}@${versions[pkg]} has no ${apiVersion} ${kind}` };
  }
  return { cls, pkg };
}

// --- the strict walk --------------------------------------------------------------------------

function isObject(v) {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** Runs validate on a proxy of data; returns target -> {read: Set, enumerated: boolean}. */
function lookups(validate, data) {
  const seen = new Map();
  const proxies = new WeakMap();
  const wrap = (value) => {
    if (value === null || typeof value !== "object") return value;
    if (proxies.has(value)) return proxies.get(value);
    const state = { read: new Set(), enumerated: false };
    seen.set(value, state);
    const proxy = new Proxy(value, {
      get(t, key, receiver) {
        if (typeof key === "string" && !Array.isArray(t)) state.read.add(key);
        const v = Reflect.get(t, key, receiver);
        return typeof key === "string" && Object.hasOwn(t, key) ? wrap(v) : v;
      },
      has(t, key) {
        if (typeof key === "string") state.read.add(key);
        return Reflect.has(t, key);
      },
      ownKeys(t) {
        state.enumerated = true;
        return Reflect.ownKeys(t);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  try {
    validate.call(wrap(data));
  } catch {
    // errors are reported by the plain run
  }
  return seen;
}

function unknownFields(data, seen, path, out) {
  if (Array.isArray(data)) {
    data.forEach((item, i) => unknownFields(item, seen, `${path}[${i}]`, out));
    return;
  }
  if (!isObject(data)) return;
  const state = seen.get(data);
  if (!state) return; // the validator never looked inside: free-form (or under an unknown field)
  const declared = state.read.size > 0 && !state.enumerated;
  for (const [key, value] of Object.entries(data)) {
    const at = path ? `${path}.${key}` : key;
    if (declared && !state.read.has(key)) {
      out.push(`${at}: unknown field "${key}"`);
      continue;
    }
    unknownFields(value, seen, at, out);
  }
}

function jsonPath(instancePath) {
  return instancePath
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), "");
}

function schemaErrors(validate, data) {
  try {
    validate.call(structuredClone(data));
    return [];
  } catch (e) {
    if (!Array.isArray(e.errors)) throw e;
    return e.errors.map((err) => {
      const where = jsonPath(err.instancePath) || "(object)";
      if (err.keyword === "required") return `${where}: missing required field "${err.params.missingProperty}"`;
      let message = err.message;
      if (err.keyword === "enum") message += ` (${err.params.allowedValues.map((v) => JSON.stringify(v)).join(", ")})`;
      return `${where}: ${message} (got ${preview(valueAt(data, err.instancePath))})`;
    });
  }
}

function valueAt(data, instancePath) {
  let v = data;
  for (const p of instancePath.split("/").slice(1)) {
    v = v == null ? undefined : v[p.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return v;
}

function preview(value) {
  const text = JSON.stringify(value) ?? "nothing";
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

async function checkOverlay(overlay, objects) {
  const problems = [];
  const counts = new Map();
  for (const obj of objects) {
    const name = `${obj?.kind} ${obj?.metadata?.name}`;
    if (!isObject(obj) || typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") {
      problems.push(`${name}: not an object with apiVersion and kind`);
      continue;
    }
    const model = await modelFor(obj.apiVersion, obj.kind);
    if (model.error) {
      problems.push(`${name}: ${model.error}`);
      continue;
    }
    const validate = model.cls.prototype.validate;
    const found = schemaErrors(validate, obj);
    unknownFields(obj, lookups(validate, obj), "", found);
    for (const f of found) problems.push(`${name}: ${f} (${obj.apiVersion} ${obj.kind} schema)`);
    counts.set(model.pkg, (counts.get(model.pkg) || 0) + 1);
  }
  return { problems, counts };
}

async function main() {
  const args = process.argv.slice(2);
  if (!args.length || args.some((a) => !a.includes("="))) {
    console.error("usage: node check.mjs <overlay>=<rendered.json> ...");
    process.exit(2);
  }
  let failed = false;
  for (const arg of args) {
    const [overlay, file] = arg.split(/=(.*)/s);
    let objects;
    try {
      objects = JSON.parse(readFileSync(file, "utf8"));
      if (!Array.isArray(objects)) throw new Error("not a JSON array of objects");
    } catch (e) {
      console.error(`✘ ${overlay}: cannot read ${file}: ${e.message}`);
      process.exit(2);
    }
    const { problems, counts } = await checkOverlay(overlay, objects);
    if (problems.length) {
      failed = true;
      for (const p of problems) console.log(`✘ ${overlay}: ${p}`);
    } else {
      const by = PACKAGES.filter(({ pkg }) => counts.has(pkg))
        .map(({ pkg, label }) => `${counts.get(pkg)} ${label}`).join(", ");
      console.log(`✔ ${overlay}: ${objects.length} objects pass strict schema checks with unknown fields rejected `
        + `(${by}; npm models, deploy/schema-check)`);
    }
  }
  process.exit(failed ? 1 : 0);
}

await main();
