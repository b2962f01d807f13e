package dev.caravan.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code caravan} launcher at the repository's root: which Java it runs, and what it says when
 * there is none it can use. It runs from a copy of the launcher beside a built jar's place, with
 * stand-in JDKs: a folder with a {@code release} file and a {@code bin/java} that prints what it
 * was asked to run, which is how the launcher reads a JDK's version without starting it.
 */
class LauncherTest {
    @TempDir
    Path dir;

    Path launcher;

    @BeforeEach
    void copyTheLauncher() throws IOException {
        Path repo = Path.of("..").toAbsolutePath().normalize();
        launcher = dir.resolve("checkout/caravan");
        Files.createDirectories(launcher.resolveSibling("caravan-cli/target"));
        Files.copy(repo.resolve("caravan"), launcher);
        Files.writeString(launcher.resolveSibling("caravan-cli/target/caravan.jar"), "built"); // no build on first use
    }

    @Test
    void aJdkTooOldInJavaHomeIsPassedOverForANewerOneOnThePath() throws Exception {
        Path jdk17 = jdk("17.0.15");
        Path jdk25 = jdk("25.0.3");

        Run run = run(Map.of("JAVA_HOME", jdk17.toString(), "PATH", jdk25.resolve("bin") + ":/usr/bin:/bin"),
                List.of(launcher.toString(), "--version"));

        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).startsWith("java " + jdk25.resolve("bin/java") + " ran:")
                .contains("-jar " + launcher.resolveSibling("caravan-cli/target/caravan.jar") + " --version");
    }

    /** Needs root, to hide the machine's own JDKs under /usr/lib/jvm from the launcher (a mount namespace). */
    @Test
    @Tag("system")
    void withNoJdkOf21OrNewerItSaysWhatItFoundAndWhatToInstallAndExitsOne() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root for a mount namespace; CI runs as root");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/unshare")), "needs unshare (util-linux)");
        Path jdk17 = jdk("17.0.15");
        Path emptyJvms = Files.createDirectories(dir.resolve("no-jvms"));

        Run run = run(Map.of("JAVA_HOME", jdk17.toString(), "PATH", "/usr/bin:/bin"),
                List.of("/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/bash", "-c",
                        "mount --bind \"$0\" /usr/lib/jvm && exec \"$1\" --version", emptyJvms.toString(), launcher.toString()));

        assertThat(run.exit()).as(run.toString()).isEqualTo(1);
        assertThat(run.out()).as("nothing ran").isEmpty();
        assertThat(run.err()).contains("caravan: needs a Java runtime >= 21 and found none.")
                .contains(jdk17.resolve("bin/java") + " (17)")
                .contains("install a JDK 21 or newer");
    }

    /** A stand-in JDK of {@code version}: its release file, and a java that prints how it was run. */
    private Path jdk(String version) throws IOException {
        Path home = Files.createDirectories(dir.resolve("jdk-" + version + "/bin"));
        Files.writeString(home.resolveSibling("release"), "JAVA_VERSION=\"" + version + "\"\n");
        Path java = home.resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"java $0 ran: $*\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home.getParent();
    }

    /** Runs {@code argv} with nothing in its environment but {@code env}. */
    private Run run(Map<String, String> env, List<String> argv) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(argv).directory(dir.toFile());
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the launcher ends").isTrue();
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private record Run(int exit, String out, String err) {
    }
}
