package dev.caravan.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;

/**
 * Several hosts on one machine for system tests: each host is a Linux network namespace with its
 * own {@code lo} and an {@code eth0} on a shared subnet ({@code 10.77.0.0/24}), joined by a bridge
 * that lives in a namespace of its own (so nothing of the test touches the machine's own network),
 * each host's link shaped by {@code tc tbf} to a rate in both directions. Commands run inside a
 * host with {@code ip netns exec}; their output goes to a file.
 *
 * <p>Needs root and iproute2 ({@code ip}, {@code tc}); {@link #assumeAvailable()} skips a test
 * otherwise. {@link #close()} kills what ran in the hosts and removes every namespace (which
 * removes their veths and the bridge with them).
 *
 * <p><b>Implementation notes.</b> Names are {@code caravan-test-PID-N-HOST}: unique per run, so that
 * the leftovers of a killed run never collide with a new one, and they carry the PID of the JVM
 * that made them, so that {@link #create()} removes the leftovers of dead JVMs only, never those of
 * a test running beside it. A link is shaped on both sides of its veth pair, egress each: the
 * host's {@code eth0} caps what the host sends, the bridge port caps what it receives. netem is
 * not used (it is not available everywhere the tests run; tbf is).
 */
public final class NetworkNamespaces implements AutoCloseable {
    private static final String PREFIX = "caravan-test-";
    private static final Pattern OURS = Pattern.compile("^(" + Pattern.quote(PREFIX) + "(\\d+)-\\S+)");
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final long COMMAND_TIMEOUT_SECONDS = 30;

    /** A host: its namespace, the address of its {@code eth0}, and the rate its link is shaped to (0: unshaped). */
    public record Host(String name, String namespace, String address, long bitsPerSecond) {}

    private final String run;
    private final String bridgeNamespace;
    private final Path logDir;
    private final List<Host> hosts = new ArrayList<>();
    private final List<Process> started = new ArrayList<>();

    private NetworkNamespaces(String run, Path logDir) {
        this.run = run;
        this.bridgeNamespace = run + "switch";
        this.logDir = logDir;
    }

    /**
     * Skips the calling test, saying why, unless this process is root and can make a network
     * namespace with a bridge in it.
     */
    public static void assumeAvailable() {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")),
                "needs root to make network namespaces (ip netns); CI runs as root");
        String probe = PREFIX + ProcessHandle.current().pid() + "-probe";
        try {
            ip("netns", "add", probe);
            try {
                ip("-n", probe, "link", "add", "br0", "type", "bridge");
                tc("-n", probe, "qdisc", "add", "dev", "lo", "root", "tbf", "rate", "1mbit", "burst", "32kb", "latency", "50ms");
            } finally {
                ip("netns", "delete", probe);
            }
        } catch (IOException | RuntimeException e) {
            Assumptions.abort("ip netns, a bridge or tc tbf is not available here (install iproute2): " + e.getMessage());
        }
    }

    /**
     * Makes the bridge of a new set of hosts, after removing the namespaces that runs of dead JVMs
     * left behind. Logs of the commands run through it go to {@code logDir}.
     */
    public static NetworkNamespaces create(Path logDir) throws IOException {
        removeStale();
        String run = PREFIX + ProcessHandle.current().pid() + "-" + RUNS.incrementAndGet() + "-";
        NetworkNamespaces net = new NetworkNamespaces(run, Files.createDirectories(logDir));
        try {
            ip("netns", "add", net.bridgeNamespace);
            ip("-n", net.bridgeNamespace, "link", "set", "lo", "up");
            ip("-n", net.bridgeNamespace, "link", "add", "br0", "type", "bridge");
            ip("-n", net.bridgeNamespace, "link", "set", "br0", "up");
        } catch (IOException | RuntimeException e) {
            net.close();
            throw e;
        }
        return net;
    }

    /**
     * Adds a host named {@code name} whose link is shaped to {@code bitsPerSecond} each way (0 for
     * no shaping), with the next address of the subnet ({@code 10.77.0.1}, {@code .2}, ...).
     */
    public synchronized Host addHost(String name, long bitsPerSecond) throws IOException {
        if (!name.matches("[a-z0-9]{1,12}")) {
            throw new IllegalArgumentException("a host name is 1 to 12 of a-z and 0-9, got \"" + name + "\"");
        }
        if (bitsPerSecond < 0) {
            throw new IllegalArgumentException("bitsPerSecond must be >= 0, got " + bitsPerSecond);
        }
        int index = hosts.size() + 1;
        if (index > 250) {
            throw new IllegalStateException("at most 250 hosts on one subnet");
        }
        Host host = new Host(name, run + name, "10.77.0." + index, bitsPerSecond);
        String port = "h" + index; // the host's end on the bridge, in the bridge's namespace
        ip("netns", "add", host.namespace());
        hosts.add(host);
        ip("-n", host.namespace(), "link", "set", "lo", "up");
        ip("-n", bridgeNamespace, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", host.namespace());
        ip("-n", bridgeNamespace, "link", "set", port, "master", "br0", "up");
        ip("-n", host.namespace(), "addr", "add", host.address() + "/24", "dev", "eth0");
        ip("-n", host.namespace(), "link", "set", "eth0", "up");
        if (bitsPerSecond > 0) {
            shape(host.namespace(), "eth0", bitsPerSecond); // what the host sends
            shape(bridgeNamespace, port, bitsPerSecond); // what it receives
        }
        return host;
    }

    /** The hosts added so far, in order. */
    public synchronized List<Host> hosts() {
        return List.copyOf(hosts);
    }

    /**
     * Starts {@code command} inside {@code host}, in folder {@code dir}, with the environment of
     * this JVM plus {@code env}, its stdout and stderr in {@code logDir/LOG}. {@link #close()} kills it
     * (and what it started) if it still runs.
     */
    public Process start(Host host, Path dir, Map<String, String> env, String log, List<String> command) throws IOException {
        List<String> argv = new ArrayList<>(List.of("ip", "netns", "exec", host.namespace()));
        argv.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(logDir.resolve(log).toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        synchronized (this) {
            started.add(p);
        }
        return p;
    }

    /** The folder the logs of {@link #start} go to. */
    public Path logDir() {
        return logDir;
    }

    /** Kills {@code process} and everything it started, and waits for them to end. */
    public static void kill(Process process) {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : tree) {
            try {
                p.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // already gone, or stuck in the kernel: the namespace goes away with its last process
            }
        }
    }

    /** Kills what was started in the hosts, then removes the hosts and the bridge. */
    @Override
    public synchronized void close() {
        started.forEach(NetworkNamespaces::kill);
        started.clear();
        List<String> namespaces = new ArrayList<>();
        hosts.forEach(h -> namespaces.add(h.namespace()));
        namespaces.add(bridgeNamespace);
        namespaces.forEach(NetworkNamespaces::remove);
        hosts.clear();
    }

    private static void shape(String namespace, String device, long bitsPerSecond) throws IOException {
        // The bucket holds 10 ms at the rate, and at least 32 KiB, so that one GSO segment fits.
        long burstBytes = Math.max(32 * 1024, bitsPerSecond / 8 / 100);
        tc("-n", namespace, "qdisc", "add", "dev", device, "root", "tbf", "rate", bitsPerSecond + "bit",
                "burst", "" + burstBytes, "latency", "50ms");
    }

    /** Removes the namespaces of runs whose JVM is gone, killing what still runs in them. */
    private static void removeStale() throws IOException {
        for (String line : ip("netns", "list").split("\n")) {
            Matcher m = OURS.matcher(line.strip());
            if (m.find() && ProcessHandle.of(Long.parseLong(m.group(2))).filter(ProcessHandle::isAlive).isEmpty()) {
                remove(m.group(1));
            }
        }
    }

    /** Kills the processes left inside {@code namespace} (all of them started by a test), then deletes it. */
    private static void remove(String namespace) {
        try {
            for (String pid : ip("netns", "pids", namespace).split("\\s+")) {
                if (!pid.isBlank()) {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            ip("netns", "delete", namespace);
        } catch (IOException | RuntimeException e) {
            System.err.println("NetworkNamespaces: could not remove " + namespace + ": " + e.getMessage());
        }
    }

    private static String ip(String... args) throws IOException {
        return exec("ip", args);
    }

    private static String tc(String... args) throws IOException {
        return exec("tc", args);
    }

    /** Runs a short command; fails naming it and quoting its output unless it exits 0. */
    private static String exec(String tool, String... args) throws IOException {
        List<String> argv = new ArrayList<>();
        argv.add(tool);
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", argv) + ": still running after " + COMMAND_TIMEOUT_SECONDS + " s");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", argv) + " exited with " + p.exitValue() + ": " + text.strip());
            }
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException(String.join(" ", argv) + ": interrupted", e);
        }
    }
}
