package io.eventline.bench;

import java.util.List;

import io.eventline.launcher.ChildProcess;

/** Samples CPU use (in cores) of some processes every {@code periodMs}, keeping the peak and a series. */
final class CpuSampler implements AutoCloseable {
    private final java.util.function.Supplier<List<Long>> pids;
    private final Thread thread;
    private volatile boolean running = true;
    volatile double peakCores;
    final java.util.List<double[]> series = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

    CpuSampler(java.util.function.Supplier<List<Long>> pids, long periodMs) {
        this.pids = pids;
        long t0 = System.nanoTime();
        thread = new Thread(() -> {
            double last = ChildProcess.cpuSeconds(pids.get());
            long lastT = System.nanoTime();
            while (running) {
                try {
                    Thread.sleep(periodMs);
                } catch (InterruptedException e) {
                    return;
                }
                double now = ChildProcess.cpuSeconds(pids.get());
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
