package io.eventline.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vertx.core.json.JsonObject;

/**
 * The gateway's own view of where a delivery's time goes, from its Prometheus histograms, hop by
 * hop: the record written in its service's outbox → its Kafka timestamp (the relay's produce,
 * {@code acks=all}) → the gateway's dispatcher receiving it (broker, fetch) → its frame handed
 * to each stream's socket (dispatch, queue, write); and the whole from the Kafka timestamp on
 * ({@code eventline_stream_delivery_latency_seconds}). Set against the client-side latency, it
 * splits where the time goes. A breakdown is the difference of two scrapes, so it counts only
 * what happened between them.
 */
final class GatewayMetrics {

    private static final Pattern BUCKET = Pattern.compile(
            "eventline_stream_(delivery|hop)_latency_seconds_bucket\\{([^}]*)} ([0-9.eE+]+)");
    private static final Pattern HOP = Pattern.compile("hop=\"([^\"]+)\"");
    private static final Pattern LE = Pattern.compile("le=\"([^\"]+)\"");
    /** The hops in the order a record passes them, then the whole gateway-side path. */
    static final List<String> HOPS = List.of("outbox-to-kafka", "kafka-to-gateway", "gateway-to-socket", "kafka-to-socket");

    /** Cumulative bucket counts per histogram: upper bound (seconds) → count. */
    record Scrape(Map<String, TreeMap<Double, Double>> histograms) {
    }

    private GatewayMetrics() {
    }

    /** The gateway's histograms, from {@code /q/metrics} on its management port. */
    static Scrape scrape(int port) {
        Map<String, TreeMap<Double, Double>> histograms = new LinkedHashMap<>();
        try {
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = BUCKET.matcher(body);
            while (m.find()) {
                Matcher hop = HOP.matcher(m.group(2));
                Matcher le = LE.matcher(m.group(2));
                if (!le.find()) {
                    continue;
                }
                String name = m.group(1).equals("delivery") ? "kafka-to-socket" : hop.find() ? hop.group(1) : null;
                if (name == null) {
                    continue;
                }
                double bound = le.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le.group(1));
                histograms.computeIfAbsent(name, k -> new TreeMap<>()).put(bound, Double.parseDouble(m.group(3)));
            }
        } catch (Exception e) {
            histograms.clear();
        }
        return new Scrape(histograms);
    }

    /** A gauge's value (the first series of that name) on the management port {@code port}, or NaN when it does not answer. */
    static double gauge(int port, String name) {
        try {
            String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
            Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*})? ([0-9.eE+-]+)$").matcher(body);
            return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    /** Per hop, what was recorded between the two scrapes: count and p50/p90/p99 as upper bucket bounds. */
    static JsonObject breakdown(Scrape before, Scrape after) {
        JsonObject out = new JsonObject().put("note", "upper bucket bounds of the gateway's histograms, between two scrapes"
                + " (outbox-to-kafka: CloudEvent time → Kafka timestamp; kafka-to-gateway: → the dispatcher's receipt;"
                + " gateway-to-socket: → frame handed to each stream's socket; kafka-to-socket: the two last together)");
        for (String hop : HOPS) {
            TreeMap<Double, Double> b = before.histograms.getOrDefault(hop, new TreeMap<>());
            TreeMap<Double, Double> a = after.histograms.get(hop);
            if (a == null) {
                out.put(hop, new JsonObject().put("error", "not exported"));
                continue;
            }
            List<double[]> buckets = new ArrayList<>();
            a.forEach((le, count) -> buckets.add(new double[] { le, count - b.getOrDefault(le, 0.0) }));
            double total = buckets.isEmpty() ? 0 : buckets.get(buckets.size() - 1)[1];
            JsonObject h = new JsonObject().put("count", (long) total);
            for (int p : new int[] { 50, 90, 99 }) {
                for (double[] bucket : buckets) {
                    if (total > 0 && bucket[1] >= total * p / 100.0) {
                        h.put("p" + p + "msAtMost", Double.isInfinite(bucket[0]) ? null : Math.round(bucket[0] * 1000 * 10) / 10.0);
                        break;
                    }
                }
            }
            out.put(hop, h);
        }
        return out;
    }
}
