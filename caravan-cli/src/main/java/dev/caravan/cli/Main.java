package dev.caravan.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine;

/**
 * The {@code caravan} command: the only {@code main()} of the project. Each subcommand is a
 * class of its own; this one wires them and turns failures into exit status 1 with a one-line
 * reason on stderr.
 */
@Command(
        name = "caravan",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Peer-to-peer software delivery with signed releases.",
        subcommands = {
            CaCommand.class,
            KeysCommand.class,
            PublishCommand.class,
            TimestampCommand.class,
            TufCommand.class,
            TrackerCommand.class,
            OriginCommand.class,
            AgentCommand.class,
            StatusCommand.class,
            GetCommand.class,
            DemoCommand.class,
        })
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit status: 0 on success, 1 on any failure. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + oneLine(ex));
            if (System.getenv("CARAVAN_DEBUG") != null) {
                ex.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine bad = ex.getCommandLine();
            bad.getErr().println(bad.getCommandSpec().qualifiedName() + ": " + oneLine(ex) + " (see --help)");
            return 1;
        });
        return cl;
    }

    static String oneLine(Throwable ex) {
        String msg = ex.getMessage();
        if (msg == null || msg.isBlank()) {
            msg = ex.getClass().getSimpleName();
            if (ex.getCause() != null && ex.getCause().getMessage() != null) {
                msg += ": " + ex.getCause().getMessage();
            }
        }
        return msg.replace('\n', ' ');
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"caravan " + (v == null ? "development build" : v)};
        }
    }
}
