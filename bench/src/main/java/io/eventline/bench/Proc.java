package io.eventline.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** CPU time and resident memory of processes, from /proc (Linux). */
final class Proc {

    private static final double TICKS = 100.0; // USER_HZ on Linux

    private Proc() {
    }

    /** User + system CPU seconds of the processes so far (0 for one that is gone). */
    static double cpuSeconds(List<Long> pids) {
        double total = 0;
        for (long pid : pids) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                total += (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS; // utime, stime
            } catch (IOException | RuntimeException e) {
                // gone
            }
        }
        return total;
    }

    /** Resident memory of the processes in bytes. */
    static long rssBytes(List<Long> pids) {
        long total = 0;
        for (long pid : pids) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                    if (line.startsWith("VmRSS:")) {
                        total += Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                    }
                }
            } catch (IOException | RuntimeException e) {
                // gone
            }
        }
        return total;
    }

    /** Samples CPU use (in cores) of some processes every {@code periodMs}, keeping the peak and a series. */
    static final class CpuSampler implements AutoCloseable {
        private final java.util.function.Supplier<List<Long>> pids;
        private final Thread thread;
        private volatile boolean running = true;
        volatile double peakCores;
        final java.util.List<double[]> series = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

        CpuSampler(java.util.function.Supplier<List<Long>> pids, long periodMs) {
            this.pids = pids;
            long t0 = System.nanoTime();
            thread = new Thread(() -> {
                double last = cpuSeconds(pids.get());
                long lastT = System.nanoTime();
                while (running) {
                    try {
                        Thread.sleep(periodMs);
                    } catch (InterruptedException e) {
                        return;
                    }
                    double now = cpuSeconds(pids.get());
                    long t = System.nanoTime();
                    double cores = Math.max(0, (now - last) / ((t - lastT) / 1e9));
                    peakCores = Math.max(peakCores, cores);
                    series.add(new double[] { (t - t0) / 1e9, cores });
                    last = now;
                    lastT = t;
                }
            }, "cpu-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() {
            running = false;
            thread.interrupt();
        }
    }
}
