package dev.caravan.agent.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.caravan.wire.ProtocolErrorHandler;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * The faults peer connections logged during a test — the WARN lines of {@link ProtocolErrorHandler}
 * that an operator reads: TLS refusals and protocol errors. Fails the test if a connection was
 * closed for a protocol error, which among honest agents and well-behaved fakes is a bug.
 */
final class WireFaults implements BeforeEachCallback, AfterEachCallback {
    private static final Logger LOG = (Logger) LoggerFactory.getLogger(ProtocolErrorHandler.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final boolean protocolErrorsExpected;

    WireFaults() {
        this(false);
    }

    private WireFaults(boolean protocolErrorsExpected) {
        this.protocolErrorsExpected = protocolErrorsExpected;
    }

    /** Records the lines but fails no test for them: for tests whose peer breaks the protocol on purpose. */
    static WireFaults expectingProtocolErrors() {
        return new WireFaults(true);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        lines.list.clear();
        lines.start();
        LOG.addAppender(lines);
    }

    /** The lines logged so far, formatted. */
    List<String> lines() {
        synchronized (lines) { // AppenderBase appends holding this lock
            return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        LOG.detachAppender(lines);
        lines.stop();
        if (!protocolErrorsExpected) {
            assertThat(lines()).as("protocol errors logged").noneMatch(m -> m.contains("protocol error"));
        }
    }
}
