// The framing matrix through the gateway with Node's fetch (undici), which the Java suite does not
// use: node proxy-framing.mjs <gateway base URL>. The upstream is FramingUpstreamResource's stub.
// Exits 1 with one line per failed case; every request is aborted after 5 s, so a response that
// promises bytes it never sends fails instead of hanging. undici keeps connections alive, so a
// framing error in one answer also shows in the next request on that connection.
const base = process.argv[2];
if (!base) {
  console.error('usage: node proxy-framing.mjs <gateway base URL>');
  process.exit(2);
}

const methods = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'];
const statuses = [200, 201, 204, 304, 404, 412, 428];
const modes = ['length', 'chunked'];

// FramingUpstreamResource.body
const body = (method, status) => `{"method":"${method}","status":${status},"padding":"${'x'.repeat(200)}"}`;

const failures = [];
let cases = 0;
for (const mode of modes) {
  for (const method of methods) {
    for (const status of statuses) {
      cases++;
      const name = `${method} ${status} (${mode})`;
      const bodiless = method === 'HEAD' || status === 204 || status === 304;
      const sent = method === 'PUT' || method === 'POST' ? JSON.stringify({ case: name }) : undefined;
      try {
        const res = await fetch(`${base}/api/events/status/${status}?body=${mode}`, {
          method,
          body: sent,
          headers: sent ? { 'content-type': 'application/json' } : {},
          signal: AbortSignal.timeout(5000),
        });
        const text = await res.text();
        const problems = [];
        if (res.status !== status) problems.push(`status ${res.status}`);
        if (res.headers.get('x-upstream') !== 'stub') problems.push('no x-upstream: stub');
        if (res.headers.get('etag') !== '"7"') problems.push(`etag ${res.headers.get('etag')}`);
        const bytesSent = sent === undefined ? 0 : Buffer.byteLength(sent);
        if (res.headers.get('x-request-body-bytes') !== String(bytesSent)) {
          problems.push(`the service read ${res.headers.get('x-request-body-bytes')} body bytes, not ${bytesSent}`);
        }
        const te = res.headers.get('transfer-encoding');
        const length = res.headers.get('content-length');
        if (bodiless) {
          if (text !== '') problems.push(`a body on a bodiless answer: ${text.length} characters`);
          if (te !== null) problems.push(`transfer-encoding: ${te} on a bodiless answer`);
          const relayed = mode === 'length' && status !== 204 ? String(Buffer.byteLength(body(method, status))) : null;
          if (length !== relayed) problems.push(`content-length ${length}, the service sent ${relayed}`);
        } else {
          if (text !== body(method, status)) problems.push(`body ${JSON.stringify(text.slice(0, 80))}`);
          if (mode === 'length' && length !== String(Buffer.byteLength(text))) problems.push(`content-length ${length}`);
          if (mode === 'chunked' && (te !== 'chunked' || length !== null)) problems.push(`te ${te}, content-length ${length}`);
        }
        if (problems.length) failures.push(`${name}: ${problems.join('; ')}`);
      } catch (e) {
        failures.push(`${name}: ${e.name}: ${e.message}${e.cause ? ` (${e.cause.code ?? e.cause.message})` : ''}`);
      }
    }
  }
}

// OPTIONS on every proxied prefix: the service's answer, framed.
for (const prefix of ['events', 'bookings', 'conversations', 'messages', 'notifications']) {
  cases++;
  try {
    const res = await fetch(`${base}/api/${prefix}/status/204`, { method: 'OPTIONS', signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    if (res.status !== 204 || text !== '' || res.headers.get('transfer-encoding') !== null) {
      failures.push(`OPTIONS /api/${prefix}: ${res.status}, ${text.length} characters, te ${res.headers.get('transfer-encoding')}`);
    }
  } catch (e) {
    failures.push(`OPTIONS /api/${prefix}: ${e.name}: ${e.message}`);
  }
}

if (failures.length) {
  console.log(failures.join('\n'));
  console.log(`${failures.length} of ${cases} cases failed`);
  process.exit(1);
}
console.log(`${cases} cases passed`);
