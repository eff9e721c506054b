package io.eventline.systemtests;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import io.eventline.launcher.ServiceProcess;

/** Reads one sample from a service's Prometheus endpoint, on its management port. */
public final class Metrics {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private Metrics() {
    }

    /**
     * The sum of every sample of {@code name} whose labels contain {@code labelFilter} (may be empty),
     * from the service started at {@code baseUrl} (its public URL).
     */
    public static double value(String baseUrl, String name, String labelFilter) {
        String text;
        try {
            URI metrics = URI.create(ServiceProcess.managementUrlOf(baseUrl) + "/q/metrics");
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(15)).build(),
                    HttpResponse.BodyHandlers.ofString());
            // Anything else would read as no samples, and a check for zero would pass without a scrape.
            if (response.statusCode() != 200) {
                throw new IllegalStateException(metrics + " answered " + response.statusCode());
            }
            text = response.body();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        double sum = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            String series = line.substring(0, Math.max(0, space));
            String metric = series.contains("{") ? series.substring(0, series.indexOf('{')) : series;
            if (metric.equals(name) && series.contains(labelFilter)) {
                sum += Double.parseDouble(line.substring(space + 1));
            }
        }
        return sum;
    }

    public static double value(String baseUrl, String name) {
        return value(baseUrl, name, "");
    }
}
