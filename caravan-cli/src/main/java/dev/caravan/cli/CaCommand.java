package dev.caravan.cli;

import dev.caravan.wire.tls.CertificateAuthority;
import dev.caravan.wire.tls.IssuedCertificate;
import dev.caravan.wire.tls.Role;
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
        description = "The deployment's certificate authority: make it, and issue agent and tracker certificates.",
        subcommands = {CaCommand.Init.class, CaCommand.Issue.class})
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
}
