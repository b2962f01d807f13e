package dev.caravan.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test class if Netty's leak detector (PARANOID in tests, see the parent pom) reported a
 * buffer that was garbage-collected without being released. The detector reports when it next
 * tracks a buffer after a collection, so the check collects and allocates a few times first. It
 * can miss a leak whose buffer is still reachable; it never reports one that did not happen.
 */
public final class LeakCheck implements BeforeAllCallback, AfterAllCallback {
    private static final Logger DETECTOR = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
    private static final ListAppender<ILoggingEvent> REPORTS = new ListAppender<>();

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        assertNoLeaks();
    }

    /** Starts listening to the leak detector (for jqwik containers, which do not run JUnit extensions). */
    public static synchronized void start() {
        assertThat(ResourceLeakDetector.getLevel()).isEqualTo(ResourceLeakDetector.Level.PARANOID);
        REPORTS.list.clear();
        if (!REPORTS.isStarted()) {
            REPORTS.start();
            DETECTOR.addAppender(REPORTS);
        }
    }

    /** Makes the detector report what it can, then fails if it reported a leak since {@link #start()}. */
    public static synchronized void assertNoLeaks() {
        for (int i = 0; i < 5; i++) {
            System.gc();
            ByteBuf probe = ByteBufAllocator.DEFAULT.buffer(16);
            probe.release();
        }
        assertThat(REPORTS.list).extracting(ILoggingEvent::getFormattedMessage)
                .as("Netty leak reports").noneMatch(m -> m.contains("LEAK"));
    }
}
