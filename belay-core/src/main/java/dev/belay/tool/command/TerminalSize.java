package dev.belay.tool.command;

import dev.belay.tool.ToolException;

/** The size of a job's pseudo-terminal, in character cells. */
record TerminalSize(int columns, int rows) {

    static final TerminalSize DEFAULT = new TerminalSize(120, 40);

    TerminalSize {
        if (columns < 20 || columns > 1000 || rows < 5 || rows > 500) {
            throw new ToolException("A terminal of " + columns + " columns and " + rows
                    + " rows is out of range: columns go from 20 to 1000, rows from 5 to 500.");
        }
    }
}
