package dev.belay.telemetry;

import dev.belay.tool.ToolResult;
import java.util.Locale;

/**
 * How a call ended, as a label: {@code ok}, the kind of an error result ({@code Failure} in lower case, which
 * includes {@code denied} and {@code timed_out}), {@code internal} when Belay itself failed, {@code unknown_tool}.
 */
public final class CallOutcome {

    public static final String OK = "ok";
    public static final String INTERNAL = "internal";
    public static final String UNKNOWN_TOOL = "unknown_tool";

    private CallOutcome() {}

    public static String of(ToolResult result) {
        return result.isError() ? result.failure().name().toLowerCase(Locale.ROOT) : OK;
    }
}
