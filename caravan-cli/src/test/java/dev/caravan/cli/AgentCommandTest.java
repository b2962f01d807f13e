package dev.caravan.cli;

import static dev.caravan.cli.PublishAndGetTest.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.caravan.agent.Agent;
import dev.caravan.agent.PeerIdFile;
import dev.caravan.agent.api.StatusJson;
import dev.caravan.agent.demo.LocalSwarm;
import dev.caravan.agent.demo.SyntheticRelease;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code caravan agent --config} as a user runs it: a separate process, configured by a file,
 * watched with {@code caravan status}, stopped with SIGTERM, started again.
 */
class AgentCommandTest {
    private static final Pattern API = Pattern.compile("status at http://(\\S+)/status");
    private static final Duration INSTALL_TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path tmp;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void installsTheReleaseShowsItInStatusStopsOnSigtermAndKeepsItsPeerIdAcrossARestart() throws Exception {
        Path source = tmp.resolve("source");
        new SyntheticRelease(4 << 20, 20, 11).writeTo(source);
        try (LocalSwarm swarm = LocalSwarm.start(tmp.resolve("work"), LocalSwarm.Options.defaults())) {
            swarm.publish(source, "1.0.0");
            Path certs = swarm.issue("pc7");
            Path home = tmp.resolve("pc7");
            Path config = Files.writeString(tmp.resolve("agent.toml"), AgentToml.of(swarm, certs.toString(), "pc7", "pc7", ""));

            Path firstLog = tmp.resolve("first.log");
            Process first = start(firstLog, "--config", config, "--group", "lab-1", "--upload-rate", "50MB");
            String api = awaitApi(first, firstLog);
            await().atMost(INSTALL_TIMEOUT).until(() -> Cli.run("status", "--api", api).out().startsWith("pc7: installed 1.0.0"));

            Cli status = ok(Cli.run("status", "--api", api));
            assertThat(status.out()).contains("release:    demo-app 1.0.0, ").contains("chunks held (100%)");
            assertThat(SyntheticRelease.digestTree(home.resolve("install/current").toRealPath()))
                    .isEqualTo(SyntheticRelease.digestTree(source));
            String peerId = Files.readString(home.resolve("cache").resolve(PeerIdFile.NAME)).strip();
            String log = Files.readString(firstLog);
            assertThat(log).contains("caravan agent: pc7 (peer id " + peerId + ") follows demo-app on stable")
                    .contains("# caravan agent: effective configuration", "group = \"lab-1\"",
                            "upload_rate = \"50MB\"", "key = \"" + certs.resolve("pc7.key") + "\"")
                    .doesNotContain("PRIVATE KEY");

            first.destroy(); // SIGTERM
            assertThat(first.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s of SIGTERM").isTrue();
            assertThat(first.exitValue()).as("the JVM's exit status after SIGTERM").isEqualTo(143);
            assertThat(Files.readString(firstLog)).contains("pc7: stopped");

            Path secondLog = tmp.resolve("second.log");
            Process second = start(secondLog, "--config", config);
            String secondApi = awaitApi(second, secondLog);
            await().atMost(INSTALL_TIMEOUT).until(() -> Cli.run("status", "--api", secondApi).out()
                    .startsWith("pc7: installed 1.0.0"));

            assertThat(Files.readString(secondLog)).contains("(peer id " + peerId + ")");
            Agent.Status again = StatusJson.read(ok(Cli.run("status", "--api", secondApi, "--json")).out()
                    .getBytes(StandardCharsets.UTF_8));
            assertThat(again.bytesFromPeers() + again.bytesFromOrigin()).as("nothing fetched again").isZero();
            assertThat(again.chunksHeld()).isEqualTo(again.chunks());
            second.destroy();
            assertThat(second.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * The enrollment path as an operator runs it: {@code ca token} on the CA's folder (held by the
     * tracker), {@code agent --join} on a machine with no certificate, then {@code ca revoke}.
     */
    @Test
    void anAgentJoinsWithATokenFromCaTokenWhichThenIsSpentAndCaRevokeCutsItOff() throws Exception {
        Path source = tmp.resolve("source");
        new SyntheticRelease(1 << 20, 4, 3).writeTo(source);
        try (LocalSwarm swarm = LocalSwarm.start(tmp.resolve("work"), LocalSwarm.Options.defaults()
                .withAnnounceInterval(Duration.ofSeconds(2)))) {
            swarm.publish(source, "1.0.0");
            String tracker = "127.0.0.1:" + swarm.tracker().address().getPort();
            Cli bad = Cli.run("ca", "token", "--dir", swarm.caDir(), "--tracker", tracker, "--name", "pc8", "--ttl", "30");
            assertThat(bad.exitCode()).isEqualTo(1);
            assertThat(bad.err()).contains("--ttl 30: not a duration");
            String token = ok(Cli.run("ca", "token", "--dir", swarm.caDir(), "--tracker", tracker, "--name", "pc8", "--ttl", "10m"))
                    .out().strip();
            assertThat(token).startsWith("cvj1.");
            Path home = Files.createDirectories(tmp.resolve("pc8"));
            Files.writeString(home.resolve("token"), token);
            Path config = Files.writeString(home.resolve("agent.toml"), AgentToml.of(swarm, "tls", "pc8", "", ""));

            Path log = tmp.resolve("join.log");
            Process agent = start(log, "--config", config, "--join", "@" + home.resolve("token"));
            String api = awaitApi(agent, log);
            await().atMost(INSTALL_TIMEOUT).until(() -> Cli.run("status", "--api", api).out().startsWith("pc8: installed 1.0.0"));
            assertThat(home.resolve("tls/pc8.crt")).exists();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("tls/pc8.key")))).isEqualTo("rw-------");
            assertThat(Files.readString(log)).contains("enrolled as pc8").doesNotContain(token).doesNotContain("PRIVATE KEY");

            Path other = Files.writeString(tmp.resolve("other.toml"), Files.readString(config)
                    .replace("tls/", home.resolve("stolen").toString() + "/").replace("\"cache\"", "\"" + home.resolve("c2") + "\"")
                    .replace("\"install\"", "\"" + home.resolve("i2") + "\""));
            Process replay = start(tmp.resolve("replay.log"), "--config", other, "--join", token);
            assertThat(replay.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(replay.exitValue()).isEqualTo(1);
            assertThat(Files.readString(tmp.resolve("replay.log"))).contains("--join: enrollment failed").contains("already used");
            assertThat(home.resolve("stolen/pc8.crt")).doesNotExist();

            Cli revoke = ok(Cli.run("ca", "revoke", "--dir", swarm.caDir(), "pc8"));
            assertThat(revoke.out()).contains("revoked 1 certificate(s) of pc8").contains("revocation list number 1");
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(log).contains("announce to the tracker failed"));
            assertThat(ok(Cli.run("status", "--api", api)).out()).contains("pc8: installed 1.0.0");
            Cli unknown = Cli.run("ca", "revoke", "--dir", swarm.caDir(), "pc99");
            assertThat(unknown.exitCode()).isEqualTo(1);
            assertThat(unknown.err()).contains("no certificate named or numbered \"pc99\"");
            agent.destroy();
            assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    private Process start(Path log, Object... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(GetFailuresTest.javaBinary(), "-cp",
                System.getProperty("java.class.path"), Main.class.getName(), "agent"));
        for (Object a : args) {
            command.add(String.valueOf(a));
        }
        Process p = new ProcessBuilder(command).directory(tmp.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        started.add(p);
        return p;
    }

    /** The local API's HOST:PORT, from the line the agent prints once it runs. */
    private static String awaitApi(Process agent, Path log) {
        return await().atMost(Duration.ofSeconds(60)).until(() -> {
            if (!agent.isAlive()) {
                throw new AssertionError("the agent exited with " + agent.exitValue() + ":\n" + Files.readString(log));
            }
            Matcher m = API.matcher(Files.readString(log));
            return m.find() ? m.group(1) : null;
        }, a -> a != null);
    }
}
