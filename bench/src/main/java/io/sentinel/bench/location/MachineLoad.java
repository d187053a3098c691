package io.sentinel.bench.location;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The machine's load during a run: {@code /proc/loadavg} read every second on a daemon thread, so a
 * result can be printed beside the load it was measured under. Elsewhere than Linux it reports
 * that the load is unknown.
 */
final class MachineLoad implements AutoCloseable {
    private static final Path LOADAVG = Path.of("/proc/loadavg");
    private final String atStart;
    private final Thread sampler;
    private volatile boolean running = true;
    private double min = Double.MAX_VALUE;
    private double max;
    private double sum;
    private int samples;

    private MachineLoad() {
        atStart = read();
        sampler = new Thread(this::sample, "machine-load");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Starts sampling now. */
    static MachineLoad start() {
        return new MachineLoad();
    }

    private void sample() {
        while (running) {
            String l = read();
            if (l != null) {
                double one = Double.parseDouble(l.split(" ")[0]);
                synchronized (this) {
                    min = Math.min(min, one);
                    max = Math.max(max, one);
                    sum += one;
                    samples++;
                }
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static String read() {
        try {
            return Files.readString(LOADAVG).strip();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** One line: the 1-minute load average's min/mean/max over the run, and /proc/loadavg at start and end. */
    synchronized String summary() {
        if (samples == 0) {
            return "machine load: unknown (no /proc/loadavg)";
        }
        return String.format("machine load (1-min average, sampled each second): min %.2f, mean %.2f, max %.2f; /proc/loadavg at start [%s],"
                + " at end [%s]; %d cores", min, sum / samples, max, atStart, read(), Runtime.getRuntime().availableProcessors());
    }

    /** For the RESULT line: the mean and max 1-minute load. */
    synchronized String keyValues() {
        return samples == 0 ? "load_mean=NaN load_max=NaN" : String.format("load_mean=%.2f load_max=%.2f", sum / samples, max);
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }
}
