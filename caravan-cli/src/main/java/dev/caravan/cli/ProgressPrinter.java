package dev.caravan.cli;

import dev.caravan.agent.GetProgress;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Shows a {@code get}'s progress on stderr: a bar redrawn in place on a terminal, or a plain line
 * every tenth of the way otherwise (logs, CI), so that neither floods its reader.
 */
final class ProgressPrinter implements GetProgress {
    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final boolean terminal;
    private final LongSupplier nanoTime;
    private final AtomicLong done = new AtomicLong();
    private volatile long total;
    private volatile long startNanos;
    private long lastDrawNanos;
    private int lastTenth = -1;
    private long lastDrawn;

    ProgressPrinter(PrintWriter out, boolean terminal, LongSupplier nanoTime) {
        this.out = out;
        this.terminal = terminal;
        this.nanoTime = nanoTime;
    }

    static ProgressPrinter forStderr(PrintWriter err) {
        return new ProgressPrinter(err, System.console() != null, System::nanoTime);
    }

    @Override
    public void started(String release, long releaseBytes, int missingChunks, long missingBytes) {
        total = missingBytes;
        startNanos = nanoTime.getAsLong();
        out.printf(Locale.ROOT, "%s: %s, %d chunks (%s) to fetch, %s already cached%n", release, human(releaseBytes),
                missingChunks, human(missingBytes), human(Math.max(0, releaseBytes - missingBytes)));
        out.flush();
    }

    @Override
    public void chunkFetched(long bytes) {
        long now = done.addAndGet(bytes);
        long t = nanoTime.getAsLong();
        synchronized (this) {
            if (now <= lastDrawn) {
                return; // a later total was drawn already
            }
            if (terminal) {
                if (t - lastDrawNanos > 100_000_000L || now >= total) {
                    lastDrawNanos = t;
                    lastDrawn = now;
                    out.print("\r" + line(now, t) + (now >= total ? "\n" : ""));
                    out.flush();
                }
            } else {
                int tenth = total == 0 ? 10 : (int) (now * 10 / total);
                if (tenth > lastTenth) {
                    lastTenth = tenth;
                    lastDrawn = now;
                    out.println(line(now, t));
                    out.flush();
                }
            }
        }
    }

    private String line(long now, long t) {
        double fraction = total == 0 ? 1 : (double) now / total;
        int filled = (int) Math.round(fraction * WIDTH);
        double seconds = Math.max(1e-9, (t - startNanos) / 1e9);
        return String.format(Locale.ROOT, "[%s%s] %3.0f%% %s of %s, %s/s", "#".repeat(filled), " ".repeat(WIDTH - filled),
                fraction * 100, human(now), human(total), human((long) (now / seconds)));
    }

    static String human(long bytes) {
        return scaled(bytes, 1024, "KiB", "MiB", "GiB", "TiB");
    }

    /** Decimal units, as network links are sold (20 MB/s = 20,000,000 bytes/s). */
    static String decimal(long bytes) {
        return scaled(bytes, 1000, "kB", "MB", "GB", "TB");
    }

    private static String scaled(long bytes, int base, String... units) {
        if (bytes < base) {
            return bytes + " B";
        }
        double v = bytes;
        int u = -1;
        while (v >= base && u < units.length - 1) {
            v /= base;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
