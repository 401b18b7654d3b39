package dev.belay.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.spi.ContextAwareBase;
import dev.belay.observe.Observability;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.slf4j.event.KeyValuePair;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Logback set up for {@code --log-format json}, in code rather than XML (Joran's start costs a few hundred classes):
 * every event one JSON object on a line of stderr, with its time, level, logger and message, and the key-values an
 * event carries (the per-call events: call id, tool, door, conversation, outcome, duration). Logback finds it
 * through {@code META-INF/services}; {@link Main} picks logback only in JSON mode.
 */
public final class JsonLogs extends ContextAwareBase implements Configurator {

    /** Where {@link Main} leaves the level {@code BELAY_LOG_LEVEL} asks for Belay's own loggers. */
    static final String BELAY_LEVEL = "org.slf4j.simpleLogger.log.dev.belay";

    /** The logger of what is printed on {@code System.err} ({@link StderrLines}). */
    static final String STDERR = "dev.belay.stderr";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        Line encoder = new Line();
        encoder.setContext(context);
        encoder.start();
        // the process's own stderr: System.err is StderrLines in JSON mode, which logs through here
        OutputStreamAppender<ILoggingEvent> stderr = new OutputStreamAppender<>();
        stderr.setContext(context);
        stderr.setName("stderr");
        stderr.setEncoder(encoder);
        stderr.setOutputStream(new FileOutputStream(FileDescriptor.err));
        stderr.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(stderr);
        context.getLogger("dev.belay").setLevel(Level.toLevel(System.getProperty(BELAY_LEVEL), Level.INFO));
        context.getLogger(Observability.CALLS_LOGGER).setLevel(Level.INFO);
        context.getLogger(STDERR).setLevel(Level.INFO);
        // as in simplelogger.properties: the terminal emulator's warnings about escapes it does not render
        context.getLogger("com.techsenger.jeditermfx").setLevel(Level.OFF);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** One event as one line of JSON; Jackson writes it, so every string is escaped as JSON asks. */
    static final class Line extends EncoderBase<ILoggingEvent> {

        private static final Set<String> OWN = Set.of("time", "level", "logger", "message", "error");

        private final JsonMapper json = JsonMapper.builder().build();

        @Override
        public byte[] headerBytes() {
            return null;
        }

        @Override
        public byte[] encode(ILoggingEvent event) {
            ObjectNode line = json.createObjectNode()
                    .put("time", event.getInstant().toString())
                    .put("level", event.getLevel().toString())
                    .put("logger", event.getLoggerName())
                    .put("message", event.getFormattedMessage());
            if (event.getKeyValuePairs() != null) {
                for (KeyValuePair pair : event.getKeyValuePairs()) {
                    if (OWN.contains(pair.key)) {
                        continue;
                    }
                    switch (pair.value) {
                        case Long n -> line.put(pair.key, n);
                        case Integer n -> line.put(pair.key, n);
                        case null -> line.putNull(pair.key);
                        default -> line.put(pair.key, String.valueOf(pair.value));
                    }
                }
            }
            if (event.getThrowableProxy() != null) {
                line.put("error", ThrowableProxyUtil.asString(event.getThrowableProxy()));
            }
            return (json.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] footerBytes() {
            return null;
        }
    }
}
