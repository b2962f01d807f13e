package dev.caravan.cli;

import dev.caravan.wire.tls.CertificateAuthority;
import dev.caravan.wire.tls.IssuedCertificate;
import dev.caravan.wire.tls.RevocationList;
import dev.caravan.wire.tls.Role;
import dev.caravan.agent.config.DurationText;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code caravan ca}: the deployment's certificate authority, which issues the certificates that
 * agents and trackers present to each other (mutual TLS 1.3).
 */
@Command(name = "ca", mixinStandardHelpOptions = true,
        description = "The deployment's certificate authority: make it, issue certificates and join tokens, revoke.",
        subcommands = {CaCommand.Init.class, CaCommand.Issue.class, CaCommand.Token.class, CaCommand.Revoke.class})
final class CaCommand {

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Create the CA (EC P-256 key, 10-year certificate) in a new owner-only folder.")
    static final class Init implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", required = true, description = "The CA folder to create (keep it off the fleet).")
        Path dir;

        @Override
        public Integer call() throws Exception {
            X509Certificate ca = CertificateAuthority.init(dir);
            spec.commandLine().getOut().println("caravan ca: created " + ca.getSubjectX500Principal().getName() + " in "
                    + dir.toAbsolutePath().normalize() + "; give " + CertificateAuthority.CA_CERT + " to every agent and tracker");
            return 0;
        }
    }

    @Command(name = "issue", mixinStandardHelpOptions = true,
            description = "Issue a key and a certificate for an agent or a tracker, signed by the CA.")
    static final class Issue implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", required = true, description = "The CA folder.")
        Path dir;

        @Option(names = "--name", required = true, description = "The machine's name (the certificate's CN and DNS name).")
        String name;

        @Option(names = "--role", required = true, description = "agent or tracker.")
        String role;

        @Option(names = "--ip", description = "An IP address to put in the certificate too (repeatable).")
        List<String> ips = new ArrayList<>();

        @Option(names = "--days", defaultValue = "30", description = "Validity in days (default ${DEFAULT-VALUE}).")
        int days;

        @Option(names = "--out", required = true, description = "Folder to write NAME.key, NAME.crt and ca.crt into.")
        Path out;

        @Override
        public Integer call() throws Exception {
            if (days < 1) {
                throw new IllegalArgumentException("--days must be at least 1, got " + days);
            }
            List<InetAddress> addresses = new ArrayList<>();
            for (String ip : ips) {
                if (!ip.matches("[0-9.]+|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*")) {
                    throw new IllegalArgumentException("--ip takes an IP address, got \"" + ip + "\"");
                }
                addresses.add(InetAddress.getByName(ip)); // a literal: no name lookup
            }
            IssuedCertificate issued = CertificateAuthority.issue(dir, name, Role.parse(role), addresses, out,
                    Duration.ofDays(days));
            spec.commandLine().getOut().println("caravan ca: issued " + issued.role().label() + " certificate for "
                    + issued.name() + " (serial " + issued.serial().toString(16) + ", valid until " + issued.notAfter()
                    + ") into " + out.toAbsolutePath().normalize());
            return 0;
        }
    }

    @Command(name = "token", mixinStandardHelpOptions = true,
            description = {"Print a one-time join token for a new agent: `caravan agent --join TOKEN` enrolls it through the "
                    + "tracker, which must hold this CA folder (`caravan tracker --ca-dir`).",
                    "The token is a secret until it is used or expires: pass it to the machine as you would a password."})
    static final class Token implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", required = true, description = "The CA folder.")
        Path dir;

        @Option(names = "--tracker", required = true, paramLabel = "HOST:PORT",
                description = "The tracker the machine enrolls through, as that machine reaches it, e.g. 10.0.0.10:7443.")
        String tracker;

        @Option(names = "--name", required = true, description = "The agent's name (its certificate's CN).")
        String name;

        @Option(names = "--ttl", defaultValue = "1h", paramLabel = "DURATION",
                description = "How long the token stays usable: 30m, 1h, 2d (default ${DEFAULT-VALUE}, at most 7d).")
        String ttl;

        @Override
        public Integer call() throws Exception {
            java.time.Duration lifetime;
            try {
                lifetime = DurationText.parse(ttl);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--ttl " + ttl + ": " + e.getMessage(), e);
            }
            String token = CertificateAuthority.joinToken(dir, tracker, name, lifetime);
            spec.commandLine().getOut().println(token);
            spec.commandLine().getErr().println("caravan ca: join token for agent " + name + " through tracker " + tracker
                    + ", usable once within " + ttl + "; on the machine: caravan agent --config FILE --join TOKEN");
            return 0;
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = {"Revoke every certificate issued to NAME, or the one with serial SERIAL (hex), by writing a new "
                    + "CA-signed revocation list (crl.pem) into the CA folder.",
                    "A tracker reading it enforces it within its --crl-refresh (10 s), every agent within one announce "
                    + "interval more (30 s): docs/security.md."})
    static final class Revoke implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--dir", required = true, description = "The CA folder.")
        Path dir;

        @picocli.CommandLine.Parameters(paramLabel = "NAME|SERIAL", description = "A name in issued.log, or a serial (hex).")
        String target;

        @Override
        public Integer call() throws Exception {
            RevocationList.Revoked r = RevocationList.revoke(dir, target, java.time.Instant.now());
            spec.commandLine().getOut().println("caravan ca: revoked " + r.serials().size() + " certificate(s) of "
                    + String.join(", ", r.names()) + " (serial " + String.join(", ",
                    r.serials().stream().map(b -> b.toString(16)).toList()) + "); revocation list number " + r.number()
                    + " written to " + dir.resolve(RevocationList.FILE).toAbsolutePath().normalize());
            return 0;
        }
    }
}
