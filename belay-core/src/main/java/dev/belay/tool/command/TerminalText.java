package dev.belay.tool.command;

import com.techsenger.jeditermfx.core.ArrayTerminalDataStream;
import com.techsenger.jeditermfx.core.CursorShape;
import com.techsenger.jeditermfx.core.TerminalDisplay;
import com.techsenger.jeditermfx.core.emulator.JediEmulator;
import com.techsenger.jeditermfx.core.emulator.mouse.MouseFormat;
import com.techsenger.jeditermfx.core.emulator.mouse.MouseMode;
import com.techsenger.jeditermfx.core.model.JediTerminal;
import com.techsenger.jeditermfx.core.model.LinesBuffer;
import com.techsenger.jeditermfx.core.model.StyleState;
import com.techsenger.jeditermfx.core.model.TerminalLine;
import com.techsenger.jeditermfx.core.model.TerminalSelection;
import com.techsenger.jeditermfx.core.model.TerminalTextBuffer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a terminal would show of what a job run under a pseudo-terminal wrote: the bytes go through a terminal
 * emulator (JediTerm's), so a progress bar redrawn with carriage returns reads as its last state, erased lines are
 * gone, colours and titles are dropped, and a full-screen program reads as its screen. Lines the terminal wrapped
 * are joined again; trailing blanks are cut.
 */
final class TerminalText {

    private TerminalText() {}

    /** The text of {@code raw} as a terminal of this size shows it, with every line that scrolled off above. */
    static String render(String raw, TerminalSize size) {
        if (raw.isEmpty()) {
            return "";
        }
        StyleState style = new StyleState();
        // room for every line the text can make: one per line break, and one per terminal width of characters
        // (twice that, for characters two cells wide) that wraps; a line pushed out of the history would be lost
        int history =
                (int) raw.chars().filter(c -> c == '\n').count() + 2 * raw.length() / size.columns() + size.rows() + 1;
        TerminalTextBuffer buffer = new TerminalTextBuffer(size.columns(), size.rows(), style, history, null);
        JediTerminal terminal = new JediTerminal(new Headless(), buffer, style);
        ArrayTerminalDataStream stream = new ArrayTerminalDataStream(raw.toCharArray());
        JediEmulator emulator = new JediEmulator(stream, terminal);
        try {
            while (!stream.isEmpty()) {
                emulator.next();
            }
        } catch (IOException e) {
            // the stream ended inside an escape sequence: what came before it is rendered
        }
        List<TerminalLine> rows = new ArrayList<>();
        buffer.lock();
        try {
            for (LinesBuffer part : List.of(buffer.getHistoryBuffer(), buffer.getScreenBuffer())) {
                for (int i = 0; i < part.getLineCount(); i++) {
                    rows.add(part.getLine(i));
                }
            }
        } finally {
            buffer.unlock();
        }
        // a line the terminal wrapped continues in the next row, also from the history into the screen
        List<String> lines = new ArrayList<>();
        boolean continues = false;
        for (TerminalLine row : rows) {
            String cells = row.getText().replace('\0', ' ');
            // a wrapped row is full: blanks at its end are the line's own, not the screen's
            String text = row.isWrapped() ? cells : cells.stripTrailing();
            if (continues && !lines.isEmpty()) {
                lines.set(lines.size() - 1, lines.getLast() + text);
            } else {
                lines.add(text);
            }
            continues = row.isWrapped();
        }
        while (!lines.isEmpty() && lines.getLast().isEmpty()) {
            lines.removeLast();
        }
        return String.join("\n", lines);
    }

    /** A display nobody looks at: the emulator tells it about cursors, bells and titles, which plain text has not. */
    private static final class Headless implements TerminalDisplay {
        @Override
        public void setCursor(int x, int y) {}

        @Override
        public void setCursorShape(CursorShape shape) {}

        @Override
        public void beep() {}

        @Override
        public void scrollArea(int scrollRegionTop, int scrollRegionSize, int dy) {}

        @Override
        public void setCursorVisible(boolean visible) {}

        @Override
        public void useAlternateScreenBuffer(boolean use) {}

        @Override
        public String getWindowTitle() {
            return "";
        }

        @Override
        public void setWindowTitle(String title) {}

        @Override
        public TerminalSelection getSelection() {
            return null;
        }

        @Override
        public void terminalMouseModeSet(MouseMode mode) {}

        @Override
        public void setMouseFormat(MouseFormat format) {}

        @Override
        public boolean ambiguousCharsAreDoubleWidth() {
            return false;
        }
    }
}
