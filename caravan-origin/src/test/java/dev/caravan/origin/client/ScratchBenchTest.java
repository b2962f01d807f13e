package dev.caravan.origin.client;

import dev.caravan.origin.server.*;
import java.nio.file.*;
import java.util.*;
import java.util.concurrent.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchBenchTest {
    @TempDir Path dir;
    @Test
    void bench() throws Exception {
        io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
        Path chunks = Files.createDirectories(dir.resolve("repo/chunks"));
        int n = 64;
        byte[] b = new byte[4 << 20];
        new Random(1).nextBytes(b);
        for (int i = 0; i < n; i++) Files.write(chunks.resolve("c" + i), b);
        try (OriginServer s = new OriginServer(OriginConfig.plain(dir.resolve("repo"), "127.0.0.1", 0).withWorkerThreads(2));
             OriginClient c = new OriginClient(OriginClientConfig.defaults())) {
            s.start();
            String base = s.baseUri() + "chunks/c";
            for (int round = 0; round < 3; round++) {
                long t0 = System.nanoTime();
                List<CompletableFuture<byte[]>> fs = new ArrayList<>();
                for (int i = 0; i < n; i++) fs.add(c.fetchAsync(base + i, 4 << 20));
                for (var f : fs) f.get();
                double sec = (System.nanoTime() - t0) / 1e9;
                System.out.printf("BENCH client %d MiB in %.3f s = %.0f MiB/s%n", n * 4, sec, n * 4 / sec);
                t0 = System.nanoTime();
                List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-o", "/dev/null"));
                for (int i = 0; i < n; i++) { cmd.add(base + i); if (i < n - 1) cmd.add("-o"); if (i < n-1) cmd.add("/dev/null"); }
                new ProcessBuilder(cmd).inheritIO().start().waitFor();
                sec = (System.nanoTime() - t0) / 1e9;
                System.out.printf("BENCH curl   %d MiB in %.3f s = %.0f MiB/s%n", n * 4, sec, n * 4 / sec);
            }
        }
    }
}
