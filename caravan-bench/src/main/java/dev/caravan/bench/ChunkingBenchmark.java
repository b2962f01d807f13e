package dev.caravan.bench;

import dev.caravan.core.Digest;
import dev.caravan.core.chunk.ChunkingConfig;
import dev.caravan.core.chunk.FastCdc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.MessageDigest;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * A benchmark of publishing's hot loop: FastCDC chunking with the SHA-256 of every chunk
 * ({@link #chunkAndHash}), against the baseline of plain SHA-256 of the same 64 MiB
 * ({@link #sha256Baseline}); {@link #cutPointsOnly} shows the gear loop alone. The goal is
 * chunkAndHash at no less than 0.8x the baseline's throughput. Throughput in MB/s is
 * {@code ops/s * 67.1}.
 *
 * <pre>
 * ./mvnw -B -q -pl caravan-bench -am package -DskipTests &amp;&amp; java -jar caravan-bench/target/benchmarks.jar ChunkingBenchmark
 * </pre>
 * (add {@code -f 1 -wi 2 -i 3} for a short run).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ChunkingBenchmark {
    static final int SIZE = 64 << 20;

    private byte[] data;
    private FastCdc fastCdc;

    @Setup
    public void setUp() {
        data = new byte[SIZE];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < SIZE; i += 8) {
            long r = random.nextLong();
            for (int j = 0; j < 8; j++) {
                data[i + j] = (byte) (r >>> (8 * j));
            }
        }
        fastCdc = new FastCdc(ChunkingConfig.DEFAULT);
    }

    /** The baseline: one SHA-256 over the whole buffer. */
    @Benchmark
    public byte[] sha256Baseline() {
        MessageDigest md = Digest.newSha256();
        md.update(data);
        return md.digest();
    }

    /** FastCDC over the buffer as a stream, each chunk hashed: what a publisher does per byte. */
    @Benchmark
    public void chunkAndHash(Blackhole bh) throws IOException {
        fastCdc.chunk(new ByteArrayInputStream(data), (offset, chunk, digest) -> bh.consume(digest));
    }

    /** FastCDC cut points alone, without hashing. */
    @Benchmark
    public int cutPointsOnly() {
        int chunks = 0;
        for (int pos = 0; pos < data.length; chunks++) {
            pos += fastCdc.nextChunkLength(data, pos, data.length);
        }
        return chunks;
    }
}
