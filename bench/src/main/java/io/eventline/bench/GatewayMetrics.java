package io.eventline.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vertx.core.json.JsonObject;

/**
 * The gateway's own view of delivery latency, from its Prometheus endpoint: the time from a
 * record's Kafka timestamp (set by the relay when it sends) to its frame being handed to the
 * stream's socket ({@code eventline_stream_delivery_latency_seconds}). Set against the
 * client-side latency, it splits where the time goes: before the record reaches Kafka (commit,
 * relay), inside the gateway, or on the wire and in the client.
 */
final class GatewayMetrics {

    private static final Pattern BUCKET = Pattern.compile(
            "eventline_stream_delivery_latency_seconds_bucket\\{[^}]*le=\"([^\"]+)\"[^}]*} ([0-9.eE+]+)");

    private GatewayMetrics() {
    }

    static JsonObject deliveryLatency(int port) {
        try {
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            List<double[]> buckets = new ArrayList<>();
            Matcher m = BUCKET.matcher(body);
            while (m.find()) {
                double le = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
                buckets.add(new double[] { le, Double.parseDouble(m.group(2)) });
            }
            buckets.sort((a, b) -> Double.compare(a[0], b[0]));
            double total = buckets.isEmpty() ? 0 : buckets.get(buckets.size() - 1)[1];
            JsonObject out = new JsonObject().put("count", (long) total)
                    .put("note", "upper bucket bounds of the gateway's histogram (record's Kafka timestamp → frame handed to the socket)");
            for (double p : new double[] { 50, 90, 99 }) {
                for (double[] b : buckets) {
                    if (total > 0 && b[1] >= total * p / 100) {
                        out.put("p" + (int) p + "msAtMost", Double.isInfinite(b[0]) ? null : Math.round(b[0] * 1000 * 10) / 10.0);
                        break;
                    }
                }
            }
            return out;
        } catch (Exception e) {
            return new JsonObject().put("error", e.toString());
        }
    }
}
