package io.eventline.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.imageio.ImageIO;

import org.HdrHistogram.Histogram;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * A scenario's output: {@code bench/results/<scenario>-<date>.json} (machine, versions, every
 * figure) and PNG charts drawn with Java2D (no chart library): a latency percentile distribution
 * and, where it applies, a time series.
 */
final class Report {

    private static final Color[] COLORS = { new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b), new Color(0x17becf) };

    final String scenario;
    final Path dir;
    final JsonObject json = new JsonObject();
    final String date = LocalDate.now().toString();
    private final List<String> charts = new ArrayList<>();

    Report(String scenario, Path dir, boolean smoke) {
        this.scenario = scenario;
        this.dir = dir;
        json.put("scenario", scenario).put("date", date).put("smoke", smoke).put("machine", Machine.describe())
                .put("command", "./eventline bench " + scenario + (smoke ? " --smoke" : ""));
    }

    /** Latencies recorded in microseconds: count, p50, p90, p99, p99.9 and max in milliseconds. */
    static JsonObject latency(Histogram h) {
        return new JsonObject().put("count", h.getTotalCount()).put("p50ms", ms(h.getValueAtPercentile(50)))
                .put("p90ms", ms(h.getValueAtPercentile(90))).put("p99ms", ms(h.getValueAtPercentile(99)))
                .put("p999ms", ms(h.getValueAtPercentile(99.9))).put("maxms", ms(h.getMaxValue()))
                .put("meanms", Math.round(h.getMean()) / 1000.0);
    }

    static Histogram histogram() {
        return new Histogram(3_600_000_000L, 3);
    }

    private static double ms(long micros) {
        return Math.round(micros / 10.0) / 100.0;
    }

    String fileName(String suffix) {
        return scenario + "-" + date + suffix;
    }

    Path write() throws IOException {
        Files.createDirectories(dir);
        json.put("charts", new JsonArray(charts));
        if (ClientPriority.last != null) {
            json.put("clientPriority", ClientPriority.last);
        }
        Path file = dir.resolve(fileName(".json"));
        Files.writeString(file, json.encodePrettily() + "\n");
        System.out.println("wrote " + file);
        return file;
    }

    /** Latency by percentile, one line per histogram (microseconds in, milliseconds drawn). */
    void percentileChart(String suffix, String title, Map<String, Histogram> series) throws IOException {
        Map<String, double[][]> lines = new LinkedHashMap<>();
        double[] percentiles = { 0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100 };
        for (Map.Entry<String, Histogram> e : series.entrySet()) {
            if (e.getValue().getTotalCount() == 0) {
                continue;
            }
            double[][] pts = new double[percentiles.length][2];
            for (int i = 0; i < percentiles.length; i++) {
                double p = Math.min(percentiles[i], 99.999);
                pts[i][0] = Math.log10(100.0 / (100.0 - p)); // 0 = p0, 1 = p90, 2 = p99, 3 = p99.9
                pts[i][1] = e.getValue().getValueAtPercentile(percentiles[i]) / 1000.0;
            }
            lines.put(e.getKey(), pts);
        }
        draw(suffix, title, "percentile", "latency (ms)", lines, true);
    }

    /** A series over time: x in seconds. */
    void timeChart(String suffix, String title, String yLabel, Map<String, double[][]> lines) throws IOException {
        draw(suffix, title, "time (s)", yLabel, lines, false);
    }

    private void draw(String suffix, String title, String xLabel, String yLabel, Map<String, double[][]> lines,
            boolean percentileAxis) throws IOException {
        int w = 900, h = 520, left = 80, right = 30, top = 50, bottom = 60;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        double xMax = 0, yMax = 0;
        for (double[][] pts : lines.values()) {
            for (double[] p : pts) {
                xMax = Math.max(xMax, p[0]);
                yMax = Math.max(yMax, p[1]);
            }
        }
        xMax = xMax <= 0 ? 1 : xMax;
        yMax = niceCeiling(yMax <= 0 ? 1 : yMax);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, left, 30);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.drawLine(left, h - bottom, w - right, h - bottom);
        g.drawLine(left, top, left, h - bottom);
        int plotW = w - left - right, plotH = h - top - bottom;
        for (int i = 0; i <= 5; i++) {
            double v = yMax * i / 5;
            int y = h - bottom - (int) (plotH * i / 5.0);
            g.setColor(new Color(0xdddddd));
            g.drawLine(left + 1, y, w - right, y);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.1f", v), 10, y + 4);
        }
        if (percentileAxis) {
            String[] labels = { "p0", "p90", "p99", "p99.9", "p99.99" };
            for (int i = 0; i < labels.length && i <= xMax + 1e-9; i++) {
                int x = left + (int) (plotW * i / xMax);
                g.drawString(labels[i], x - 10, h - bottom + 18);
            }
        } else {
            for (int i = 0; i <= 6; i++) {
                double v = xMax * i / 6;
                int x = left + (int) (plotW * i / 6.0);
                g.drawString(String.format(Locale.ROOT, "%.0f", v), x - 8, h - bottom + 18);
            }
        }
        g.drawString(xLabel, left + plotW / 2 - 30, h - 15);
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, -(top + plotH / 2 + 40), 25);
        g.rotate(Math.PI / 2);
        int k = 0;
        g.setStroke(new BasicStroke(2f));
        for (Map.Entry<String, double[][]> e : lines.entrySet()) {
            Color c = COLORS[k % COLORS.length];
            g.setColor(c);
            double[][] pts = e.getValue();
            for (int i = 1; i < pts.length; i++) {
                g.drawLine(left + (int) (plotW * pts[i - 1][0] / xMax), h - bottom - (int) (plotH * Math.min(pts[i - 1][1], yMax) / yMax),
                        left + (int) (plotW * pts[i][0] / xMax), h - bottom - (int) (plotH * Math.min(pts[i][1], yMax) / yMax));
            }
            g.fillRect(w - right - 220, top + 10 + 18 * k, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(e.getKey(), w - right - 202, top + 21 + 18 * k);
            k++;
        }
        g.dispose();
        Files.createDirectories(dir);
        String name = fileName(suffix + ".png");
        ImageIO.write(img, "png", dir.resolve(name).toFile());
        charts.add(name);
    }

    private static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] { 1, 2, 2.5, 5, 10 }) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
