package dev.caravan.core.chunk;

import dev.caravan.core.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.FutureTask;

/**
 * A content-defined chunker: FastCDC with normalized chunking, which cuts a byte stream where
 * its content says so, so that an insertion or a deletion changes only the chunks around it.
 * Each chunk is handed to a {@link ChunkConsumer} with its SHA-256.
 *
 * <p>The gear table is part of the release format: it is generated from a fixed seed
 * ({@value #GEAR_SEED_HEX}) with SplitMix64, so every publisher everywhere cuts the same bytes
 * at the same places. Changing the seed, the generator, the masks or the cut rule changes
 * every chunk name and makes every cached chunk useless; {@code FastCdcTest} pins them.
 *
 * <p>Instances are immutable and thread-safe. Hashing is shared with the common fork-join pool.
 */
public final class FastCdc {
    /*
     * Implementation notes.
     *
     * FastCDC (Xia et al., "FastCDC: a Fast and Efficient Content-Defined Chunking Approach for
     * Data Deduplication", USENIX ATC 2016, and "The Design of Fast Content-Defined Chunking for
     * Data Deduplication Based Storage Systems", IEEE TPDS 2020):
     *  - gear hash: fp = (fp << 1) + GEAR[byte]; bit k of fp depends on the last k + 1 bytes;
     *  - cut-point skipping: the first minBytes of a chunk are not hashed at all;
     *  - normalized chunking, level 2: before avgBytes a cut needs log2(avg) + 2 zero bits
     *    (MaskS, hard), after it log2(avg) - 2 (MaskL, easy), which narrows the size spread;
     *  - the 2020 paper's "rolling two bytes each time": fp = (fp << 2) + (GEAR[a] << 1) is
     *    checked against MaskS << 1, then fp += GEAR[b] against MaskS. That is exactly the
     *    one-byte gear hash (the masks never use bit 63, so the shifted check loses nothing)
     *    with one shift per two bytes.
     * Masks are contiguous runs of bits ending at bit 62, so every mask bit sees a window of at
     * least 35 bytes. A chunk ends just after the byte whose fingerprint matched.
     *
     * Speed: SHA-256 costs about twice as much as finding the cut points (SHA-NI), so they
     * overlap: the calling thread finds cut points and copies chunks out while a thread of the
     * common fork-join pool (already running, so nothing is started per call) digests them, up to PIPELINE_DEPTH chunks behind; when the pipeline is full the calling
     * thread hashes the newest chunks itself instead of waiting (see deliverUntil), so on two
     * cores both hash. The consumer runs on the calling thread, in order. ChunkingBenchmark
     * measures this against plain SHA-256 of the same bytes.
     */

    static final long GEAR_SEED = 0x4341524156414e31L; // "CARAVAN1"
    static final String GEAR_SEED_HEX = "0x4341524156414e31";
    private static final int NORMALIZATION_LEVEL = 2;
    private static final int PIPELINE_DEPTH = 4;
    private static final long[] GEAR = gearTable(GEAR_SEED);
    private static final long[] GEAR_LS = shiftedLeft(GEAR);
    private static final Executor HASHER = ForkJoinPool.commonPool();

    private final ChunkingConfig config;
    private final long maskS;
    private final long maskL;
    private final long maskSLs;
    private final long maskLLs;

    public FastCdc(ChunkingConfig config) {
        this.config = config;
        this.maskS = mask(config.avgBits() + NORMALIZATION_LEVEL);
        this.maskL = mask(config.avgBits() - NORMALIZATION_LEVEL);
        this.maskSLs = maskS << 1;
        this.maskLLs = maskL << 1;
    }

    public ChunkingConfig config() {
        return config;
    }

    /**
     * Cuts {@code in} into chunks until its end and hands each one, in order, to {@code consumer}
     * on this thread. Does not close {@code in}. An empty stream has no chunks.
     */
    public void chunk(InputStream in, ChunkConsumer consumer) throws IOException {
        int max = config.maxBytes();
        byte[] buf = new byte[Math.max(2 * max, 1 << 20)];
        int pos = 0;
        int limit = 0;
        boolean eof = false;
        long offset = 0;
        ArrayDeque<Pending> pending = new ArrayDeque<>(PIPELINE_DEPTH + 1);
        try {
            while (true) {
                if (!eof && limit - pos < max) {
                    System.arraycopy(buf, pos, buf, 0, limit - pos);
                    limit -= pos;
                    pos = 0;
                    int n;
                    while (limit < buf.length && (n = in.read(buf, limit, buf.length - limit)) >= 0) {
                        limit += n;
                    }
                    eof = limit < buf.length;
                }
                if (pos == limit) {
                    break;
                }
                int length = nextChunkLength(buf, pos, limit);
                byte[] data = Arrays.copyOfRange(buf, pos, pos + length);
                FutureTask<Digest> task = new FutureTask<>(() -> Digest.sha256(data));
                HASHER.execute(task);
                pending.add(new Pending(offset, data, task));
                offset += length;
                pos += length;
                deliverUntil(PIPELINE_DEPTH - 1, pending, consumer);
            }
            deliverUntil(0, pending, consumer);
        } finally {
            pending.forEach(p -> p.digest().cancel(false));
        }
    }

    /**
     * The length of the chunk that starts at {@code buf[start]}, when the stream continues to
     * {@code end}: the cut point. The answer is the stream's only if {@code end - start >= maxBytes}
     * or the stream ends at {@code end}.
     */
    public int nextChunkLength(byte[] buf, int start, int end) {
        Objects.checkFromToIndex(start, end, buf.length);
        int n = end - start;
        if (n <= config.minBytes()) {
            return n;
        }
        if (n > config.maxBytes()) {
            n = config.maxBytes();
        }
        int normalEnd = start + Math.min(config.avgBytes(), n);
        int stop = start + n;
        long[] gear = GEAR;
        long[] gearLs = GEAR_LS;
        long fp = 0;
        int i = start + config.minBytes();
        for (; i < normalEnd - 1; i += 2) {
            fp = (fp << 2) + gearLs[buf[i] & 0xff];
            if ((fp & maskSLs) == 0) {
                return i + 1 - start;
            }
            fp += gear[buf[i + 1] & 0xff];
            if ((fp & maskS) == 0) {
                return i + 2 - start;
            }
        }
        if (i < normalEnd) {
            fp = (fp << 1) + gear[buf[i] & 0xff];
            if ((fp & maskS) == 0) {
                return i + 1 - start;
            }
            i++;
        }
        for (; i < stop - 1; i += 2) {
            fp = (fp << 2) + gearLs[buf[i] & 0xff];
            if ((fp & maskLLs) == 0) {
                return i + 1 - start;
            }
            fp += gear[buf[i + 1] & 0xff];
            if ((fp & maskL) == 0) {
                return i + 2 - start;
            }
        }
        return n;
    }

    /** A contiguous run of {@code bits} one bits ending at bit 62. */
    static long mask(int bits) {
        return ((1L << bits) - 1) << (63 - bits);
    }

    static long[] gearTable(long seed) {
        long[] table = new long[256];
        long state = seed;
        for (int i = 0; i < table.length; i++) {
            state += 0x9e3779b97f4a7c15L; // SplitMix64 (Steele, Lea, Flood 2014)
            long z = state;
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            table[i] = z ^ (z >>> 31);
        }
        return table;
    }

    static long gear(int b) {
        return GEAR[b];
    }

    private static long[] shiftedLeft(long[] table) {
        long[] shifted = new long[table.length];
        for (int i = 0; i < table.length; i++) {
            shifted[i] = table[i] << 1;
        }
        return shifted;
    }

    /**
     * Hands chunks to the consumer, oldest first, until at most {@code remaining} are pending. While
     * the oldest is not hashed yet, this thread hashes the newest ones that the hashing thread has
     * not started ({@code FutureTask.run} does nothing for a task already started), so both cores
     * hash when cutting is not the bottleneck.
     */
    private static void deliverUntil(int remaining, ArrayDeque<Pending> pending, ChunkConsumer consumer)
            throws IOException {
        while (pending.size() > remaining) {
            Pending oldest = pending.getFirst();
            for (Iterator<Pending> it = pending.descendingIterator(); it.hasNext() && !oldest.digest().isDone(); ) {
                it.next().digest().run();
            }
            deliver(pending.removeFirst(), consumer);
        }
    }

    private static void deliver(Pending p, ChunkConsumer consumer) throws IOException {
        Digest digest;
        try {
            digest = p.digest().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while hashing chunk at offset " + p.offset());
        } catch (ExecutionException e) {
            throw new IllegalStateException("hashing the chunk at offset " + p.offset() + " failed", e.getCause());
        }
        consumer.accept(p.offset(), p.data(), digest);
    }

    private record Pending(long offset, byte[] data, FutureTask<Digest> digest) {}
}
